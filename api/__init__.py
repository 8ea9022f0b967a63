"""The contacts HTTP API."""
