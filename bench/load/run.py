"""``make load``: 50 simulated users for 2 minutes against gunicorn, PostgreSQL, Redis and Celery.

1. Drops and creates ``hubportal_load`` (``LOAD_DATABASE_URL``), migrates it, loads the demo
   data (``seed_demo``) and the load test's own accounts and adoptions (``setup_data``).
2. Starts, on the loopback address only, ``gunicorn --workers 3`` and a Celery worker
   (Redis databases 2 and 3: ``LOAD_BROKER_URL``, ``LOAD_REDIS_URL``, emptied first), with
   ``bench.load.settings``: the production settings, DEBUG off, over plain HTTP.
3. Runs Locust headless (``bench/load/locustfile.py``): ``LOAD_USERS`` users (50), spawned
   ``LOAD_SPAWN_RATE`` a second (2), for ``LOAD_RUN_TIME`` (2m), then stops the servers.
4. Checks every figure the clients were told was saved against the database (lost writes),
   and prints one JSON object last: requests, errors, p50/p95 per page, lost writes, targets.

Logs (gunicorn, the worker, Locust's table and error report) go to ``var/load/``.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.load.helpers import Write, lost_writes, page_stats  # noqa: E402
from bench.pg_admin import fresh_database  # noqa: E402

BIN = Path(sys.executable).parent
OUT = ROOT / "var" / "load"
TARGET_P95_MS = 500
LOGIN = "/accounts/login/"


def env(name: str, default: str) -> str:
    return os.environ.get(name) or default


DATABASE_URL = env("LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hubportal_load")
BROKER_URL = env("LOAD_BROKER_URL", "redis://127.0.0.1:6379/2")
REDIS_URL = env("LOAD_REDIS_URL", "redis://127.0.0.1:6379/3")
PORT = int(env("LOAD_PORT", "8765"))
USERS = int(env("LOAD_USERS", "50"))
STAFF = int(env("LOAD_STAFF", str(round(USERS * 0.48))))
EVALUATORS = int(env("LOAD_EVALUATORS", str(round(USERS * 0.12))))
ADMINS = int(env("LOAD_ADMINS", str(max(2, round(USERS * 0.12)))))
PUBLIC = USERS - STAFF - EVALUATORS - ADMINS
SPAWN_RATE = env("LOAD_SPAWN_RATE", "2")
RUN_TIME = env("LOAD_RUN_TIME", "2m")
WORKERS = env("LOAD_GUNICORN_WORKERS", "3")
PASSWORD = "load-test-password-not-secret"

SERVER_ENV = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "bench.load.settings",
    "DATABASE_URL": DATABASE_URL,
    "CELERY_BROKER_URL": BROKER_URL,
    "REDIS_URL": REDIS_URL,
    "HUBPORTAL_EMAIL_FILE_PATH": str(OUT / "outbox"),
    "HUBPORTAL_SITE_URL": f"http://127.0.0.1:{PORT}",
    "PYTHONPATH": str(ROOT),
}


def say(message: str) -> None:
    print(message, flush=True)


def prepare() -> dict:
    """A fresh database with the demo data and the load accounts; Redis databases emptied."""
    import redis

    for url in (BROKER_URL, REDIS_URL):
        redis.Redis.from_url(url).flushdb()
    say(f"Fresh database {DATABASE_URL.rsplit('/', 1)[1]}")
    fresh_database(DATABASE_URL)
    os.environ.update({k: v for k, v in SERVER_ENV.items() if k != "PYTHONPATH"})
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    from bench.load.setup_data import prepare as prepare_accounts

    accounts = prepare_accounts(staff=STAFF, evaluators=EVALUATORS, admins=ADMINS, password=PASSWORD)
    accounts["public"] = PUBLIC
    accounts["run"] = time.strftime("%Y%m%d-%H%M%S")
    from django.db import connections

    connections.close_all()  # leave the database to the servers
    say(
        f"Seeded: demo data, {STAFF} hub members (an adoption each), {EVALUATORS} evaluators, {ADMINS} AHSN admins"
    )
    return accounts


def start(command: list[str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=SERVER_ENV,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, stopped as one
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_until_up(server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}: see {OUT / 'gunicorn.log'}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


class CpuMeter:
    """CPU seconds used while Locust runs: by the server, the worker, the load database's backends,
    Locust itself, and everything else on the machine (other people's work shares these 2 cores)."""

    def __init__(self, server: subprocess.Popen, worker: subprocess.Popen, database: str):
        import psutil

        self.psutil, self.database = psutil, database
        self.roots = {"gunicorn": server.pid, "celery_worker": worker.pid}
        self.start = self.sample()

    def _tree(self, pid: int) -> list:
        try:
            root = self.psutil.Process(pid)
            return [root, *root.children(recursive=True)]
        except self.psutil.NoSuchProcess:
            return []

    def sample(self) -> dict:
        def used(process) -> float:
            try:
                times = process.cpu_times()
                return times.user + times.system
            except self.psutil.Error:
                return 0.0

        per_process = {name: {p.pid: used(p) for p in self._tree(pid)} for name, pid in self.roots.items()}
        per_process["postgres_" + self.database] = {
            p.pid: used(p)
            for p in self.psutil.process_iter(["cmdline"])
            if f" {self.database} " in " ".join(p.info["cmdline"] or []) + " "
        }
        machine = self.psutil.cpu_times()
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return {
            "groups": per_process,
            "busy": machine.user
            + machine.nice
            + machine.system
            + machine.irq
            + machine.softirq
            + machine.steal,
            "reaped_children": children.ru_utime + children.ru_stime,  # Locust, once it has exited
        }

    def report(self, seconds: float) -> dict:
        end = self.sample()
        used = {
            name: sum(cpu - self.start["groups"][name].get(pid, 0.0) for pid, cpu in pids.items())
            for name, pids in end["groups"].items()
        }
        used["locust"] = end["reaped_children"] - self.start["reaped_children"]
        busy = end["busy"] - self.start["busy"]
        report = {name: round(value, 1) for name, value in used.items()}
        report["everything_else"] = round(busy - sum(used.values()), 1)
        report["machine_busy"] = round(busy, 1)
        report["machine_available"] = round(seconds * (os.cpu_count() or 1), 1)
        return report


def saved_figures(writes: list[Write]) -> dict[tuple, tuple]:
    """What the database holds now for every cell a client wrote."""
    from evaluation.models import Measurement

    cells = {write.cell for write in writes}
    saved = {}
    indicator_ids = {cell[0] for cell in cells}
    rows = Measurement.objects.filter(indicator__in=indicator_ids).values_list(
        "indicator_id", "period", "group_id", "value", "numerator", "denominator"
    )
    for indicator, period, group, value, numerator, denominator in rows:
        cell = (indicator, period.isoformat(), group)
        if cell in cells:
            saved[cell] = (value, numerator, denominator)
    return saved


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(OUT / "outbox", ignore_errors=True)
    accounts = prepare()
    accounts_file, results_file = OUT / "accounts.json", OUT / "results.json"
    accounts_file.write_text(json.dumps(accounts))
    results_file.unlink(missing_ok=True)

    bind = f"127.0.0.1:{PORT}"
    server = start(
        [str(BIN / "gunicorn"), "hubportal.wsgi", "--bind", bind, "--workers", WORKERS, "--timeout", "60"],
        OUT / "gunicorn.log",
    )
    worker = start(
        [str(BIN / "celery"), "-A", "hubportal", "worker", "--concurrency", "1", "--loglevel", "WARNING"]
        + ["-Q", "hubportal-load", "--without-gossip", "--without-mingle"],
        OUT / "celery.log",
    )
    load_before = os.getloadavg()[0]
    try:
        wait_until_up(server)
        say(
            f"gunicorn ({WORKERS} workers) on http://{bind}, a Celery worker; Locust: {USERS} users for {RUN_TIME}"
        )
        meter = CpuMeter(server, worker, DATABASE_URL.rsplit("/", 1)[1])
        started = time.monotonic()
        locust = subprocess.run(
            [str(BIN / "locust"), "-f", str(ROOT / "bench" / "load" / "locustfile.py"), "--headless"]
            + ["--users", str(USERS), "--spawn-rate", SPAWN_RATE, "--run-time", RUN_TIME]
            + ["--host", f"http://{bind}", "--stop-timeout", "20", "--only-summary"]
            + ["--loglevel", "WARNING", "--logfile", str(OUT / "locust.log")],
            cwd=ROOT,
            env={**SERVER_ENV, "LOAD_ACCOUNTS": str(accounts_file), "LOAD_RESULTS": str(results_file)},
            stdout=(OUT / "locust-summary.txt").open("wb"),
            stderr=subprocess.STDOUT,
            timeout=30 * 60,
        )
        seconds = time.monotonic() - started
        load_after = os.getloadavg()[0]
        cpu_seconds = meter.report(seconds)
    finally:
        stop(server)
        stop(worker)
    if not results_file.exists():
        raise SystemExit(f"Locust left no results (exit {locust.returncode}): see {OUT / 'locust.log'}")

    results = json.loads(results_file.read_text())
    # What the Celery worker did: each publication e-mailed to those who asked (one message each).
    results["outcomes"]["e-mails sent by the worker"] = sum(
        line.startswith("Subject: ")
        for path in (OUT / "outbox").glob("*.log")
        for line in path.read_text(errors="replace").splitlines()
    )
    writes = [Write.from_dict(write) for write in results["writes"]]
    checked = lost_writes(writes, saved_figures(writes))
    pages = page_stats(results["samples"])
    # The same after the last sign-in ended: each sign-in holds a gunicorn worker for a million
    # PBKDF2 rounds, so while clients sign in every page waits behind them.
    samples = results["samples"]
    signed_in = max(
        (start + ms / 1000 for name, ms, _, start in samples if name == f"POST {LOGIN}"), default=0
    )
    first = min((start for *_, start in samples), default=0)
    after_sign_in = page_stats(sample for sample in samples if sample[3] >= signed_in)
    requests = sum(page["requests"] for page in pages.values())
    errors = sum(page["errors"] for page in pages.values())
    slow = sorted(name for name, page in pages.items() if page["p95_ms"] > TARGET_P95_MS)
    for name, page in pages.items():
        say(
            f"{name:70} {page['requests']:6} {page['errors']:4} p50 {page['p50_ms']:7} p95 {page['p95_ms']:7}"
        )
    say(
        f"Locust's own table and error report: {OUT / 'locust-summary.txt'}; server errors: {OUT / 'gunicorn.log'}"
    )
    print(
        json.dumps(
            {
                "users": {"total": USERS, "hub_staff": STAFF, "evaluators": EVALUATORS,
                          "ahsn_admins": ADMINS, "public": PUBLIC},
                "run_seconds": round(seconds, 1),
                "requests": requests,
                "requests_per_second": round(requests / seconds, 1),
                "errors": errors,
                "pages": pages,
                "outcomes": results["outcomes"],
                "lost_writes": checked["lost"],
                "writes_checked": {k: checked[k] for k in ("checked", "kept", "replaced")},
                "lost_write_examples": checked["lost_examples"],
                "targets_met": {
                    "no_errors": errors == 0,
                    "no_lost_writes": checked["lost"] == 0,
                    f"every_page_p95_le_{TARGET_P95_MS}_ms": not slow,
                },
                "pages_over_p95_target": slow,
                "after_the_last_sign_in": {
                    "from_second": round(signed_in - first, 1),
                    "requests": sum(page["requests"] for page in after_sign_in.values()),
                    "pages_over_p95_target": sorted(
                        name for name, page in after_sign_in.items() if page["p95_ms"] > TARGET_P95_MS
                    ),
                    "p95_ms": {name: page["p95_ms"] for name, page in after_sign_in.items()},
                },
                "cpu_seconds": cpu_seconds,
                "machine": {"cpus": os.cpu_count(),
                            "load_average_1m": {"start": round(load_before, 2), "end": round(load_after, 2)}},
            }
        )
    )  # fmt: skip


if __name__ == "__main__":
    main()
