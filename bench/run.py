"""``make bench``: page timings on PostgreSQL at scale 1 and scale 2 (see bench/README.md).

The parent process makes one database per scale (``hubportal_bench``,
``hubportal_bench_scale2``, …) and runs itself once per database as a child, because
Django reads ``DATABASE_URL`` once per process. Each child migrates, loads
``generate_scale_data`` at its scale (or reuses a load already there at that scale),
signs in each kind of user the pages need and times each page in ``PAGES`` in-process
with Django's test client: warm-ups first (their queries are counted), then timed
requests with nothing capturing, each one just after a request by the same client to
the *floor*, the cheapest signed-in page, so every page's p95 can be given as a multiple
of a floor timed on the same machine at the same moments. The parent prints every
child's lines, a table, then one JSON object, last.

Environment: ``BENCH_DATABASE_URL`` (the scale-1 database; the others add
``_scale<N>``), ``BENCH_SCALES`` (default ``1,2``), ``BENCH_REQUESTS`` (30 per page),
``BENCH_WARMUPS`` (3 per address), ``BENCH_EXPLAIN=1`` to print EXPLAIN ANALYZE of
each page's slowest query.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from functools import cached_property
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit, urlunsplit

# bench/ is on the path when a bench script runs
from pg_admin import ensure_database
from timing import percentile, same_queries_at_every_scale, summarise

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/hubportal_bench"
SAMPLES_PER_PAGE = 6  # different indicators and adoptions per page
# The floor: the cheapest signed-in page. Django's own password change form is the base layout
# with its header and a form of three fields, the same for every role and left alone by every
# feature (the e-mail preferences page, tried first, grows with each kind of notice a role gets).
FLOOR_URL_NAME = "password_change"

# Who requests a page. Each is signed in once per scale, with one test client for all its pages.
EVALUATOR = "evaluator"
HUB_MEMBER = "hub member"  # the lead of one scale hub (``Records.hub``): every indicator there is theirs


class Page(NamedTuple):
    """One page the bench times: its name in the output, who asks for it, and the addresses it is timed on.

    ``addresses`` gets the scale data's ``Records`` and returns a few addresses (of
    different records where a page shows one record), requested in turn. ``target_ms``
    is the p95 the page must meet: one number for every scale timed, or one per scale.
    """

    name: str
    user: str
    addresses: Callable[[Records], list[str]]
    target_ms: int | Mapping[float, int] | None = None

    def targets(self, timed_scales: list[str]) -> dict[str, int]:
        """The p95 target, by scale label, at each of ``timed_scales`` the page has one for."""
        if self.target_ms is None:
            return {}
        if isinstance(self.target_ms, int):
            return dict.fromkeys(timed_scales, self.target_ms)
        return {label(scale): ms for scale, ms in self.target_ms.items() if label(scale) in timed_scales}


def reverse(name: str, *args) -> str:
    from django.urls import reverse as django_reverse

    return django_reverse(name, args=args)


def each(url_name: str, records: list) -> list[str]:
    """The page's address for each record: a primary key, or a tuple of the URL's arguments."""
    return [reverse(url_name, *(record if isinstance(record, tuple) else (record,))) for record in records]


def summary_addresses(records: Records) -> list[str]:
    """The summary board as it opens, the next page, the two filters people use most, and by innovation."""
    summary = reverse("evaluation:summary")
    return [
        summary,
        f"{summary}?page=2",
        f"{summary}?signal=concern",
        f"{summary}?sort=latest",
        f"{summary}?group=innovation",
    ]


def funnel_addresses(records: Records) -> list[str]:
    """The funnel of the metric every scale adoption reports, so every hub is on it: 12 months, and all 36.

    The last indicator slot of the scale data holds one metric (a percentage), so each of the
    adoptions reports it: 50 hubs pooling 100 adoptions each at scale 1, 100 hubs at scale 2.
    """
    from core.months import add_months, last_complete_month
    from demo.scale import MONTHS, SLOTS

    (code,) = SLOTS[-1]
    funnel = reverse("evaluation:funnel", code)
    last = last_complete_month()
    return [funnel, f"{funnel}?first={add_months(last, 1 - MONTHS):%Y-%m}&last={last:%Y-%m}"]


# Adding a page to the bench is one line here. An address whose URL name is not there yet
# (NoReverseMatch) leaves its page out of the run, and the output says so.
PAGES: list[Page] = [
    Page("summary", EVALUATOR, summary_addresses, 150),
    Page("indicator", EVALUATOR, lambda r: each("evaluation:indicator", r.indicators), {1: 100}),
    Page("indicator_events", EVALUATOR, lambda r: each("evaluation:indicator", r.annotated_indicators), 150),
    Page("adoption", EVALUATOR, lambda r: each("innovations:adoption", r.adoptions)),
    Page("todo_hub_member", HUB_MEMBER, lambda r: [reverse("home")], 100),
    Page("todo_evaluator", EVALUATOR, lambda r: [reverse("home")], 100),
    Page("review_hub_month", EVALUATOR, lambda r: each("evaluation:review_hub_month", r.hub_months), 100),
    Page("funnel", EVALUATOR, funnel_addresses, 150),
    Page("hub_spend", EVALUATOR, lambda r: [reverse("value:hub_spend", r.HUB_SLUG)], 100),
    Page("spend_overview", EVALUATOR, lambda r: [reverse("value:spend_overview")], 100),
    Page("engagement_network", EVALUATOR, lambda r: [reverse("hubs:network")]),
    Page("hub_benefits", EVALUATOR, lambda r: [reverse("value:hub_benefits", r.HUB_SLUG)], 100),
    Page("adoption_benefits", EVALUATOR, lambda r: each("value:adoption_benefits", r.adoptions), 100),
]


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
    floors: dict[str, dict] = {}
    load_seconds: dict[str, dict] = {}
    not_there: set[str] = set()
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
        floors[label(scale)] = outcome["floor"]
        load_seconds[label(scale)] = outcome["load"]
        not_there.update(outcome["not_there"])

    print()
    warnings = mark_same_queries(results)
    print_table(results, floors)
    for line in warnings:
        print(line)
    report = {
        **results,
        "floor": floors,
        "pages_not_there_yet": sorted(not_there),
        "load_seconds": load_seconds,
        "targets_met": targets_met(results),
        # Timings are wall-clock on a shared machine: say how busy it was.
        "machine": {
            "cpus": os.cpu_count(),
            "load_average_1m": {"start": started_load, "end": os.getloadavg()[0]},
        },
    }
    print()
    print(json.dumps(report))
    return 0


def mark_same_queries(results: dict[str, dict]) -> list[str]:
    """Set ``same_queries_at_every_scale`` on each page at each scale; a warning line per page that differs.

    A page whose query count grows with the data runs a query per row somewhere: the
    time it costs grows with the data too, whatever one run's milliseconds say.
    """
    warnings = []
    for page in PAGES:
        queries = {
            scale: pages[page.name]["queries"] for scale, pages in results.items() if page.name in pages
        }
        same = same_queries_at_every_scale(queries)
        for pages in results.values():
            if page.name in pages:
                pages[page.name]["same_queries_at_every_scale"] = same
        if not same:
            counted = ", ".join(f"{count} at {scale.replace('_', ' ')}" for scale, count in queries.items())
            warnings.append(f"WARNING: {page.name} does not run the same queries at every scale: {counted}.")
    return warnings


def targets_met(results: dict[str, dict]) -> dict[str, bool]:
    """Each page's p95 target at each scale it has one for, and its queries the same at every scale."""
    met = {}
    for page in PAGES:
        timed_scales = [scale for scale, pages in results.items() if page.name in pages]
        for scale, limit in page.targets(timed_scales).items():
            met[f"{page.name}_p95_le_{limit}_ms_at_{scale}"] = results[scale][page.name]["p95_ms"] <= limit
        timed_at = [pages[page.name] for pages in results.values() if page.name in pages]
        if timed_at:
            met[f"{page.name}_queries_same_at_every_scale"] = timed_at[0]["same_queries_at_every_scale"]
    return met


def times(ratio: float | None) -> str:
    return "n/a" if ratio is None else f"{ratio:.2f}x"


def print_table(results: dict[str, dict], floors: dict[str, dict]) -> None:
    """p95 in milliseconds and as a multiple of the floor's, and queries, per page and scale."""
    names = [page.name for page in PAGES if any(page.name in pages for pages in results.values())]
    width = max(len("floor"), *map(len, names))
    print("p95 in ms (x the p95 of the floor requests interleaved with the page), queries per request")
    print(f"{'page':<{width}}" + "".join(f"  {scale:<26}" for scale in results))
    cells = [f"{floor['p95_ms']:7.1f} ms {'':9}{floor['queries']:3d} q" for floor in floors.values()]
    print(f"{'floor':<{width}}" + "".join(f"  {cell:<26}" for cell in cells))
    for name in names:
        cells = [
            f"{timed['p95_ms']:7.1f} ms ({times(timed['p95_ratio_to_floor']):>6}) {timed['queries']:3d} q"
            if (timed := pages.get(name))
            else "not timed"
            for pages in results.values()
        ]
        print(f"{name:<{width}}" + "".join(f"  {cell:<26}" for cell in cells))


# --------------------------------------------------------------------------------------
# Child: load one scale into one database and time the pages
# --------------------------------------------------------------------------------------


def load(scale: float) -> dict:
    from django.core.management import call_command

    from demo.scale import generate_scale_data, loaded_scale, scale_programme
    from hubs.models import Membership

    call_command("migrate", interactive=False, verbosity=0)
    programme = scale_programme()
    if programme is not None and loaded_scale(programme) == scale:
        print(f"Reusing the scale {scale:g} data already in this database (no load).", flush=True)
        return {"seconds": None, "reused": True}
    # The bench's own hub membership is the one row people-like the reload would refuse to delete.
    Membership.objects.filter(user__username=BENCH_USERNAMES[HUB_MEMBER]).delete()
    started = time.perf_counter()
    generate_scale_data(scale=scale, replace=True, log=lambda line: print(line, flush=True))
    seconds = round(time.perf_counter() - started, 1)
    print(f"Loaded scale {scale:g} in {seconds} s (commit included).", flush=True)
    return {"seconds": seconds, "reused": False}


class Records:
    """The scale data's records that pages' addresses name, each looked up once, when first asked for.

    The same records at every scale where they can be: the hub member's hub is
    "Scale hub 1" (100 adoptions, 500 indicators, at any scale).
    """

    HUB_SLUG = "scale-hub-1"

    def __init__(self, programme):
        self.programme = programme

    @cached_property
    def indicators(self) -> list[int]:
        """Several indicators; half of them count people reached: the longest pages (IMD rows too)."""
        from demo.scale import REACH_COUNT
        from evaluation.models import Indicator

        indicators = list(
            Indicator.objects.filter(adoption__hub__programme=self.programme)
            .order_by("pk")
            .values_list("pk", "metric__code")
        )
        reach = [pk for pk, code in indicators if code == REACH_COUNT]
        other = [pk for pk, code in indicators if code != REACH_COUNT]
        half = SAMPLES_PER_PAGE // 2
        return spread(reach, half) + spread(other, SAMPLES_PER_PAGE - half)

    @cached_property
    def annotated_indicators(self) -> list[int]:
        """Indicators whose charts mark the most events: a rebase, and three or more notes on the adoption."""
        from django.db.models import Count

        from evaluation.models import Indicator

        indicators = (
            Indicator.objects.filter(adoption__hub__programme=self.programme, rebase_points__isnull=False)
            .annotate(notes=Count("adoption__notes"))
            .filter(notes__gte=3)
            .order_by("pk")
        )
        found = list(indicators.values_list("pk", flat=True))
        if not found:
            raise SystemExit(
                "The scale data has no rebased indicators with notes: it was loaded before "
                "generate_scale_data made them. Drop the bench database to load it again."
            )
        return spread(found, SAMPLES_PER_PAGE)

    @cached_property
    def adoptions(self) -> list[int]:
        from innovations.models import Adoption

        adoptions = Adoption.objects.filter(hub__programme=self.programme).order_by("pk")
        return spread(list(adoptions.values_list("pk", flat=True)), SAMPLES_PER_PAGE)

    @cached_property
    def hub(self):
        from hubs.models import Hub

        return Hub.objects.get(programme=self.programme, slug=self.HUB_SLUG)

    @cached_property
    def hub_months(self) -> list[tuple[str, str]]:
        """(hub slug, YYYY-MM) of the hub's months with figures awaiting review, latest first: two at most."""
        from evaluation.models import Measurement

        months = (
            Measurement.objects.filter(indicator__adoption__hub=self.hub, status=Measurement.Status.SUBMITTED)
            .values_list("period", flat=True)
            .distinct()
            .order_by("-period")[:2]
        )
        return [(self.hub.slug, month.strftime("%Y-%m")) for month in months]


def spread(items: list, count: int) -> list:
    """``count`` items evenly spaced through the list (all of them if there are fewer)."""
    if len(items) <= count:
        return list(items)
    step = len(items) / count
    return [items[int(step * n + step / 2)] for n in range(count)]


BENCH_USERNAMES = {EVALUATOR: "bench-evaluator", HUB_MEMBER: "bench-hub-member"}


def signed_in_client(who: str, records: Records):
    """A test client signed in as the bench's own user of that kind, made in the bench database if missing."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client

    from hubs.access import EVALUATORS
    from hubs.models import Membership

    user, _ = get_user_model().objects.get_or_create(
        username=BENCH_USERNAMES[who], defaults={"first_name": "Bench", "last_name": who.title()}
    )
    if who == EVALUATOR:
        user.groups.add(Group.objects.get_or_create(name=EVALUATORS)[0])
    elif who == HUB_MEMBER:
        Membership.objects.get_or_create(user=user, hub=records.hub, defaults={"role": Membership.Role.LEAD})
    client = Client()
    client.force_login(user)
    return client


def timed_get(client, url: str) -> float:
    """Milliseconds for one request, refusing any answer but 200."""
    started = time.perf_counter()
    response = client.get(url, secure=True)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}, not 200.")
    return elapsed


def time_page(client, page: str, urls: list[str], floor: str, *, warmups: int, requests: int, explain: bool):
    """Time ``urls`` in turn, each request just after one to ``floor`` by the same client.

    Returns the page's result and the floor's timings (for the floor's own line).
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # An address's queries are the fewest any warm-up ran: a request that finds a cache cold
    # (the header's to-do count, kept a minute) runs more, once, at any scale. A query per row
    # runs in every request, so the fewest still shows it.
    query_counts: dict[str, int] = {}
    slowest: tuple[float, str] = (0.0, "")
    for url in [floor, *urls]:
        for _ in range(warmups):
            with CaptureQueriesContext(connection) as captured:
                timed_get(client, url)
            query_counts[url] = min(len(captured), query_counts.get(url, len(captured)))
        if url != floor:
            for query in captured.captured_queries:
                slowest = max(slowest, (float(query["time"]), query["sql"]))
    floor_queries = query_counts.pop(floor)

    timings, floor_timings = [], []
    for n in range(requests):
        floor_timings.append(timed_get(client, floor))
        timings.append(timed_get(client, urls[n % len(urls)]))

    by_address = {
        url: round(statistics.median(timings[n :: len(urls)]), 1)
        for n, url in enumerate(urls)
        if timings[n :: len(urls)]
    }
    queries = max(query_counts.values())
    result = {**summarise(timings, floor_timings), "queries": queries}
    spread_note = "" if len(set(query_counts.values())) == 1 else f" (from {min(query_counts.values())})"
    print(
        f"  {page:<16} p50 {result['p50_ms']:7.1f} ms  p95 {result['p95_ms']:7.1f} ms"
        f" = {times(result['p95_ratio_to_floor'])} floor ({result['floor_p95_ms']:.1f} ms)  "
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
    return result, floor_timings, floor_queries


def child(scale: float, result_path: str) -> int:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.urls import NoReverseMatch

    from demo.scale import scale_programme

    if connection.vendor != "postgresql" or settings.DEBUG:
        raise SystemExit("The bench runs on PostgreSQL with DEBUG off.")
    print(f"\n== Scale {scale:g}: database {connection.settings_dict['NAME']} ==", flush=True)
    load_outcome = load(scale)
    records = Records(scale_programme())
    floor = reverse(FLOOR_URL_NAME)
    clients: dict[str, object] = {}
    warmups, requests = env_int("BENCH_WARMUPS", 3), env_int("BENCH_REQUESTS", 30)
    explain = os.environ.get("BENCH_EXPLAIN") == "1"
    pages, not_there = {}, []
    all_floor_timings, floor_queries = [], {}
    print(f"  floor: {floor}, requested by the same client before each request to a page", flush=True)
    for page in PAGES:
        try:
            urls = page.addresses(records)
        except NoReverseMatch as missing:
            print(f"  {page.name:<16} not timed: its address is not there yet ({missing}).", flush=True)
            not_there.append(page.name)
            continue
        if page.user not in clients:
            clients[page.user] = signed_in_client(page.user, records)
        pages[page.name], floor_timings, floor_queries[page.user] = time_page(
            clients[page.user], page.name, urls, floor, warmups=warmups, requests=requests, explain=explain
        )
        all_floor_timings += floor_timings
    floor_result = {
        "url": floor,
        "p50_ms": round(statistics.median(all_floor_timings), 1),
        "p95_ms": round(percentile(all_floor_timings, 0.95), 1),
        "queries": max(floor_queries.values()),
        "requests": len(all_floor_timings),
    }
    print(
        f"  {'floor':<16} p50 {floor_result['p50_ms']:7.1f} ms  p95 {floor_result['p95_ms']:7.1f} ms  "
        f"{floor_result['queries']} queries  over all {len(all_floor_timings)} floor requests",
        flush=True,
    )
    Path(result_path).write_text(
        json.dumps({"pages": pages, "floor": floor_result, "load": load_outcome, "not_there": not_there})
    )
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
