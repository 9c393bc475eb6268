"""Delivering the outbox: workers that send the e-mails and webhooks events call for."""
