"""The shopper self-service return portal (server-rendered pages)."""
