"""What every layer may import and that imports nothing of ours: the modeled errors, the call context,
ARNs, time units."""
