"""The change feed: every change of a tenant's contacts in order, with sync tokens to resume from."""
