"""What the service tells its operators: a JSON log line per request, request ids, and Prometheus metrics."""
