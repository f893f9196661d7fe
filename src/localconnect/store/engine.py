"""The stores (SQLite file, SQLite in memory, PostgreSQL) behind one transaction interface.

Services write SQL in the subset both databases speak, with named parameters; ``Tx`` adapts them.
A write transaction holds the lock of its account+Region for its whole life (``Tx.lock_partition``):
on SQLite the database write lock taken by BEGIN IMMEDIATE, on PostgreSQL a row lock on
``partitions``. Every rule that must hold under concurrency is checked and written inside it.
"""
from __future__ import annotations

import asyncio
import logging
import os
import re
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from . import schema

log = logging.getLogger("localconnect.store")


_PARTITION = ("SELECT phone_numbers_per_instance, instances_per_region FROM partitions "
              "WHERE account = :account AND region = :region")


class Tx:
    """One open transaction. SQL takes named parameters (``:name``, given as keyword arguments); rows come
    back as mappings (row["column"])."""

    dialect: str

    def one(self, sql: str, **params: Any) -> Any: ...
    def all(self, sql: str, **params: Any) -> list[Any]: ...
    def execute(self, sql: str, **params: Any) -> int: ...

    def insert(self, table: str, **values: Any) -> int:
        """INSERT one row from keyword arguments: no placeholders to count."""
        columns = ", ".join(values)
        return self.execute(f"INSERT INTO {table} ({columns}) VALUES ({', '.join(':' + c for c in values)})",
                            **values)

    def lock_partition(self, account: str, region: str) -> Any:
        """Hold the account+Region's lock until the transaction ends; returns its partitions row (quotas)."""

    def insert_many(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """Bulk load (bench/scale.py loads a million numbers): rows of ``columns``, in this transaction."""


class SQLiteTx(Tx):
    dialect = "sqlite"

    def __init__(self, conn: sqlite3.Connection):
        self._conn = conn

    def one(self, sql, **params):
        return self._conn.execute(sql, params).fetchone()

    def all(self, sql, **params):
        return self._conn.execute(sql, params).fetchall()

    def execute(self, sql, **params):
        return self._conn.execute(sql, params).rowcount

    def insert_many(self, table, columns, rows):
        self._conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                               rows)

    def lock_partition(self, account, region):
        # BEGIN IMMEDIATE already holds the database's single write lock; make sure the row exists.
        where = {"account": account, "region": region}
        row = self._conn.execute(_PARTITION, where).fetchone()
        if row is None:
            self._conn.execute("INSERT INTO partitions (account, region) VALUES (:account, :region)", where)
            row = self._conn.execute(_PARTITION, where).fetchone()
        return row


# ``:name`` (not ``::type`` casts) -> psycopg's ``%(name)s``; a literal % must be doubled for psycopg.
_NAMED = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")
_PG_SQL: dict[str, str] = {}


def _pg(sql: str) -> str:
    out = _PG_SQL.get(sql)
    if out is None:
        out = _PG_SQL[sql] = _NAMED.sub(r"%(\1)s", sql.replace("%", "%%"))
    return out


class PostgresTx(Tx):
    dialect = "postgresql"

    def __init__(self, conn):
        self._conn = conn

    def one(self, sql, **params):
        return self._conn.execute(_pg(sql), params).fetchone()

    def all(self, sql, **params):
        return self._conn.execute(_pg(sql), params).fetchall()

    def execute(self, sql, **params):
        return self._conn.execute(_pg(sql), params).rowcount

    def insert_many(self, table, columns, rows):
        # COPY: an order of magnitude faster than INSERTs, even pipelined ones.
        with self._conn.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def lock_partition(self, account, region):
        where = {"account": account, "region": region}
        locked = _pg(_PARTITION) + " FOR UPDATE"
        row = self._conn.execute(locked, where).fetchone()
        if row is None:
            self._conn.execute(_pg("INSERT INTO partitions (account, region) VALUES (:account, :region) "
                                   "ON CONFLICT DO NOTHING"), where)
            row = self._conn.execute(locked, where).fetchone()
        return row


class Store:
    kind: str
    description: str

    async def run(self, fn: Callable[[Tx], Any], write: bool) -> Any:
        raise NotImplementedError

    def run_sync(self, fn: Callable[[Tx], Any], write: bool) -> Any:
        raise NotImplementedError

    def close(self) -> None:
        pass

    # --- administration -------------------------------------------------------------------------
    def stats(self) -> dict:
        return {}

    def schema_version(self) -> int:
        return self.run_sync(lambda tx: _version(tx), write=False)

    def reset(self, account: str | None = None) -> None:
        def go(tx: Tx) -> None:
            for table in schema.DATA_TABLES:
                if account is None:
                    tx.execute(f"DELETE FROM {table}")
                else:
                    tx.execute(f"DELETE FROM {table} WHERE account = :account", account=account)
            if account is None:
                tx.execute("UPDATE service_clock SET offset_seconds = 0 WHERE id = 1")
        self.run_sync(go, write=True)


def partitions(tx: Tx) -> list:
    """Every account+Region that has been written to (every write takes its lock, which makes its row)."""
    return tx.all("SELECT account, region FROM partitions ORDER BY account, region")


def _version(tx: Tx) -> int:
    row = tx.one("SELECT MAX(version) AS v FROM schema_version")
    return int(row["v"] or 0)


def migrate(tx: Tx, target: int = schema.LATEST) -> list[int]:
    """Apply every migration newer than the database's version up to ``target``; return those applied."""
    tx.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL)")
    if tx.dialect == "postgresql":
        tx.execute("SELECT pg_advisory_xact_lock(4599)")  # two servers starting at once migrate once
    current = _version(tx)
    applied = []
    for version, description, statements in schema.MIGRATIONS:
        if current < version <= target:
            for statement in statements:
                tx.execute(statement)
            tx.insert("schema_version", version=version, description=description)
            applied.append(version)
    return applied


# The SQLite page cache per connection, in MB (setting sqlite_cache_mb). Measured on a 1M-number store (README,
# Scale): while the operating system caches the file, 2 to 256 MB make no difference; 64 MB holds every inner
# page of every index of a million numbers (42 MB), so when it does not, a lookup reads only leaf pages from disk.
DEFAULT_CACHE_MB = 64


# WAL pages after which the worker checkpoints: SQLite's own default threshold.
CHECKPOINT_FRAMES = 1000


class SQLiteStore(Store):
    """SQLite, in a file (WAL) or in memory.

    Transactions run on the caller's thread: the server calls ``run`` from its event loop, so one process
    never interleaves two transactions, and BEGIN IMMEDIATE with a busy timeout orders processes that
    share the file.

    Durability is a group commit. Commits do not fsync (synchronous=NORMAL); instead ``run`` answers only
    once an fsync of the WAL that began after its commit has finished, and that fsync runs on a worker
    thread, so the event loop goes on executing other requests meanwhile and one fsync covers all of them.
    Reads wait too while this process has commits not yet on disk, so no client sees data that a crash
    could take back. A 200 still means the data is on disk, as with an fsync per commit.

    Checkpoints (copying the WAL into the database file, which fsyncs both) run on a worker thread as well,
    through a connection of their own, about every ``CHECKPOINT_FRAMES`` pages written to the WAL, after the
    fsync (no answer waits for them). SQLite's automatic checkpoint would run them inside whichever commit crossed
    that threshold, on the event loop: 5-10 ms each on a quiet disk (measured), far more on a busy one. While one
    runs, write transactions wait for it (reads go on), so that it copies the whole WAL and the next commit starts
    the WAL again from its beginning.
    """

    def __init__(self, path: str | None, target_version: int = schema.LATEST, cache_mb: float = DEFAULT_CACHE_MB,
                 mmap_mb: float = 0):
        self.kind = "memory" if path is None else "sqlite"
        self.description = "memory" if path is None else f"sqlite:///{path}"
        self._wal_path = None if path is None else path + "-wal"
        if path is not None:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path or ":memory:", isolation_level=None, check_same_thread=False,
                                     timeout=30.0)
        self._conn.row_factory = sqlite3.Row
        if path is not None:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")  # checkpoints still fsync; commits are ours to sync
            self._conn.execute("PRAGMA wal_autocheckpoint=0")  # ours too: _checkpoint, off the event loop
        self._conn.execute("PRAGMA busy_timeout=30000")
        # Page cache of this connection (SQLite's default is 2 MB): see DEFAULT_CACHE_MB.
        self._conn.execute(f"PRAGMA cache_size=-{max(1, int(cache_mb * 1024))}")
        if mmap_mb:
            self._conn.execute(f"PRAGMA mmap_size={int(mmap_mb * 1024 * 1024)}")
        self._lock = threading.Lock()  # guards the one connection against use from other threads (tests, admin)
        self._committed = 0  # write transactions this process has committed
        self._durable = 0    # how many of them are known to be on disk
        self._flush: asyncio.Future | None = None
        self._checkpointing: asyncio.Future | None = None  # writes wait for it (run)
        self.fsyncs = 0
        self.checkpoints = 0
        # Python's sqlite3 cannot see how many pages a commit adds to the WAL (sqlite3_wal_hook), so the number of
        # commits between checkpoints is learnt from what each checkpoint reports it found.
        self._checkpoint_every = 100
        self._checkpointed_at = 0  # self._committed at the last checkpoint
        # Opened now, WAL included (a first read opens it), rather than at the first checkpoint: the server's open
        # files are the same from start to end.
        self._checkpointer = None
        if path is not None:
            self._checkpointer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self._checkpointer.execute("SELECT COUNT(*) FROM sqlite_master").fetchall()
        self._checkpoint_lock = threading.Lock()
        self.run_sync(lambda tx: migrate(tx, target_version), write=True)

    async def run(self, fn, write):
        while write and self._checkpointing is not None:
            # A write begun while a checkpoint runs would leave frames it has not copied: the WAL could then
            # never start again from its beginning, and would grow for as long as writes keep coming.
            await asyncio.shield(self._checkpointing)
        result = self._transaction(fn, write)
        if self._durable < self._committed:
            await self._on_disk(self._committed)
        return result

    def run_sync(self, fn, write):
        """A transaction that is on disk when this returns (migrations, admin resets, tests)."""
        result = self._transaction(fn, write)
        if self._durable < self._committed:
            target = self._committed
            self._fsync_wal()
            self._durable = max(self._durable, target)
        return result

    def _transaction(self, fn, write):
        with self._lock:
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                result = fn(SQLiteTx(conn))
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            if write and self._wal_path is not None:
                self._committed += 1
            return result

    async def _on_disk(self, target: int) -> None:
        """Wait until commit number ``target`` is on disk; callers arriving during an fsync share the next one."""
        while self._durable < target:
            if self._flush is None:
                self._flush = asyncio.ensure_future(self._flush_wal())
            await asyncio.shield(self._flush)

    async def _flush_wal(self) -> None:
        try:
            upto = self._committed  # every commit made before the fsync starts is covered by it
            await asyncio.get_running_loop().run_in_executor(None, self._fsync_wal)
            self._durable = max(self._durable, upto)
        finally:
            self._flush = None
        if self._checkpointing is None and self._committed - self._checkpointed_at >= self._checkpoint_every:
            self._checkpointing = asyncio.ensure_future(self._checkpoint_off_loop())

    async def _checkpoint_off_loop(self) -> None:
        try:
            await asyncio.get_running_loop().run_in_executor(None, self._checkpoint)
        finally:
            self._checkpointing = None

    def _checkpoint(self) -> None:
        """Copy the WAL into the database file (PASSIVE: never waits for, or blocks, this process's or another's
        transactions; what a reader still uses is copied by a later checkpoint)."""
        with self._checkpoint_lock:
            if self._checkpointer is None:  # in memory, or closed
                return
            commits = self._committed
            try:
                (_busy, frames, _copied), = self._checkpointer.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            except sqlite3.Error as exc:  # e.g. the database is being replaced: the next flush tries again
                log.warning("WAL checkpoint skipped: %s", exc)
                return
            self.checkpoints += 1
            # frames: the WAL's frames since it last started again from its beginning, which the first write after
            # a complete checkpoint makes it do (writes wait for checkpoints, see run); so, what the commits since
            # the last checkpoint added. (Another process's reader can keep a checkpoint from completing; then
            # this overestimates and the next checkpoint merely comes sooner.)
            if frames > 0:
                per_commit = frames / max(1, commits - self._checkpointed_at)
                self._checkpoint_every = max(1, min(10_000, int(CHECKPOINT_FRAMES / per_commit)))
            self._checkpointed_at = commits

    def _fsync_wal(self) -> None:
        try:
            fd = os.open(self._wal_path, os.O_RDONLY)
        except FileNotFoundError:  # checkpointed and removed: the checkpoint synced the database file
            return
        try:
            os.fsync(fd)
            self.fsyncs += 1
        finally:
            os.close(fd)

    def stats(self) -> dict:
        """Group-commit counters of this process: many commits per fsync under concurrent load."""
        if self._wal_path is None:
            return {}
        return {"commits": self._committed, "durable_commits": self._durable, "fsyncs": self.fsyncs,
                "checkpoints": self.checkpoints}

    def close(self):
        with self._checkpoint_lock:
            if self._checkpointer is not None:
                self._checkpointer.close()
                self._checkpointer = None  # a flush still under way checkpoints no more
        with self._lock:
            self._conn.close()


class PostgresStore(Store):
    """PostgreSQL, shared by any number of server processes. Transactions run on a small thread pool,
    one connection per thread, so the event loop never waits on the network."""

    def __init__(self, url: str, threads: int = 8, target_version: int = schema.LATEST):
        import psycopg  # imported here so the SQLite-only path does not need it loaded
        from psycopg.rows import dict_row

        self._psycopg = psycopg
        self._dict_row = dict_row
        self.kind = "postgresql"
        self.description = _redact(url)
        self._url = url
        self._local = threading.local()
        self._all: list[Any] = []
        self._all_lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="localconnect-pg")
        self.run_sync(lambda tx: migrate(tx, target_version), write=True)

    def _conn(self):
        conn = getattr(self._local, "conn", None)
        if conn is None or conn.closed or conn.broken:
            lost = conn
            conn = self._psycopg.connect(self._url, autocommit=False, row_factory=self._dict_row)
            self._local.conn = conn
            with self._all_lock:
                if lost is not None:
                    self._all.remove(lost)
                    lost.close()
                self._all.append(conn)
        return conn

    def stats(self) -> dict:
        """Open connections: one per thread that has run a transaction (at most ``threads`` + the first)."""
        with self._all_lock:
            return {"connections": len(self._all)}

    async def run(self, fn, write):
        return await asyncio.get_running_loop().run_in_executor(self._executor, self.run_sync, fn, write)

    def run_sync(self, fn, write):
        conn = self._conn()
        try:
            result = fn(PostgresTx(conn))
        except BaseException:
            if not conn.closed:
                conn.rollback()
            raise
        conn.commit()
        return result

    def close(self):
        self._executor.shutdown(wait=True)
        with self._all_lock:
            for conn in self._all:
                try:
                    conn.close()
                except Exception:  # closing is best effort at shutdown
                    pass
            self._all.clear()


def _redact(url: str) -> str:
    # postgresql://user:secret@host/db -> postgresql://user:***@host/db
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        if ":" in creds:
            creds = creds.split(":", 1)[0] + ":***"
        return f"{scheme}://{creds}@{host}"
    return url


def open_store(store: str, data_dir: str, cache_mb: float = DEFAULT_CACHE_MB, mmap_mb: float = 0) -> Store:
    """Open the store a ``--store`` value names: sqlite | memory | sqlite:///PATH | postgresql://..."""
    if store == "sqlite":
        return SQLiteStore(os.path.join(data_dir, "localconnect.db"), cache_mb=cache_mb, mmap_mb=mmap_mb)
    if store == "memory":
        return SQLiteStore(None, cache_mb=cache_mb)
    if store.startswith("sqlite:///"):
        return SQLiteStore(store[len("sqlite:///"):], cache_mb=cache_mb, mmap_mb=mmap_mb)
    if store.startswith(("postgresql://", "postgres://")):
        return PostgresStore(store)
    raise ValueError(f"unknown store {store!r}: use sqlite, memory, sqlite:///PATH or postgresql://...")
