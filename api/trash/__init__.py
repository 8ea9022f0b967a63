"""The trash: deleted contacts, undeleted within a retention window, then purged."""
