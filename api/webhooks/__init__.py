"""Webhooks: per-tenant subscriptions, delivered from the change feed, signed as Standard Webhooks describes."""
