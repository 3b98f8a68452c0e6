"""``make bench-reminders``: ``send_reminders`` over every hub's every indicator at scale 1, timed.

It uses the page bench's scale-1 database (``hubportal_bench``, ``BENCH_DATABASE_URL``),
loading ``generate_scale_data`` there first if scale 1 is not loaded (the page bench's own
loader, in its own process). Then, in a fresh process:

1. People to remind, made for the run (usernames ``bench-reminders-…``): a lead for each
   scale hub that has none, and three members per hub who own three indicators in five
   (the other two fall to the lead, as ``evaluation.owners`` rules).
2. The day: three working days before the due date of the month after the data's last month,
   so every indicator of every hub has that month due and no figure for it.
3. ``reminders_send`` for that day, timed, with the process's peak resident size
   (``ru_maxrss``, Django included) read just after; then the same day again, which must send 0.
4. Everything the run made is removed again: its reminders, their e-mails' outbox items, its
   people (their memberships and ownerships go with them), so the scale data can be reloaded.

E-mail promises go to a broker folder of the run's own, never to a worker's. Prints a line,
then one JSON object, last. Targets: at most 60 s and 200 MB; the second run sends 0.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import database_url, ensure_database  # noqa: E402

SCALE = 1.0
TARGET_SECONDS = 60
TARGET_MB = 200
PREFIX = "bench-reminders-"
MEMBERS_PER_HUB = 3
OWNED_IN_FIVE = 3  # indicators with id % 5 < 3 get an owner; the others are the lead's


def run_child(mode: str, url: str, result: str | None = None, broker_dir: str | None = None) -> int:
    env = {**os.environ, "DATABASE_URL": url}
    env.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    if broker_dir:
        env["CELERY_BROKER_URL"] = "filesystem://"
        env["HUBPORTAL_BROKER_DIR"] = broker_dir
    command = [sys.executable, str(Path(__file__)), f"--{mode}"]
    if result:
        command += ["--result", result]
    return subprocess.run(command, env=env, cwd=ROOT, check=False).returncode


def parent() -> int:
    started_load = os.getloadavg()[0]
    url = database_url(SCALE)
    if not url.startswith(("postgres://", "postgresql://")):
        print("make bench-reminders runs on PostgreSQL: set BENCH_DATABASE_URL to a postgres:// address.")
        return 2
    ensure_database(url)
    if status := run_child("load", url):
        print(f"Loading scale 1 failed (exit status {status}).")
        return status
    broker_dir = tempfile.mkdtemp(prefix="bench-reminders-broker-")
    try:
        with tempfile.NamedTemporaryFile(suffix=".json") as result_file:
            if status := run_child("measure", url, result_file.name, broker_dir):
                print(f"The reminders bench failed (exit status {status}).")
                return status
            result = json.loads(Path(result_file.name).read_text())
    finally:
        shutil.rmtree(broker_dir, ignore_errors=True)
    result["targets_met"] = {
        f"seconds_le_{TARGET_SECONDS}": result["seconds"] <= TARGET_SECONDS,
        f"peak_mb_le_{TARGET_MB}": result["peak_mb"] <= TARGET_MB,
        "second_run_sends_0": result["second_run_sent"] == 0,
    }
    result["machine"] = {
        "cpus": os.cpu_count(),
        "load_average_1m": {"start": started_load, "end": os.getloadavg()[0]},
    }
    print()
    print(json.dumps(result))
    return 0


def load_child() -> int:
    import django

    django.setup()
    from bench.run import load

    load(SCALE)
    return 0


def make_people(programme) -> int:
    """A lead for each hub without one, and members who own three indicators in five; how many people."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.db.models.functions import Mod

    from evaluation.models import Indicator
    from hubs.models import Hub, Membership

    User = get_user_model()
    hubs = list(Hub.objects.filter(programme=programme).order_by("pk"))
    led = set(Membership.objects.leads().filter(hub__in=hubs).values_list("hub", flat=True))
    with transaction.atomic():
        users, memberships = [], []
        for hub in hubs:
            names = [f"{PREFIX}{hub.pk}-{n}" for n in range(MEMBERS_PER_HUB)]
            if hub.pk not in led:
                names.append(f"{PREFIX}{hub.pk}-lead")
            for name in names:
                user = User(username=name, email=f"{name}@example.org", first_name="Bench", last_name=name)
                user.set_unusable_password()
                users.append(user)
        User.objects.bulk_create(users)
        by_name = {user.username: user for user in User.objects.filter(username__startswith=PREFIX)}
        for hub in hubs:
            for n in range(MEMBERS_PER_HUB):
                member = by_name[f"{PREFIX}{hub.pk}-{n}"]
                memberships.append(Membership(hub=hub, user=member, role=Membership.Role.MEMBER))
                Indicator.objects.filter(adoption__hub=hub).alias(slot=Mod("id", 5)).filter(slot=n).update(
                    owner=member
                )
            if (lead := by_name.get(f"{PREFIX}{hub.pk}-lead")) is not None:
                memberships.append(Membership(hub=hub, user=lead, role=Membership.Role.LEAD))
        Membership.objects.bulk_create(memberships)
    return len(users)


def remove_what_the_run_made(keys_like: list[str]) -> None:
    """The run's reminders (anyone's: a hub's existing lead gets some too), their e-mails' outbox items, its people."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.db.models import Q

    from notifications.models import Notification
    from outbox.models import OutboxItem

    with transaction.atomic():
        reminders = Notification.objects.filter(
            Q(recipient__username__startswith=PREFIX) | Q(key__in=keys_like)
        )
        ids = list(reminders.values_list("pk", flat=True))
        for start in range(0, len(ids), 1000):
            OutboxItem.objects.filter(
                key__in=[f"notification-email:{pk}" for pk in ids[start : start + 1000]]
            ).delete()
        Notification.objects.filter(pk__in=ids).delete()
        # Their memberships go with them, and the indicators they owned fall back to no owner.
        get_user_model().objects.filter(username__startswith=PREFIX).delete()


def measure_child(result_path: str) -> int:
    import django

    django.setup()
    from django.db import connection

    from core.months import add_months
    from demo.scale import scale_programme
    from evaluation.calendar import due_date, reminder_from
    from evaluation.models import Indicator, Measurement
    from evaluation.reminders import reminders_send
    from hubs.models import Membership

    if connection.vendor != "postgresql":
        raise SystemExit("The bench runs on PostgreSQL.")
    programme = scale_programme()
    last = (
        Measurement.objects.filter(indicator__adoption__hub__programme=programme)
        .order_by("-period")
        .values_list("period", flat=True)
        .first()
    )
    period = add_months(last, 1)
    day = reminder_from(due_date(period, programme))
    # The hubs' own leads (the page bench's hub member, say) are reminded too: their reminders go as well.
    leads = Membership.objects.leads().filter(hub__programme=programme).values_list("user", flat=True)
    keys_like = [f"figures-due:{period:%Y-%m}:{user_id}" for user_id in leads]
    remove_what_the_run_made(keys_like)  # a run stopped half-way left them
    indicators = Indicator.objects.filter(
        adoption__hub__programme=programme, adoption__archived=False
    ).count()
    print(
        f"\n== send_reminders at scale 1: database {connection.settings_dict['NAME']}, {indicators} indicators, "
        f"{period:%B %Y} due {due_date(period, programme)}, run on {day} ==",
        flush=True,
    )
    try:
        people = make_people(programme)
        started = time.perf_counter()
        first = reminders_send(day)
        seconds = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
        started = time.perf_counter()
        second = reminders_send(day)
        second_seconds = time.perf_counter() - started
    finally:
        remove_what_the_run_made(keys_like)
    outcome = {
        "date": day.isoformat(),
        "month": f"{period:%Y-%m}",
        "indicators": indicators,
        "people_made": people,
        "seconds": round(seconds, 2),
        "peak_mb": round(peak_mb, 1),
        "sent": first.sent,
        "skipped_already_sent": first.skipped_already_sent,
        "second_run_seconds": round(second_seconds, 2),
        "second_run_sent": second.sent,
        "second_run_skipped_already_sent": second.skipped_already_sent,
    }
    print(
        f"reminders_send {outcome['seconds']} s, peak {outcome['peak_mb']} MB, sent {first.sent}; "
        f"again {outcome['second_run_seconds']} s, sent {second.sent} ({second.skipped_already_sent} already sent)",
        flush=True,
    )
    Path(result_path).write_text(json.dumps(outcome))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--load", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.load:
        return load_child()
    if options.measure:
        return measure_child(options.result)
    return parent()


if __name__ == "__main__":
    sys.exit(main())
