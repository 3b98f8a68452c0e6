"""Creating the benchmarks' PostgreSQL databases, from the server's own ``postgres`` database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit


@contextmanager
def server_cursor(url: str) -> Iterator[tuple[object, str]]:
    """A cursor on the server of ``url`` (outside any transaction), and the database name ``url`` names."""
    import psycopg2

    parts = urlsplit(url)
    admin = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            yield cursor, parts.path.lstrip("/")
    finally:
        admin.close()


def ensure_database(url: str) -> None:
    """Create the database if it is missing."""
    from psycopg2 import sql

    with server_cursor(url) as (cursor, name):
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            print(f"Creating database {name}", flush=True)
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def fresh_database(url: str) -> None:
    """Drop and create the database, so a run starts empty."""
    from psycopg2 import sql

    with server_cursor(url) as (cursor, name):
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
