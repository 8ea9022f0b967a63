"""Per-key request limits: a rate shared by every worker (in the database), and concurrent requests per worker."""
