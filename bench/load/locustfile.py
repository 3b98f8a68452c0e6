"""``make load``'s scenario: hub staff, evaluators, AHSN admins and the public on one portal at once.

Run by ``bench/load/run.py``, which prepares the database and the accounts (``LOAD_ACCOUNTS``, a
JSON file from ``setup_data.prepare``) and reads what this file leaves in ``LOAD_RESULTS``.

- **Hub staff** (each its own account and adoption): enter figures in the monthly grid for a
  month, and upload a small CSV file of figures (check, then import), and read their adoption.
- **Evaluators**: open the review queue, open one indicator-month and approve it (or return it
  with a note).
- **AHSN admins**: write a learning summary and send it for review; publish one another admin sent.
- **The public**: read ``/learning/``, a summary, and the Atom feed.

Every client signs in through the real login page with a CSRF token from it. Every request is
named by its route (``/evaluation/adoptions/<adoption>/figures/<month>/``), never by an id, and
redirects are followed by hand, so each page is timed on its own. Each figure a client is told
was saved is recorded (``helpers.Write``) for the lost-write check.
"""

from __future__ import annotations

import json
import os
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

from locust import HttpUser, between, events, task

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.load.helpers import (  # noqa: E402
    Write,
    checkbox_values,
    csrf_token,
    error_summary,
    form_inputs,
    locked_cells,
    new_figures,
    open_cells,
)

ACCOUNTS = json.loads(Path(os.environ["LOAD_ACCOUNTS"]).read_text())
RESULTS = Path(os.environ["LOAD_RESULTS"])
PASSWORD = ACCOUNTS["password"]
MONTHS = ACCOUNTS["months"]
GROUPS = ACCOUNTS["groups"]  # national breakdown group id → [breakdown code, group code]
RUN = ACCOUNTS.get("run", str(int(time.time())))
WAIT = between(float(os.environ.get("LOAD_WAIT_MIN", 2)), float(os.environ.get("LOAD_WAIT_MAX", 6)))

# Pages, by route.
LOGIN = "/accounts/login/"
HOME = "/"
ADOPTION = "/innovations/adoptions/<adoption>/"
GRID = "/evaluation/adoptions/<adoption>/figures/<month>/"
UPLOAD = "/evaluation/adoptions/<adoption>/upload/"
PREVIEW = "/evaluation/adoptions/<adoption>/upload/<upload>/"
IMPORT = "/evaluation/adoptions/<adoption>/upload/<upload>/import/"
QUEUE = "/evaluation/review/"
REVIEW = "/evaluation/indicators/<indicator>/review/<month>/"
MANAGE = "/learning/summaries/"
NEW_SUMMARY = "/learning/summaries/new/"
SUMMARY_MANAGE = "/learning/summaries/<summary>/"
SUBMIT = "/learning/summaries/<summary>/submit/"
PUBLISH = "/learning/summaries/<summary>/publish/"
LIST = "/learning/"
SUMMARY = "/learning/<slug>/"
FEED = "/learning/feed/"

REVIEW_LINK = re.compile(r'href="(/evaluation/indicators/\d+/review/\d{4}-\d{2}/)"')
SUMMARY_LINK = re.compile(r'class="nhsuk-card__link" href="(/learning/[a-z0-9-]+/)"')
UPLOAD_PAGE = re.compile(r"/evaluation/adoptions/\d+/upload/(\d+)/$")
SUMMARY_PAGE = re.compile(r"/learning/summaries/(\d+)/$")
# A save refused because someone else changed the figure first (an evaluator approved it
# between the page and the save): the portal refusing a conflict, as it should; not an error.
CONFLICT = re.compile(r"Someone else changed this figure|approved and locked|Someone saved figures")
RETURN_NOTE = "Please check this month's figures against the source data (load test)."

SAMPLES: list[tuple[str, float, bool, float]] = []  # page, ms, failed, when it started
WRITES: list[Write] = []
OUTCOMES: Counter[str] = Counter()
IN_REVIEW: list[tuple[int, str]] = []  # summaries sent for review: (id, who sent it)
NEXT_ACCOUNT: Counter[str] = Counter()
RANDOM = random.Random()


@events.request.add_listener
def _sample(request_type, name, response_time, exception, start_time=None, **kwargs):
    started = start_time if start_time is not None else time.time() - response_time / 1000
    SAMPLES.append((f"{request_type} {name}", response_time, exception is not None, started))


@events.test_stop.add_listener
def _write_results(**kwargs):
    RESULTS.write_text(
        json.dumps(
            {
                "samples": SAMPLES,
                "writes": [write.as_dict() for write in WRITES],
                "outcomes": dict(OUTCOMES),
            }
        )
    )


def _next_account(role: str) -> dict:
    accounts = ACCOUNTS[role]
    index = NEXT_ACCOUNT[role]
    NEXT_ACCOUNT[role] += 1
    if index >= len(accounts):
        raise RuntimeError(f"more {role} clients than {role} accounts ({len(accounts)})")
    return accounts[index]


def expect_status(status: int):
    return lambda response: (
        None if response.status_code == status else f"{response.status_code}, not {status}"
    )


def saved_or_conflict(response):
    """A grid save: saved (a redirect), or refused because someone changed a figure first."""
    if response.status_code == 302 or (response.status_code == 200 and CONFLICT.search(response.text)):
        return None
    return f"{response.status_code}: the grid was refused: {error_summary(response.text)[:300]}"


def _upload_page(expected: str):
    def ok(response):
        if response.status_code != 200:
            return f"{response.status_code}, not 200"
        if expected in response.text or CONFLICT.search(error_summary(response.text)):
            return None
        return f"not {expected!r}: {error_summary(response.text)[:300]}"

    return ok


checked_or_conflict = _upload_page("Check the figures before importing")
imported_or_conflict = _upload_page("Figures imported")


def redirect_to(pattern: re.Pattern):
    def ok(response):
        if response.status_code == 302 and pattern.search(response.headers.get("Location", "")):
            return None
        return f"{response.status_code}: no redirect to {pattern.pattern}"

    return ok


class PortalUser(HttpUser):
    abstract = True
    wait_time = WAIT
    role = ""

    def call(self, method: str, url: str, name: str, ok, **kwargs):
        """One request, redirects not followed; a failure when ``ok(response)`` names a problem."""
        with self.client.request(
            method, url, name=name, allow_redirects=False, catch_response=True, **kwargs
        ) as response:
            problem = ok(response)
            if problem:
                response.failure(f"{method} {url}: {problem}")
            return response

    def get(self, url: str, name: str):
        return self.call("GET", url, name, expect_status(200))

    def post(self, url: str, name: str, data, ok=None, **kwargs):
        return self.call("POST", url, name, ok or expect_status(302), data=data, **kwargs)

    def follow(self, response, name: str):
        """GET where a POST redirected, as a browser would; returns that page's response."""
        return self.get(response.headers["Location"], name)

    def on_start(self):
        self.account = _next_account(self.role)
        self.username = self.account["username"]
        page = self.get(LOGIN, LOGIN)
        data = {"csrfmiddlewaretoken": csrf_token(page.text), "username": self.username, "password": PASSWORD}
        self.post(LOGIN, LOGIN, data)
        self.get(HOME, HOME)


class HubMember(PortalUser):
    """Enters and uploads its own adoption's figures: no other client writes those cells."""

    role = "staff"
    fixed_count = len(ACCOUNTS["staff"])

    def on_start(self):
        super().on_start()
        self.adoption = self.account["adoption"]
        self.kinds = {int(pk): spec["kind"] for pk, spec in self.account["indicators"].items()}
        self.codes = {int(pk): spec["code"] for pk, spec in self.account["indicators"].items()}
        self.seq = 0

    def _grid(self, month: str, breakdown: str = ""):
        url = f"/evaluation/adoptions/{self.adoption}/figures/{month}/" + (
            f"?breakdown={breakdown}" if breakdown else ""
        )
        return url, self.get(url, GRID)

    def _record(self, figures: list[tuple[int, int | None, dict]], month: str, sent: float, via: str):
        acked = time.time()
        for indicator, group, figure in figures:
            WRITES.append(
                Write(
                    client=self.username,
                    seq=self.seq,
                    indicator=indicator,
                    period=f"{month}-01",
                    group=group,
                    sent=sent,
                    acked=acked,
                    via=via,
                    **figure,
                )
            )
        OUTCOMES[f"figures saved ({via})"] += len(figures)

    @task(4)
    def enter_figures(self):
        month = random.choice(MONTHS)
        url, page = self._grid(month)
        if page.status_code != 200:
            return
        inputs = form_inputs(page.text)
        cells = open_cells(inputs)
        if not cells:
            OUTCOMES["grids with every figure approved"] += 1
            return
        chosen = random.sample(cells, random.randint(1, len(cells)))
        figures = new_figures(inputs, self.kinds, chosen, RANDOM, locked_cells(page.text))
        if not figures:
            return
        self.seq += 1
        sent = time.time()
        response = self.post(url, GRID, inputs, ok=saved_or_conflict)
        if response.status_code == 302:
            self._record(figures, month, sent, "grid")
            self.follow(response, GRID)
        elif CONFLICT.search(response.text):
            OUTCOMES["grid saves refused as conflicts"] += 1

    @task(1)
    def upload_figures(self):
        month = random.choice(MONTHS)
        _, page = self._grid(month, breakdown="imd")
        if page.status_code != 200:
            return
        inputs = form_inputs(page.text)
        cells = open_cells(inputs)
        if not cells:
            OUTCOMES["grids with every figure approved"] += 1
            return
        chosen = random.sample(cells, min(len(cells), random.randint(2, 8)))
        figures = new_figures(inputs, self.kinds, chosen, RANDOM, locked_cells(page.text))
        if not figures:
            return
        lines = ["metric,month,breakdown,group,value,numerator,denominator"]
        for indicator, group, figure in figures:
            parts = [figure["value"], figure["numerator"], figure["denominator"]]
            row = [self.codes[indicator], month, *(GROUPS[str(group)] if group else ["", ""])]
            lines.append(",".join(row + ["" if part is None else str(part) for part in parts]))
        upload_url = f"/evaluation/adoptions/{self.adoption}/upload/"
        form = self.get(upload_url, UPLOAD)
        self.seq += 1
        sent = time.time()
        received = self.post(
            upload_url,
            UPLOAD,
            {"csrfmiddlewaretoken": csrf_token(form.text)},
            ok=redirect_to(UPLOAD_PAGE),
            files={"file": ("figures.csv", "\r\n".join(lines).encode(), "text/csv")},
        )
        if received.status_code != 302:
            return
        preview = self.call("GET", received.headers["Location"], PREVIEW, checked_or_conflict)
        if "Check the figures before importing" not in preview.text or "Import " not in preview.text:
            OUTCOMES["uploads refused at the check as conflicts"] += 1
            return
        imported = self.post(
            received.headers["Location"] + "import/",
            IMPORT,
            {"csrfmiddlewaretoken": csrf_token(preview.text)},
        )
        if imported.status_code != 302:
            return
        done = self.call("GET", imported.headers["Location"], PREVIEW, imported_or_conflict)
        if "Figures imported" in done.text:
            self._record(figures, month, sent, "upload")
        else:
            OUTCOMES["uploads refused at the import as conflicts"] += 1

    @task(1)
    def read_adoption(self):
        self.get(f"/innovations/adoptions/{self.adoption}/", ADOPTION)


class Evaluator(PortalUser):
    """Approves (three times in four) or returns with a note an indicator-month from the queue."""

    role = "evaluators"
    fixed_count = len(ACCOUNTS["evaluators"])

    @task
    def review(self):
        queue = self.get(QUEUE + random.choice(["", "", "?page=2"]), QUEUE)
        links = REVIEW_LINK.findall(queue.text)
        if not links:
            OUTCOMES["empty review queue pages"] += 1
            return
        url = random.choice(links)
        page = self.get(url, REVIEW)
        data = {"csrfmiddlewaretoken": csrf_token(page.text), "action": "approve"}
        if random.random() < 0.25:
            data.update(action="return", note=RETURN_NOTE)
        response = self.post(url, REVIEW, data)
        if response.status_code == 302:
            OUTCOMES[
                "indicator-months returned" if data["action"] == "return" else "indicator-months approved"
            ] += 1
            self.follow(response, REVIEW)


class AhsnAdmin(PortalUser):
    """Drafts summaries and sends them for review; publishes those another admin sent."""

    role = "admins"
    fixed_count = len(ACCOUNTS["admins"])

    def on_start(self):
        super().on_start()
        self.written = 0

    @task(1)
    def write_and_submit(self):
        form = self.get(NEW_SUMMARY, NEW_SUMMARY)
        self.written += 1
        hubs = checkbox_values(form.text, "hubs")
        themes = checkbox_values(form.text, "theme_codes")
        data = {
            "csrfmiddlewaretoken": csrf_token(form.text),
            "title": f"Load test {RUN}: what {self.username} learned, part {self.written}",
            "standfirst": "Enrolment rose where practices had a named champion (load test).",
            "body": "## What happened\n\nPractices with a **named champion** enrolled more people.\n",
            "theme_codes": random.sample(themes, min(2, len(themes))),
            "hubs": random.sample(hubs, min(1, len(hubs))),
            "audience": "public",
        }
        created = self.post(NEW_SUMMARY, NEW_SUMMARY, data, ok=redirect_to(SUMMARY_PAGE))
        if created.status_code != 302:
            return
        pk = int(SUMMARY_PAGE.search(created.headers["Location"]).group(1))
        self.follow(created, SUMMARY_MANAGE)
        step = self.get(f"/learning/summaries/{pk}/submit/", SUBMIT)
        sent = self.post(
            f"/learning/summaries/{pk}/submit/", SUBMIT, {"csrfmiddlewaretoken": csrf_token(step.text)}
        )
        if sent.status_code != 302:
            return
        self.follow(sent, SUMMARY_MANAGE)
        IN_REVIEW.append((pk, self.username))
        OUTCOMES["summaries sent for review"] += 1

    @task(2)
    def publish(self):
        theirs = [item for item in IN_REVIEW if item[1] != self.username]
        if not theirs:
            self.get(MANAGE, MANAGE)
            return
        item = random.choice(theirs)
        IN_REVIEW.remove(item)
        pk = item[0]
        self.get(f"/learning/summaries/{pk}/", SUMMARY_MANAGE)
        step = self.get(f"/learning/summaries/{pk}/publish/", PUBLISH)
        published = self.post(
            f"/learning/summaries/{pk}/publish/", PUBLISH, {"csrfmiddlewaretoken": csrf_token(step.text)}
        )
        if published.status_code != 302:
            return
        page = self.follow(published, SUMMARY_MANAGE)
        if "Published as version" in page.text:
            OUTCOMES["summaries published"] += 1

    @task(1)
    def manage(self):
        self.get(MANAGE, MANAGE)


class Reader(PortalUser):
    """The public: no account; reads the list of published summaries, a summary, and the feed."""

    fixed_count = int(ACCOUNTS.get("public", 0))

    def on_start(self):
        self.summaries: list[str] = []

    @task(3)
    def read_list(self):
        page = self.get(LIST, LIST)
        self.summaries = SUMMARY_LINK.findall(page.text) or self.summaries

    @task(3)
    def read_summary(self):
        if not self.summaries:
            self.read_list()
        if self.summaries:
            self.get(random.choice(self.summaries), SUMMARY)

    @task(1)
    def read_feed(self):
        self.get(FEED, FEED)
