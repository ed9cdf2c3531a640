"""People, their sessions and tokens, and their roles on boards."""
