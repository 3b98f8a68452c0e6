"""The restore drill on whichever database the suite runs on (SQLite, or PostgreSQL in CI's second run).

Seed, build a day's nightly report, back up (pg_dump, or SQLite's backup API), restore into a
fresh database or file, and rebuild that day's report there: the content hash must be the same.
"""

import datetime
import json
import os

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from hubportal import backups
from learning.models import RollupReport
from learning.services import rollup_run


def drop_database(name: str) -> None:
    import psycopg2
    from psycopg2 import sql

    db = connection.settings_dict
    params = {
        "dbname": "postgres",
        "user": db["USER"],
        "password": db["PASSWORD"],
        "host": db["HOST"],
        "port": db["PORT"],
    }
    admin = psycopg2.connect(**{key: value for key, value in params.items() if value})
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    finally:
        admin.close()


@pytest.fixture
def restore_target(tmp_path):
    """A database name (PostgreSQL) or a file path (SQLite) that does not exist yet; dropped afterwards."""
    if connection.vendor == "postgresql":
        name = f"{connection.settings_dict['NAME']}_restored_{os.getpid()}"[:63]
        drop_database(name)
        yield name
        drop_database(name)
    else:
        yield str(tmp_path / "restored" / "hubportal.sqlite3")


@pytest.mark.django_db(transaction=True)
def test_a_restored_backup_rebuilds_the_nightly_report_with_the_same_hash(tmp_path, restore_target, capsys):
    call_command("seed_demo", verbosity=0)
    day = timezone.localdate() - datetime.timedelta(days=1)
    report = rollup_run(day=day).report
    assert report is not None and report.content["innovations"], "the roll-up built no report"

    call_command("backup", dir=tmp_path / "backups")
    [made] = [path for path in (tmp_path / "backups").iterdir() if path.suffix != ".json"]
    expected_suffix = ".dump" if connection.vendor == "postgresql" else ".sqlite3"
    assert made.suffix == expected_suffix
    manifest = json.loads(backups.manifest_path(made).read_text())
    assert manifest["engine"] == connection.vendor
    assert manifest["last_report"] == {"day": day.isoformat(), "content_hash": report.content_hash}

    # What happens on the live database after the backup is not in the restored copy.
    RollupReport.objects.filter(pk=report.pk).update(content_hash="0" * 64)

    capsys.readouterr()
    call_command("restore", str(made), into=restore_target)
    checked = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert checked["exit_code"] == 0, checked
    assert checked["checked"] and checked["same"], checked
    assert checked["day"] == day.isoformat()
    assert (
        checked["stored_hash"] == checked["rebuilt_hash"] == checked["expected_hash"] == report.content_hash
    )

    # The target now exists: a second restore into it is refused, as is one over the live database.
    with pytest.raises(CommandError, match="exists"):
        call_command("restore", str(made), into=restore_target, no_check=True)
    live = connection.settings_dict["NAME"]
    with pytest.raises(CommandError, match="portal's own database"):
        call_command("restore", str(made), into=str(live), no_check=True)


@pytest.mark.django_db(transaction=True)
def test_the_newest_backup_is_restored_when_none_is_named(tmp_path, restore_target, capsys):
    call_command("backup", dir=tmp_path)
    capsys.readouterr()
    call_command("restore", into=restore_target, dir=tmp_path)
    out = capsys.readouterr().out
    assert "Restored hubportal-" in out
    assert (
        json.loads(out.strip().splitlines()[-1])["reason"] == "no roll-up report in this database to rebuild"
    )


@pytest.mark.django_db(transaction=True)
def test_a_damaged_backup_is_refused(tmp_path, restore_target):
    made = backups.backup(tmp_path)
    with made.path.open("r+b") as file:
        file.seek(100)
        file.write(b"\x00damaged\x00")
    with pytest.raises(backups.BackupError, match="damaged"):
        backups.restore(made.path, restore_target)


@pytest.mark.django_db
def test_the_check_says_when_the_rebuilt_report_differs():
    day = timezone.localdate() - datetime.timedelta(days=1)
    report = rollup_run(day=day).report
    same = backups.check_restored()
    assert same["same"] and same["rebuilt_hash"] == report.content_hash
    differs = backups.check_restored(expected={"day": day.isoformat(), "content_hash": "0" * 64})
    assert not differs["same"]
    RollupReport.objects.filter(pk=report.pk).update(content_hash="1" * 64)
    assert not backups.check_restored(day=day)["same"]
