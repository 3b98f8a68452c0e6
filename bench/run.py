"""``make bench``: page timings on PostgreSQL at scale 1 and scale 2 (see bench/README.md).

The parent process makes one database per scale (``hubportal_bench``,
``hubportal_bench_scale2``, …) and runs itself once per database as a child, because
Django reads ``DATABASE_URL`` once per process. Each child migrates, loads
``generate_scale_data`` at its scale (or reuses a load already there at that scale),
signs in an evaluator and times each page in-process with Django's test client:
warm-ups first (their queries are counted), then timed requests with nothing
capturing. The parent prints every child's lines, then one JSON object, last.

Environment: ``BENCH_DATABASE_URL`` (the scale-1 database; the others add
``_scale<N>``), ``BENCH_SCALES`` (default ``1,2``), ``BENCH_REQUESTS`` (30),
``BENCH_WARMUPS`` (3 per address), ``BENCH_EXPLAIN=1`` to print EXPLAIN ANALYZE of
each page's slowest query.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from pg_admin import ensure_database  # bench/ is on the path when a bench script runs

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/hubportal_bench"
TARGETS_MS = {"summary": 200, "indicator": 100}  # p95 at scale 1
PAGES = ("summary", "indicator", "adoption")
SAMPLES_PER_PAGE = 6  # different indicators and adoptions per page


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def scales() -> list[float]:
    return [float(s) for s in os.environ.get("BENCH_SCALES", "1,2").split(",") if s.strip()]


def label(scale: float) -> str:
    return f"scale_{scale:g}".replace(".", "_")


def database_url(scale: float) -> str:
    base = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    if scale == 1:
        return base
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"{parts.path}_{label(scale).replace('_', '', 1)}"))


# --------------------------------------------------------------------------------------
# Parent: one database and one child process per scale, then the JSON
# --------------------------------------------------------------------------------------


def parent() -> int:
    started_load = os.getloadavg()[0]
    results: dict[str, dict] = {}
    load_seconds: dict[str, dict] = {}
    for scale in scales():
        url = database_url(scale)
        if not url.startswith(("postgres://", "postgresql://")):
            print("make bench runs on PostgreSQL: set BENCH_DATABASE_URL to a postgres:// address.")
            return 2
        ensure_database(url)
        with tempfile.NamedTemporaryFile(suffix=".json") as result_file:
            env = {**os.environ, "DATABASE_URL": url}
            env.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
            child = [sys.executable, str(Path(__file__)), "--child", "--scale", f"{scale:g}"]
            completed = subprocess.run([*child, "--result", result_file.name], env=env, cwd=ROOT, check=False)
            if completed.returncode:
                print(f"The bench at scale {scale:g} failed (exit status {completed.returncode}).")
                return completed.returncode
            outcome = json.loads(Path(result_file.name).read_text())
        results[label(scale)] = outcome["pages"]
        load_seconds[label(scale)] = outcome["load"]

    first = results[label(scales()[0])]
    targets_met = {
        f"{page}_p95_le_{limit}_ms": page in first and first[page]["p95_ms"] <= limit
        for page, limit in TARGETS_MS.items()
    }
    for page in PAGES:
        counts = {pages[page]["queries"] for pages in results.values() if page in pages}
        targets_met[f"{page}_queries_same_at_every_scale"] = len(counts) == 1
    report = {
        **results,
        "load_seconds": load_seconds,
        "targets_met": targets_met,
        # Timings are wall-clock on a shared machine: say how busy it was.
        "machine": {
            "cpus": os.cpu_count(),
            "load_average_1m": {"start": started_load, "end": os.getloadavg()[0]},
        },
    }
    print()
    print(json.dumps(report))
    return 0


# --------------------------------------------------------------------------------------
# Child: load one scale into one database and time the pages
# --------------------------------------------------------------------------------------


def percentile(samples: list[float], share: float) -> float:
    """Nearest-rank percentile: the smallest sample with at least ``share`` of them at or below it."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def load(scale: float) -> dict:
    from django.core.management import call_command

    from demo.scale import generate_scale_data, loaded_scale, scale_programme

    call_command("migrate", interactive=False, verbosity=0)
    programme = scale_programme()
    if programme is not None and loaded_scale(programme) == scale:
        print(f"Reusing the scale {scale:g} data already in this database (no load).", flush=True)
        return {"seconds": None, "reused": True}
    started = time.perf_counter()
    generate_scale_data(scale=scale, replace=True, log=lambda line: print(line, flush=True))
    seconds = round(time.perf_counter() - started, 1)
    print(f"Loaded scale {scale:g} in {seconds} s (commit included).", flush=True)
    return {"seconds": seconds, "reused": False}


def addresses() -> dict[str, list[str]]:
    """The addresses each page is timed on: a few views of the summary, several records of the others."""
    from django.urls import NoReverseMatch, reverse

    from demo.scale import REACH_COUNT, scale_programme
    from evaluation.models import Indicator
    from innovations.models import Adoption

    programme = scale_programme()
    indicators = list(
        Indicator.objects.filter(adoption__hub__programme=programme)
        .order_by("pk")
        .values_list("pk", "metric__code")
    )
    # Half of them count people reached: those pages are the longest (IMD rows too).
    reach = [pk for pk, code in indicators if code == REACH_COUNT]
    other = [pk for pk, code in indicators if code != REACH_COUNT]
    half = SAMPLES_PER_PAGE // 2
    picked_indicators = spread(reach, half) + spread(other, SAMPLES_PER_PAGE - half)
    adoptions = list(
        Adoption.objects.filter(hub__programme=programme).order_by("pk").values_list("pk", flat=True)
    )
    pages = {
        "indicator": [reverse("evaluation:indicator", args=[pk]) for pk in picked_indicators],
        "adoption": [
            reverse("innovations:adoption", args=[pk]) for pk in spread(adoptions, SAMPLES_PER_PAGE)
        ],
    }
    try:
        summary = reverse("evaluation:summary")
    except NoReverseMatch:
        print("The cross-hub summary page is not there yet: timing the other pages only.", flush=True)
    else:
        # The first page as it opens, the next page, and the two filters people use most.
        pages = {
            "summary": [summary, f"{summary}?page=2", f"{summary}?signal=concern", f"{summary}?sort=latest"]
        } | pages
    return pages


def spread(items: list, count: int) -> list:
    """``count`` items evenly spaced through the list (all of them if there are fewer)."""
    if len(items) <= count:
        return list(items)
    step = len(items) / count
    return [items[int(step * n + step / 2)] for n in range(count)]


def evaluator_client():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client

    from hubs.access import EVALUATORS

    user, _ = get_user_model().objects.get_or_create(
        username="bench-evaluator", defaults={"first_name": "Bench", "last_name": "Evaluator"}
    )
    user.groups.add(Group.objects.get_or_create(name=EVALUATORS)[0])
    client = Client()
    client.force_login(user)
    return client


def time_page(client, page: str, urls: list[str], *, warmups: int, requests: int, explain: bool) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    query_counts: dict[str, int] = {}
    slowest: tuple[float, str] = (0.0, "")
    for url in urls:
        for _ in range(warmups):
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url, secure=True)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}, not 200.")
            query_counts[url] = len(captured)
        for query in captured.captured_queries:
            slowest = max(slowest, (float(query["time"]), query["sql"]))

    timings = []
    for n in range(requests):
        url = urls[n % len(urls)]
        started = time.perf_counter()
        response = client.get(url, secure=True)
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}, not 200.")

    by_address = {
        url: round(statistics.median(timings[n :: len(urls)]), 1)
        for n, url in enumerate(urls)
        if timings[n :: len(urls)]
    }
    queries = max(query_counts.values())
    result = {
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(percentile(timings, 0.95), 1),
        "queries": queries,
    }
    spread_note = "" if len(set(query_counts.values())) == 1 else f" (from {min(query_counts.values())})"
    print(
        f"  {page:<10} p50 {result['p50_ms']:7.1f} ms  p95 {result['p95_ms']:7.1f} ms  "
        f"{queries} queries{spread_note}  over {requests} requests on {len(urls)} addresses; "
        f"slowest query {slowest[0] * 1000:.1f} ms",
        flush=True,
    )
    print("    p50 by address: " + ", ".join(f"{url} {ms} ms" for url, ms in by_address.items()), flush=True)
    if explain and slowest[1]:
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {slowest[1]}")
            plan = "\n".join(f"      {line}" for (line,) in cursor.fetchall())
        print(f"    slowest query: {slowest[1]}\n{plan}", flush=True)
    return result


def child(scale: float, result_path: str) -> int:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql" or settings.DEBUG:
        raise SystemExit("The bench runs on PostgreSQL with DEBUG off.")
    print(f"\n== Scale {scale:g}: database {connection.settings_dict['NAME']} ==", flush=True)
    load_outcome = load(scale)
    client = evaluator_client()
    warmups, requests = env_int("BENCH_WARMUPS", 3), env_int("BENCH_REQUESTS", 30)
    explain = os.environ.get("BENCH_EXPLAIN") == "1"
    pages = {
        page: time_page(client, page, urls, warmups=warmups, requests=requests, explain=explain)
        for page, urls in addresses().items()
    }
    Path(result_path).write_text(json.dumps({"pages": pages, "load": load_outcome}))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--scale", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        return child(options.scale, options.result)
    return parent()


if __name__ == "__main__":
    sys.exit(main())
