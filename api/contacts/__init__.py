"""Contacts: the `/contacts` resource, its rules, its listing and the only code that touches the collection."""
