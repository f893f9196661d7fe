"""Cross-cutting rules as small pieces, each testable without a server: idempotency, quotas, the release rule,
IAM policy evaluation, throttling and fault injection."""
