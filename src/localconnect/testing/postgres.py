"""A PostgreSQL schema of one's own on a shared database: the test suite, `make bench-scale` and `make soak` each
work in a new schema and drop it afterwards, so they never see, or change, each other's tables or whatever else
the database holds."""
from __future__ import annotations

import contextlib
import uuid
from typing import Iterator
from urllib.parse import quote


def schema_url(base: str, schema: str) -> str:
    """``base`` (a postgresql:// URL) with its search_path set to ``schema``: a localconnect store there creates
    and uses its tables in that schema only."""
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options={quote('-csearch_path=' + schema)}"


def create_schema(base: str, prefix: str = "lc_") -> str:
    """A new, empty schema named ``prefix`` + random hex; returns its name."""
    import psycopg  # the postgresql:// store's own driver, imported only when a PostgreSQL URL is in use

    schema = prefix + uuid.uuid4().hex[:12]
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    return schema


def drop_schema(base: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@contextlib.contextmanager
def scratch_schema(base: str, prefix: str = "lc_") -> Iterator[str]:
    """The URL of a new schema on ``base``'s database, dropped (with everything in it) on leaving."""
    schema = create_schema(base, prefix)
    try:
        yield schema_url(base, schema)
    finally:
        drop_schema(base, schema)
