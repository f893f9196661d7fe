"""Helpers for tests, benchmarks and users' own suites: run a real localconnect server and talk to it."""
from .server import ServerProcess, admin_call, clients  # noqa: F401
