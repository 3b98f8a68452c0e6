"""``make bench-summaries``: the public learning pages and the publication e-mail on PostgreSQL.

On a fresh database, ``hubportal_bench_summaries`` (``BENCH_SUMMARIES_DATABASE_URL`` moves
it), loads the demo data, then publishes summaries through the services in two steps (to
``BENCH_SUMMARIES_FEW``, 50, then ``BENCH_SUMMARIES_MANY``, 500) and after each times, as
the public, in-process with DEBUG off: the list, the list filtered by theme and by hub, a
summary page, its changes page and the Atom feed (p50/p95 over ``BENCH_REQUESTS``, 30, and
queries per request), and once the PDF. Then it e-mails a publication to 1,000 subscribers
(locmem backend: the portal's own cost, not an SMTP server's). The last line is one JSON object.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

from pg_admin import fresh_database  # bench/ is on the path when a bench script runs

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/hubportal_bench_summaries"
TARGETS_MS = {
    "list": 200,
    "list_by_theme": 200,
    "list_by_hub": 200,
    "summary": 100,
    "changes": 100,
    "feed": 200,
}
SUBSCRIBERS = 1_000


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # kilobytes on Linux


def publish_up_to(count: int, writer, reviewer) -> None:
    """Published summaries until there are ``count``, each edited once so it has two versions."""
    from hubs.models import Hub
    from innovations.models import Innovation
    from learning.models import LearningNote, LearningSummary
    from learning.summaries import summary_create, summary_publish, summary_submit, summary_update

    hubs, innovations = list(Hub.objects.all()), list(Innovation.objects.all())
    notes, domains = list(LearningNote.objects.all()[:20]), LearningNote.Domain.values
    for n in range(LearningSummary.objects.count(), count):
        fields = {
            "title": f"Bench summary {n}: what hub {n % len(hubs)} learned",
            "standfirst": "Enrolment rose where practices had a named champion.",
            "body": "## What happened\n\n"
            + "Practices with a **named champion** enrolled more people. " * 40,
            "theme_codes": [domains[n % len(domains)], domains[(n + 2) % len(domains)]],
            "audience": "public",
            "hubs": hubs[n % len(hubs) : n % len(hubs) + 2],
            "innovations": innovations[n % len(innovations) : n % len(innovations) + 2],
            "cited_notes": notes[n % len(notes) : n % len(notes) + 3],
        }
        summary = summary_create(by=writer, **fields)
        for step in range(2):
            if step:
                fields["body"] += "\n\nA paragraph added in the second version."
                summary_update(summary=summary, by=writer, version=summary.version, **fields)
            summary_submit(summary=summary, by=writer)
            summary_publish(summary=summary, by=reviewer)


def time_page(client, url: str, requests: int) -> dict:
    from django.db import connection

    queries = []
    # Counted by a wrapper: the request_started signal empties Django's own query log.
    with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)):
        response = client.get(url, secure=True)
    assert response.status_code == 200, (url, response.status_code)
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get(url, secure=True)
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "p50_ms": round(statistics.median(samples), 1),
        "p95_ms": round(samples[min(len(samples) - 1, int(0.95 * len(samples)))], 1),
        "queries": len(queries),
    }


def pages(summary) -> dict[str, str]:
    from django.urls import reverse

    hub = summary.live_version.hubs.first()
    return {
        "list": reverse("learning:summary_list"),
        "list_by_theme": reverse("learning:summary_list") + "?theme=inner_setting",
        "list_by_hub": reverse("learning:summary_list") + f"?hub={hub.slug}",
        "summary": summary.get_absolute_url(),
        "changes": reverse("learning:summary_changes", args=[summary.slug, 2]),
        "feed": reverse("learning:feed"),
    }


def time_pages(requests: int) -> dict:
    from django.test import Client
    from django.urls import reverse

    from learning.models import LearningSummary

    client = Client()
    summary = LearningSummary.objects.filter(title__startswith="Bench").order_by("pk").first()
    result = {name: time_page(client, url, requests) for name, url in pages(summary).items()}
    started = time.perf_counter()
    pdf = client.get(reverse("learning:summary_pdf", args=[summary.slug]), secure=True)
    result["pdf"] = {"ms": round((time.perf_counter() - started) * 1000, 1), "bytes": len(pdf.content)}
    return result


def time_publication_emails(writer, reviewer) -> dict:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core import mail

    from learning.emails import publication_emails_send
    from learning.models import LearningSummary, SummaryEmailPreference

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"subscriber-{n}", email=f"subscriber-{n}@example.org")
        for n in range(SUBSCRIBERS)
    )
    SummaryEmailPreference.objects.bulk_create(
        SummaryEmailPreference(user=user, frequency=SummaryEmailPreference.Frequency.EACH) for user in users
    )
    version = LearningSummary.objects.filter(title__startswith="Bench").first().live_version
    mail.outbox = []
    started = time.perf_counter()
    sent = publication_emails_send(version_id=version.pk)
    return {"sent": sent, "seconds": round(time.perf_counter() - started, 2), "peak_mb": peak_mb()}


def main() -> int:
    url = os.environ.get("BENCH_SUMMARIES_DATABASE_URL", DEFAULT_URL)
    if not url.startswith(("postgres://", "postgresql://")):
        print(
            "make bench-summaries runs on PostgreSQL: set BENCH_SUMMARIES_DATABASE_URL to a postgres:// address."
        )
        return 2
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    sys.path.insert(0, str(ROOT))
    fresh_database(url)

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("seed_demo", verbosity=0)
    users = get_user_model().objects
    writer, reviewer = users.get(username="ahsn-admin"), users.get(username="ahsn-admin-2")
    requests = env_int("BENCH_REQUESTS", 30)
    results: dict = {}
    for label, count in (
        ("few", env_int("BENCH_SUMMARIES_FEW", 50)),
        ("many", env_int("BENCH_SUMMARIES_MANY", 500)),
    ):
        started = time.perf_counter()
        publish_up_to(count, writer, reviewer)
        print(f"{count} summaries published ({time.perf_counter() - started:.1f} s)", flush=True)
        results[f"{label}_{count}"] = time_pages(requests)
        print(json.dumps(results[f"{label}_{count}"]), flush=True)
    results["publication_emails"] = time_publication_emails(writer, reviewer)
    few, many = (results[key] for key in results if key.startswith(("few", "many")))
    results["targets_met"] = {
        **{f"{page}_p95_le_{ms}_ms": many[page]["p95_ms"] <= ms for page, ms in TARGETS_MS.items()},
        "queries_same_at_both_sizes": all(
            few[page]["queries"] == many[page]["queries"] for page in TARGETS_MS
        ),
    }
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
