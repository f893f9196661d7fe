"""Helpers for tests, benchmarks and users' own suites: answer boto3 in process with ``mock_localconnect`` (or
the pytest fixture ``localconnect``), run a real server with ``ServerProcess`` (or the fixture
``localconnect_server``), and drive its admin API with ``AdminClient``. ``pip install "localconnect[testing]"``
brings boto3 and pytest, which these helpers use."""
from ..adminclient import AdminClient, AdminClientError  # noqa: F401
from .inprocess import InProcess, current, mock_localconnect  # noqa: F401
from .server import ServerProcess, admin_call, clients, listening_url  # noqa: F401
