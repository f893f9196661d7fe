"""Helpers for tests, benchmarks and users' own suites: run a real localconnect server and talk to it, or answer
boto3 in process with ``mock_localconnect``."""
from .inprocess import InProcess, mock_localconnect  # noqa: F401
from .server import ServerProcess, admin_call, clients  # noqa: F401
