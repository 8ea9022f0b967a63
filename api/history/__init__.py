"""Contact history: every earlier version of a contact, and restoring one."""
