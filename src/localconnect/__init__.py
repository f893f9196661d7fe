"""localconnect: Amazon Connect's phone-number API, locally, over the real AWS wire protocols."""

__version__ = "0.1.0"
