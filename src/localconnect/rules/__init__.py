"""Cross-cutting rules as small pieces: idempotency, and (later) the release rule, throttling, IAM, faults."""
