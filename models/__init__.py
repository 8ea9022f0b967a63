"""Document models, API schemas derived from them, and the database lifecycle."""
