"""``make bench-rollup``: the nightly roll-up's wall time, peak memory and ratio to its plain SQL.

For each scale (``BENCH_SCALES``, default ``1,2``) it uses the page bench's database
(``hubportal_bench``, ``hubportal_bench_scale2``: see bench/README.md), loading
``generate_scale_data`` there first if that scale is not loaded yet (the page bench's
own loader, in its own process). Then, in a fresh process per scale:

1. a warm-up ``build_content`` for yesterday, capturing every query it sends;
2. ``rollup_run`` for yesterday, timed (the day's report and runs deleted first, so it
   builds and writes); peak memory: the process's peak resident size (``ru_maxrss``)
   just after it, Django itself included; then a second run over unchanged data;
3. the plain SQL: each captured query run again alone, rows fetched, timed (best of 2).

Prints a line per scale, then one JSON object, last. Targets at scale 1: at most 30 s,
at most 3 × the plain SQL time, at most 300 MB; scale 2 no worse than linear (the time
at most 2.2 × scale 1's, allowing for noise).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import database_url, ensure_database, label, scales  # noqa: E402

TARGET_SECONDS = 30
TARGET_RATIO = 3
TARGET_MB = 300
LINEAR_SLACK = 2.2


def run_child(mode: str, scale: float, url: str, result: str | None = None) -> int:
    env = {**os.environ, "DATABASE_URL": url}
    env.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    command = [sys.executable, str(Path(__file__)), f"--{mode}", "--scale", f"{scale:g}"]
    if result:
        command += ["--result", result]
    return subprocess.run(command, env=env, cwd=ROOT, check=False).returncode


def parent() -> int:
    started_load = os.getloadavg()[0]
    results: dict[str, dict] = {}
    for scale in scales():
        url = database_url(scale)
        if not url.startswith(("postgres://", "postgresql://")):
            print("make bench-rollup runs on PostgreSQL: set BENCH_DATABASE_URL to a postgres:// address.")
            return 2
        ensure_database(url)
        if status := run_child("load", scale, url):
            print(f"Loading scale {scale:g} failed (exit status {status}).")
            return status
        with tempfile.NamedTemporaryFile(suffix=".json") as result_file:
            if status := run_child("measure", scale, url, result_file.name):
                print(f"The roll-up bench at scale {scale:g} failed (exit status {status}).")
                return status
            results[label(scale)] = json.loads(Path(result_file.name).read_text())
    first = results[label(scales()[0])]
    targets_met = {
        f"seconds_le_{TARGET_SECONDS}": first["rollup_seconds"] <= TARGET_SECONDS,
        f"ratio_to_sql_le_{TARGET_RATIO}": first["ratio_to_sql"] <= TARGET_RATIO,
        f"peak_mb_le_{TARGET_MB}": first["peak_mb"] <= TARGET_MB,
    }
    if label(2) in results and label(1) in results:
        growth = results[label(2)]["rollup_seconds"] / results[label(1)]["rollup_seconds"]
        targets_met["scale_2_no_worse_than_linear"] = growth <= LINEAR_SLACK
        targets_met["growth_scale_1_to_2"] = round(growth, 2)
    print()
    print(
        json.dumps(
            {
                "rollup": results,
                "targets_met": targets_met,
                "machine": {
                    "cpus": os.cpu_count(),
                    "load_average_1m": {"start": started_load, "end": os.getloadavg()[0]},
                },
            }
        )
    )
    return 0


def load_child(scale: float) -> int:
    import django

    django.setup()
    from bench.run import load

    load(scale)
    return 0


def plain_select(sql: str) -> str | None:
    """The SELECT of a captured query; ``iterator()`` sends it inside a server-side cursor's DECLARE."""
    if match := re.match(r"DECLARE .*? CURSOR .*?FOR (SELECT .*)", sql, re.DOTALL):
        return match.group(1)
    return sql if sql.lstrip().upper().startswith(("SELECT", "WITH")) else None


def plain_sql_seconds(queries: list[str]) -> float:
    """The captured SELECTs run again alone, rows fetched: the best of two rounds."""
    from django.db import connection

    rounds = []
    for _ in range(2):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for sql in queries:
                cursor.execute(sql)
                cursor.fetchall()
        rounds.append(time.perf_counter() - started)
    return min(rounds)


def measure_child(scale: float, result_path: str) -> int:
    import datetime

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from learning.models import RollupReport, RollupRun
    from learning.rollup import build_content
    from learning.services import rollup_run

    if connection.vendor != "postgresql":
        raise SystemExit("The bench runs on PostgreSQL.")
    day = timezone.localdate() - datetime.timedelta(days=1)
    print(
        f"\n== Roll-up, scale {scale:g}: database {connection.settings_dict['NAME']}, day {day} ==",
        flush=True,
    )
    with CaptureQueriesContext(connection) as captured:
        build_content(day)
    queries = [sql for query in captured.captured_queries if (sql := plain_select(query["sql"]))]

    RollupRun.objects.filter(day=day).delete()
    RollupReport.objects.filter(day=day).delete()
    started = time.perf_counter()
    run = rollup_run(day=day)
    rollup_seconds = time.perf_counter() - started
    # Read now: the plain SQL below fetches every row at once, which the roll-up never does.
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
    started = time.perf_counter()
    again = rollup_run(day=day)
    again_seconds = time.perf_counter() - started
    sql_seconds = plain_sql_seconds(queries)

    outcome = {
        "day": day.isoformat(),
        "status": run.status,
        "second_run_status": again.status,
        "rollup_seconds": round(rollup_seconds, 3),
        "second_run_seconds": round(again_seconds, 3),
        "sql_seconds": round(sql_seconds, 3),
        "sql_queries": len(queries),
        "ratio_to_sql": round(rollup_seconds / sql_seconds, 2),
        "peak_mb": round(peak_mb, 1),
        "report_bytes": len(json.dumps(run.report.content)),
    }
    print(
        f"rollup_run {outcome['rollup_seconds']} s ({run.status}; again {again_seconds:.2f} s, {again.status}); "
        f"plain SQL {outcome['sql_seconds']} s in {len(queries)} queries; "
        f"ratio {outcome['ratio_to_sql']}; peak {outcome['peak_mb']} MB",
        flush=True,
    )
    Path(result_path).write_text(json.dumps(outcome))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--load", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--scale", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.load:
        return load_child(options.scale)
    if options.measure:
        return measure_child(options.scale, options.result)
    return parent()


if __name__ == "__main__":
    sys.exit(main())
