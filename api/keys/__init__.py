"""API keys: created, listed and revoked from the command line; each request presents one as a Bearer token."""
