"""Business rules, free of HTTP: routes call these, these call the document models."""
