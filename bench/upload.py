"""``make bench-upload``: how long a 100,000-row upload takes to check and to import on PostgreSQL.

Runs the functions the Celery tasks run (``evaluation.uploads.check_upload_by_id`` and
``import_upload_by_id``, progress writes included) on a fresh database,
``hubportal_bench_upload`` (``BENCH_UPLOAD_DATABASE_URL`` moves it), which it drops and
creates again each run so every run starts from the same empty state.

The file: one adoption with 5 indicators (3 counts, a percentage, an amount), each
month a total and IMD quintiles 1–5 for each indicator (30 rows a month), counts over
999 written with thousands separators, until there are ``BENCH_UPLOAD_ROWS`` (100,000)
rows. A hundred thousand valid rows for one adoption need 3,334 months, so the adoption
is dated from the 1740s: the cost depends on the number of rows, not on the dates.

Phases timed: check (all new), import (100,000 new figures), check again (all
unchanged), and import of the same file with every figure changed. Peak memory is the
process's peak resident size after each phase. The last line printed is one JSON object.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import os
import resource
import sys
import time
from pathlib import Path

from pg_admin import fresh_database  # bench/ is on the path when a bench script runs

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/hubportal_bench_upload"
ROWS = int(os.environ.get("BENCH_UPLOAD_ROWS") or 100_000)
METRICS = (
    ("people-enrolled", "People enrolled", "reach", "people", "count"),
    ("bp-controlled", "Blood pressure controlled to target", "effectiveness", "%", "percentage"),
    ("staff-trained", "Staff trained", "adoption", "people", "count"),
    ("sites-live", "Sites using it", "implementation", "sites", "count"),
    ("cost-per-patient", "Cost per patient", "maintenance", "£", "amount"),
)


def peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # kilobytes on Linux


def months_back(count: int) -> list[datetime.date]:
    """``count`` first-of-months, oldest first, ending last month."""
    from django.utils import timezone

    month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    months = []
    for _ in range(count):
        months.append(month)
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    return months[::-1]


def file_of_figures(rows: int, *, bump: int = 0) -> tuple[bytes, datetime.date]:
    """The CSV, and the first month in it (the adoption must start by then)."""
    per_month = len(METRICS) * 6
    months = months_back(-(-rows // per_month))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["metric", "month", "imd_quintile", "value", "numerator", "denominator"])
    written = 0
    for index, month in enumerate(months):
        for code, _name, _dimension, _unit, kind in METRICS:
            for quintile in ("", "1", "2", "3", "4", "5"):
                if written == rows:
                    break
                # Every figure moves with ``bump``; a quintile's counts stay well within its month's total.
                seed = index * 7 + len(quintile) * 13
                if kind == "percentage" and quintile:
                    row = ["", seed % 30 + bump, 40 + seed % 10 + bump]
                elif kind == "percentage":
                    row = ["", 100 + (seed + bump) % 50, 200 + (seed + bump) % 50]
                elif kind == "amount":
                    row = [f"{120 + (seed + bump) % 40}.50", "", ""]
                elif quintile:
                    row = [f"{100 + seed % 100 + bump}", "", ""]
                else:
                    row = [f"{900 + (seed + bump) % 400:,}", "", ""]
                writer.writerow([code, f"{month:%Y-%m}", quintile, *row])
                written += 1
    return buffer.getvalue().encode(), months[0]


def build_adoption(started_on: datetime.date):
    from evaluation.models import Indicator, Metric
    from tests.factories import AdoptionFactory, HubFactory, member_of

    hub = HubFactory(name="Upload bench hub", slug="upload-bench")
    adoption = AdoptionFactory(hub=hub, started_on=started_on)
    for code, name, dimension, unit, kind in METRICS:
        metric, _ = Metric.objects.get_or_create(
            code=code, defaults={"name": name, "dimension": dimension, "unit": unit, "kind": kind}
        )
        Indicator.objects.create(adoption=adoption, metric=metric)
    return adoption, member_of(hub, username="upload-bench")


def timed(label: str, run) -> dict:
    started = time.perf_counter()
    run()
    seconds = round(time.perf_counter() - started, 2)
    result = {"seconds": seconds, "peak_rss_mb": peak_mb()}
    print(f"{label:<34} {seconds:>7.2f} s   peak RSS so far {result['peak_rss_mb']:>7.1f} MB", flush=True)
    return result


def main() -> int:
    url = os.environ.get("BENCH_UPLOAD_DATABASE_URL", DEFAULT_URL)
    if not url.startswith(("postgres://", "postgresql://")):
        print("make bench-upload runs on PostgreSQL: set BENCH_UPLOAD_DATABASE_URL to a postgres:// address.")
        return 2
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    sys.path.insert(0, str(ROOT))
    fresh_database(url)

    import django

    django.setup()
    from django.core.management import call_command

    from evaluation import uploads
    from evaluation.models import Measurement, MeasurementUpload

    call_command("migrate", interactive=False, verbosity=0)
    content, first_month = file_of_figures(ROWS)
    changed_content, _ = file_of_figures(ROWS, bump=1)
    adoption, user = build_adoption(first_month)
    print(
        f"{ROWS:,} rows ({len(content) / 1024 / 1024:.1f} MB of CSV) for one adoption with "
        f"{len(METRICS)} indicators; peak RSS before: {peak_mb()} MB",
        flush=True,
    )

    def upload_of(data: bytes) -> MeasurementUpload:
        return MeasurementUpload.objects.create(
            adoption=adoption, uploaded_by=user, file_name="bench.csv", file_size=len(data), content=data
        )

    def check_then_import(data: bytes, expect: str) -> tuple[dict, dict]:
        upload = upload_of(data)
        check = timed(f"check ({expect})", lambda: uploads.check_upload_by_id(upload.pk))
        upload.refresh_from_db()
        assert upload.status == "checked" and upload.counts[expect] == ROWS, (upload.status, upload.counts)
        assert uploads.start_import(upload)
        done = timed(f"import ({expect})", lambda: uploads.import_upload_by_id(upload.pk))
        upload.refresh_from_db()
        assert upload.status == "imported", (upload.status, upload.message)
        return check, done

    results = {}
    results["check_new"], results["import_new"] = check_then_import(content, "new")
    assert Measurement.objects.filter(indicator__adoption=adoption).count() == ROWS
    upload = upload_of(content)
    results["check_unchanged"] = timed(
        "check again (unchanged)", lambda: uploads.check_upload_by_id(upload.pk)
    )
    results["check_changed"], results["import_changed"] = check_then_import(changed_content, "changed")
    report = {
        "rows": ROWS,
        "csv_mb": round(len(content) / 1024 / 1024, 2),
        "database": "postgresql",
        **results,
        "check_and_import_new_seconds": round(
            results["check_new"]["seconds"] + results["import_new"]["seconds"], 2
        ),
        "peak_rss_mb": peak_mb(),
        "machine": {"cpus": os.cpu_count(), "load_average_1m": os.getloadavg()[0]},
    }
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
