"""Likely duplicates among a tenant's contacts: the finder, dismissals, and the route."""
