"""Mail: an outbox written with each change, sent after commit by a small worker."""
