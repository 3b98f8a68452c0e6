"""Back up the database to a dated file, restore a backup into a new database or file, and check it.

- PostgreSQL (``DATABASE_URL``): ``pg_dump --format=custom`` (one consistent snapshot, taken
  while the portal runs), restored with ``pg_restore`` into a new database.
- SQLite (the embedded default): SQLite's online backup API (``sqlite3.Connection.backup``),
  which copies a consistent state of a live database however the web server and the worker
  write meanwhile; never a copy of the file.

Each backup ``hubportal-<database>-<YYYYMMDD-HHMMSS>.dump`` (or ``.sqlite3``) has a manifest
beside it (``… .json``): its SHA-256, and the day and content hash of the newest nightly roll-up
report at the time. ``check_restored`` proves a restored copy usable: it rebuilds that day's
report from the restored rows (``learning.rollup.build_content``, as the nightly run does) and
compares its ``content_hash`` with the stored report's and the manifest's.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connections

POSTGRES_SUFFIX, SQLITE_SUFFIX = ".dump", ".sqlite3"


class BackupError(Exception):
    """A backup, restore or check that could not be done, with what to do about it."""


@dataclass(frozen=True)
class Backup:
    path: Path
    manifest: dict

    @property
    def manifest_path(self) -> Path:
        return manifest_path(self.path)


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def default_directory() -> Path:
    return Path(settings.VAR_DIR) / "backups"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _newest_report(alias: str) -> dict | None:
    from learning.models import RollupReport

    report = RollupReport.objects.using(alias).order_by("-day").values("day", "content_hash").first()
    return {"day": report["day"].isoformat(), "content_hash": report["content_hash"]} if report else None


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not installed: install the PostgreSQL client (apt-get install postgresql-client)."
        )
    return found


def _libpq_env(db: dict, name: str | None = None) -> dict[str, str]:
    """The environment that points pg_dump and pg_restore at a database: no password on the command line."""
    env = dict(os.environ)
    for variable, value in (
        ("PGHOST", db.get("HOST")),
        ("PGPORT", db.get("PORT")),
        ("PGUSER", db.get("USER")),
        ("PGPASSWORD", db.get("PASSWORD")),
        ("PGSSLMODE", (db.get("OPTIONS") or {}).get("sslmode")),
    ):
        if value:
            env[variable] = str(value)
    env["PGDATABASE"] = name or str(db["NAME"])
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed ({result.returncode}): {result.stderr.strip()}")


# -- Backing up --------------------------------------------------------------------------------


def backup(
    directory: Path | None = None, *, alias: str = "default", now: datetime.datetime | None = None
) -> Backup:
    """Write a consistent copy of the database to a dated file in ``directory``, with its manifest."""
    connection = connections[alias]
    db = connection.settings_dict
    directory = Path(directory or default_directory())
    directory.mkdir(parents=True, exist_ok=True)
    stamp = (now or datetime.datetime.now()).strftime("%Y%m%d-%H%M%S")
    last_report = _newest_report(alias)
    if connection.vendor == "postgresql":
        name = str(db["NAME"])
        path = directory / f"hubportal-{name}-{stamp}{POSTGRES_SUFFIX}"
        partial = path.with_name(path.name + ".partial")
        command = [_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}"]
        _run(command, _libpq_env(db))
    elif connection.vendor == "sqlite":
        source = Path(db["NAME"])
        if not source.is_file():
            raise BackupError(f"No SQLite database at {source}.")
        name = source.stem
        path = directory / f"hubportal-{name}-{stamp}{SQLITE_SUFFIX}"
        partial = path.with_name(path.name + ".partial")
        partial.unlink(missing_ok=True)
        _sqlite_copy(f"file:{quote(str(source.resolve()))}?mode=ro", partial, uri=True)
    else:
        raise BackupError(f"No backup for a {connection.vendor} database.")
    partial.replace(path)  # a backup file is whole or absent
    manifest = {
        "file": path.name,
        "engine": connection.vendor,
        "database": name,
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "bytes": path.stat().st_size,
        "sha256": _sha256(path),
        "last_report": last_report,
    }
    manifest_path(path).write_text(json.dumps(manifest, indent=2) + "\n")
    return Backup(path, manifest)


def _sqlite_copy(source: str, target: Path, *, uri: bool = False) -> None:
    """Copy a SQLite database page by page through the backup API, in one step (one read lock)."""
    src = sqlite3.connect(source, uri=uri)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
            (result,) = dst.execute("PRAGMA integrity_check").fetchone()
        finally:
            dst.close()
    finally:
        src.close()
    if result != "ok":
        target.unlink(missing_ok=True)
        raise BackupError(f"The copy failed SQLite's integrity check: {result}")


def newest_backup(directory: Path | None = None) -> Path:
    directory = Path(directory or default_directory())
    found = sorted(
        (p for p in directory.glob("hubportal-*") if p.suffix in (POSTGRES_SUFFIX, SQLITE_SUFFIX)),
        key=lambda p: p.stat().st_mtime,
    )
    if not found:
        raise BackupError(f"No backup in {directory}: run `make backup` (python manage.py backup) first.")
    return found[-1]


# -- Restoring ---------------------------------------------------------------------------------


def read_manifest(path: Path) -> dict | None:
    beside = manifest_path(path)
    return json.loads(beside.read_text()) if beside.is_file() else None


def restore(path: Path, into: str, *, replace: bool = False, alias: str = "default") -> str:
    """Restore the backup at ``path`` into ``into``; returns the restored copy's ``DATABASE_URL``.

    A ``.dump`` goes into a new PostgreSQL database: ``into`` is its name (on the server of
    ``DATABASE_URL``) or a ``postgres://`` URL. A ``.sqlite3`` goes into a new file: ``into`` is
    its path. An existing target is refused unless ``replace``; the portal's own database always is.
    """
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"No backup file at {path}.")
    manifest = read_manifest(path)
    if manifest and manifest.get("sha256") and _sha256(path) != manifest["sha256"]:
        raise BackupError(f"{path.name} does not match the SHA-256 in its manifest: the file is damaged.")
    if path.suffix == POSTGRES_SUFFIX:
        return _restore_postgres(path, into, replace=replace, alias=alias)
    if path.suffix == SQLITE_SUFFIX:
        return _restore_sqlite(path, Path(into), replace=replace, alias=alias)
    raise BackupError(f"Not a Hub Portal backup (.dump or .sqlite3): {path.name}")


def _target_postgres(into: str, alias: str) -> dict:
    import dj_database_url

    if "://" in into:
        return dj_database_url.parse(into)
    db = dict(connections[alias].settings_dict)
    if connections[alias].vendor != "postgresql":
        raise BackupError("Restoring a PostgreSQL backup by database name needs DATABASE_URL on that server.")
    db["NAME"] = into
    return db


def database_url(db: dict) -> str:
    user = quote(db.get("USER") or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    at = f"{user}{password}@" if user else ""
    return f"postgres://{at}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def _restore_postgres(path: Path, into: str, *, replace: bool, alias: str) -> str:
    import psycopg2
    from psycopg2 import sql

    target = _target_postgres(into, alias)
    live = connections[alias].settings_dict
    same_server = (target.get("HOST"), str(target.get("PORT") or "")) == (
        live.get("HOST"),
        str(live.get("PORT") or ""),
    )
    if same_server and target["NAME"] == live["NAME"]:
        raise BackupError(
            f"Refusing to restore over the portal's own database {live['NAME']}: name a new one."
        )
    server = {
        "dbname": "postgres",
        "user": target.get("USER") or None,
        "password": target.get("PASSWORD") or None,
        "host": target.get("HOST") or None,
        "port": target.get("PORT") or None,
    }
    admin = psycopg2.connect(**{key: value for key, value in server.items() if value})
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [target["NAME"]])
            if cursor.fetchone():
                if not replace:
                    raise BackupError(f"Database {target['NAME']} exists: name a new one, or pass --replace.")
                cursor.execute(
                    sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(target["NAME"]))
                )
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target["NAME"])))
    finally:
        admin.close()
    command = [
        _tool("pg_restore"),
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
    ]
    _run([*command, f"--dbname={target['NAME']}", str(path)], _libpq_env(target, target["NAME"]))
    return database_url(target)


def _restore_sqlite(path: Path, target: Path, *, replace: bool, alias: str) -> str:
    live = connections[alias].settings_dict
    if connections[alias].vendor == "sqlite" and target.resolve() == Path(live["NAME"]).resolve():
        raise BackupError(f"Refusing to restore over the portal's own database {target}: name a new file.")
    if target.exists():
        if not replace:
            raise BackupError(f"{target} exists: name a new file, or pass --replace.")
        for leftover in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
            leftover.unlink(missing_ok=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    _sqlite_copy(str(path), target)
    return f"sqlite:///{target.resolve()}"


# -- Checking a restored copy ------------------------------------------------------------------


def check_restored(*, expected: dict | None = None, day: datetime.date | None = None) -> dict:
    """Rebuild a nightly report from this (restored) database and compare content hashes.

    Run with ``DATABASE_URL`` pointing at the restored copy. The day is ``day``, else the
    manifest's newest report (``expected``), else the newest report here. Writes nothing.
    """
    from learning import rollup
    from learning.models import RollupReport
    from learning.services import content_hash

    if day is None and expected:
        day = datetime.date.fromisoformat(expected["day"])
    report = RollupReport.objects.filter(day=day) if day else RollupReport.objects.order_by("-day")
    report = report.only("day", "content_hash").first()
    if report is None:
        if day is None:
            return {"checked": False, "same": True, "reason": "no roll-up report in this database to rebuild"}
        raise BackupError(f"The restored copy has no roll-up report for {day}.")
    rebuilt = content_hash(rollup.build_content(report.day))
    result = {
        "checked": True,
        "day": report.day.isoformat(),
        "stored_hash": report.content_hash,
        "rebuilt_hash": rebuilt,
        "expected_hash": expected["content_hash"] if expected else None,
    }
    result["same"] = rebuilt == report.content_hash and (not expected or expected["content_hash"] == rebuilt)
    return result


def check_in_subprocess(url: str, manifest: Path | None) -> dict:
    """Run ``manage.py restore_check`` on the database at ``url``; its last line is a JSON object."""
    command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "restore_check", "--json"]
    if manifest and manifest.is_file():
        command += ["--manifest", str(manifest)]
    result = subprocess.run(
        command,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
    )
    lines = result.stdout.strip().splitlines()
    try:
        checked = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        raise BackupError(
            f"restore_check failed ({result.returncode}): {result.stderr.strip()[-2000:]}"
        ) from None
    checked["exit_code"] = result.returncode
    return checked
