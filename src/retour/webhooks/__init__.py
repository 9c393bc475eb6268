"""Webhooks out: subscriptions, Standard Webhooks signing, the HTTP sender and its SSRF guard."""
