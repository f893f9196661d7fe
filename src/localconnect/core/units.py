"""Units of time, in seconds: the service clock and every stored time are epoch seconds."""
MINUTE = 60.0
HOUR = 3600.0
DAY = 86400.0
