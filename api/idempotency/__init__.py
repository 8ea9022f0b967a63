"""`Idempotency-Key`: safe retries of creates."""
