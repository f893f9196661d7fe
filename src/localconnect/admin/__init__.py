"""The admin API under /_localconnect/."""
