"""Contact groups: per-tenant named sets of contacts, their members and member counts."""
