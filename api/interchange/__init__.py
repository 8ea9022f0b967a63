"""Contacts to and from vCard 4.0 (RFC 6350), jCard (RFC 7095) and CSV, without I/O."""
