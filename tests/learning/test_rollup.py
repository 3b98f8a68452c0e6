"""The nightly roll-up: each section's figures on a small hand-made data set, as of the day,
once per day, whole or not at all."""

import datetime
import threading
import time
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from evaluation.models import Measurement, Metric, PopulationShare
from evaluation.vocabulary import ETHNIC_GROUP
from hubportal.celery import app
from innovations.models import StageTransition
from innovations.stages import Stage
from learning import rollup
from learning.models import LearningNote, RollupReport, RollupRun
from learning.services import content_hash, rollup_run
from learning.tasks import nightly_rollup
from notifications.models import Kind, Notification
from tests.factories import (
    AdoptionFactory,
    HubFactory,
    IndicatorFactory,
    InnovationFactory,
    LearningNoteFactory,
    MeasurementFactory,
    MetricFactory,
    PlusGroupFactory,
    ProgrammeFactory,
    UserFactory,
    ahsn_admin,
    breakdown_group,
    imd,
)

D = datetime.date(2025, 6, 15)  # the day under test
P = datetime.date(2025, 6, 10)  # the previous report's day


def at(day: datetime.date, hour: int = 12, minute: int = 0) -> datetime.datetime:
    """An instant on ``day``, London time."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def month(year: int, number: int) -> datetime.date:
    return datetime.date(year, number, 1)


def approved(indicator, period, reviewed_on, *, value=None, quintile=None, group=None):
    return MeasurementFactory(
        indicator=indicator,
        period=period,
        value=Decimal(value),
        group=imd(quintile) if quintile else group,
        status=Measurement.Status.APPROVED,
        reviewed_at=at(reviewed_on),
    )


def population_share(hub, group, share: str, *, on: datetime.date) -> PopulationShare:
    """A local population share entered (its history dated) on ``on``."""
    row = PopulationShare(hub=hub, group=group, share=Decimal(share), source="Census", source_date=on)
    row._history_date = at(on)
    row.save()
    return row


def move(adoption, to_stage, on, from_stage):
    StageTransition.objects.create(adoption=adoption, from_stage=from_stage, to_stage=to_stage, date=on)


@pytest.fixture
def data(db):
    """Two hubs, two innovations, three indicators, five notes: the answers are worked out in the tests.

    The programme reads series from 2 figures, so these short ones have readings (but a single figure
    is too few).
    """
    ProgrammeFactory(min_points_for_limits=2)
    dorset = HubFactory(name="Dorset", slug="dorset")
    manchester = HubFactory(name="Manchester", slug="manchester")
    alpha = InnovationFactory(name="Alpha", slug="alpha")
    beta = InnovationFactory(name="Beta", slug="beta")
    # A1: identified 1 Jan, assessing 1 Mar, testing 12 Jun (after P), implemented 16 Jun (after D).
    a1 = AdoptionFactory(hub=dorset, innovation=alpha, started_on=datetime.date(2025, 1, 1))
    move(a1, Stage.ASSESSING, datetime.date(2025, 3, 1), Stage.IDENTIFIED)
    move(a1, Stage.TESTING, datetime.date(2025, 6, 12), Stage.ASSESSING)
    move(a1, Stage.IMPLEMENTED, datetime.date(2025, 6, 16), Stage.TESTING)
    # A2: identified 1 Feb, decided 1 May.
    a2 = AdoptionFactory(hub=manchester, innovation=alpha, started_on=datetime.date(2025, 2, 1))
    move(a2, Stage.DECIDED, datetime.date(2025, 5, 1), Stage.IDENTIFIED)
    # A3 starts after D: not in D's report. A4 is archived: in no report.
    AdoptionFactory(hub=manchester, innovation=beta, started_on=datetime.date(2025, 7, 1))
    AdoptionFactory(
        hub=dorset,
        innovation=beta,
        started_on=datetime.date(2025, 1, 1),
        archived=True,
        archived_reason="Duplicate",
    )

    enrolled = MetricFactory()  # people enrolled: reach, a count
    checks = MetricFactory(code="checks-done", name="Checks done", dimension=Metric.Dimension.EFFECTIVENESS)
    ind1 = IndicatorFactory(adoption=a1, metric=enrolled)
    ind2 = IndicatorFactory(adoption=a2, metric=enrolled)
    ind3 = IndicatorFactory(adoption=a1, metric=checks)
    approved(ind1, month(2025, 4), datetime.date(2025, 5, 5), value="10")
    approved(ind1, month(2025, 5), datetime.date(2025, 6, 5), value="20")
    MeasurementFactory(indicator=ind1, period=month(2025, 6), value=Decimal("99"))  # submitted only
    approved(ind2, month(2025, 5), datetime.date(2025, 6, 14), value="30")
    approved(ind2, month(2025, 6), datetime.date(2025, 6, 20), value="50")  # approved after D
    # ind3: 1, 2, … 7 from Nov 2024 to May 2025; the seventh approved after P: a new 7-point trend.
    for number, period in enumerate(
        [month(2024, 11), month(2024, 12)] + [month(2025, m) for m in range(1, 6)], start=1
    ):
        approved(ind3, period, datetime.date(2025, 6, 13 if number == 7 else 1), value=str(number))
    # ind1 by IMD quintile: May (approved before P) 2 of 10 in quintile 1; April (after P) 3 of 5.
    approved(ind1, month(2025, 5), datetime.date(2025, 6, 5), value="2", quintile=1)
    approved(ind1, month(2025, 5), datetime.date(2025, 6, 5), value="8", quintile=5)
    approved(ind1, month(2025, 4), datetime.date(2025, 6, 12), value="3", quintile=1)
    approved(ind1, month(2025, 4), datetime.date(2025, 6, 12), value="2", quintile=5)
    approved(ind1, month(2025, 6), datetime.date(2025, 6, 20), value="100", quintile=1)  # after D
    # ind1 by ethnic group: May's white people only, approved after P.
    approved(
        ind1,
        month(2025, 5),
        datetime.date(2025, 6, 14),
        value="18",
        group=breakdown_group(ETHNIC_GROUP, "white"),
    )
    # ind1 for Dorset's own PLUS group: May (before P) 4; April (after P) 1.
    coastal = PlusGroupFactory(hub=dorset, label="Coastal communities")
    approved(ind1, month(2025, 5), datetime.date(2025, 6, 5), value="4", group=coastal)
    approved(ind1, month(2025, 4), datetime.date(2025, 6, 12), value="1", group=coastal)
    # Dorset's local population by IMD quintile, entered on 1 June.
    shares = {
        quintile: population_share(dorset, imd(quintile), share, on=datetime.date(2025, 6, 1))
        for quintile, share in ((1, "25"), (5, "15"))
    }

    Kind, Domain = LearningNote.Kind, LearningNote.Domain
    LearningNoteFactory(
        adoption=a1,
        kind=Kind.BARRIER,
        cfir_domain=Domain.INNER_SETTING,
        title="n1",
        created_at=at(datetime.date(2025, 6, 1)),
    )
    LearningNoteFactory(
        adoption=a2,
        kind=Kind.BARRIER,
        cfir_domain=Domain.INNER_SETTING,
        title="n2",
        created_at=at(datetime.date(2025, 6, 12)),
    )
    LearningNoteFactory(
        adoption=a2, kind=Kind.LESSON, cfir_domain=Domain.PROCESS, title="n3", created_at=at(D, 23, 30)
    )
    LearningNoteFactory(
        adoption=a1,
        kind=Kind.BARRIER,
        cfir_domain=Domain.OUTER_SETTING,
        title="n4",
        created_at=at(D + datetime.timedelta(days=1), 0, 30),
    )
    LearningNoteFactory(
        adoption=a2,
        kind=Kind.BARRIER,
        cfir_domain=Domain.OUTER_SETTING,
        title="n5",
        created_at=at(datetime.date(2025, 6, 14)),
    )
    return {"a1": a1, "a2": a2, "ind1": ind1, "ind2": ind2, "ind3": ind3, "shares": shares}


@pytest.fixture
def report(data):
    """D's report, built after P's so that it compares with P."""
    assert rollup_run(day=P).status == RollupRun.Status.SUCCEEDED
    run = rollup_run(day=D)
    assert run.status == RollupRun.Status.SUCCEEDED
    return run.report


def test_headline(report):
    headline = report.content["headline"]
    # A1 testing (its 16 June move is after D), A2 decided; A3 not started, A4 archived.
    assert headline["adoptions_by_stage"] == {"decided": 1, "testing": 1}
    # Latest approved month of reach counts as of D is May: 20 (A1) + 30 (A2); June's 50 came later.
    assert headline["total_reach"] == 50
    # ind1 (2 figures) common cause, ind3 a 7-point rise; ind2 has 1 figure as of D: too few.
    assert headline["indicators_by_variation"] == {"common_cause": 1, "special_cause_improvement_high": 1}
    assert headline["indicators_by_assurance"] == {}
    assert headline["indicators_too_few"] == 1


def test_innovations_stage_as_of_the_day(report, data):
    assert report.content["day"] == "2025-06-15"
    assert report.content["previous_day"] == "2025-06-10"
    assert report.content["innovations"] == [
        {
            "innovation": "Alpha",
            "slug": "alpha",
            "hubs": [
                {
                    "hub": "Dorset",
                    "hub_slug": "dorset",
                    "adoption_id": data["a1"].pk,
                    "stage": "testing",
                    "stage_label": "Testing (PDSA cycles)",
                    "since": "2025-06-12",
                    "days_in_stage": 3,
                    "moves_since_previous": 1,
                },
                {
                    "hub": "Manchester",
                    "hub_slug": "manchester",
                    "adoption_id": data["a2"].pk,
                    "stage": "decided",
                    "stage_label": "Decided to adopt",
                    "since": "2025-05-01",
                    "days_in_stage": 45,
                    "moves_since_previous": 0,
                },
            ],
        }
    ]


def test_signals_new_improvement_since_previous_report(report, data):
    assert report.content["signals"] == [
        {
            "indicator_id": data["ind3"].pk,
            "hub": "Dorset",
            "innovation": "Alpha",
            "metric": "Checks done",
            "variation": "special_cause_improvement_high",
            "previous_variation": "common_cause",
            "assurance": None,
            "previous_assurance": None,
            "points": 7,
            "previous_points": 6,
            "min_points": 2,
            "change": "new improvement",
        }
    ]


def test_equity_by_every_breakdown_against_the_local_population_as_entered_then(report):
    def row(dimension, group, people, base, share, population, previous=None, then=(None, None), change=None):
        return {
            "hub": "Dorset",
            "innovation": "Alpha",
            "metric": "People enrolled",
            "dimension": dimension,
            "group": group,
            "people": people,
            "base": base,
            "share": share,
            "population": population,
            "previous_share": previous,
            "people_previous": then[0],
            "base_previous": then[1],
            "change_points": change,
        }

    # As of D: quintile 1 (2 + 3) of (10 + 5) = 1/3; as of P: 2 of 10 = 0.2. June's 100 came after D.
    # The ethnic groups: May's 18 white people, approved after P: no share then. Dorset's PLUS group:
    # 5 of the 30 reached in the months it was given for (April and May); as of P, May's 4 of 20.
    assert report.content["equity"] == [
        row("IMD quintile", "1 (most deprived)", 5, 15, 0.3333, 0.25, 0.2, (2, 10), 13.3333),
        row("IMD quintile", "5 (least deprived)", 10, 15, 0.6667, 0.15, 0.8, (8, 10), -13.3333),
        row("Ethnic group", "White", 18, 18, 1.0, None),
        row("PLUS group", "Coastal communities", 5, 30, 0.1667, None, 0.2, (4, 20), -3.3333),
    ]


def test_learning_new_notes_and_recurring_barriers(report):
    learning = report.content["learning"]
    # Since P: n2, n5 and n3 (23:30 on D, London time); n4 was written after D.
    assert [note["title"] for note in learning["new_notes"]] == ["n2", "n5", "n3"]
    assert learning["new_notes"][2]["created"] == "2025-06-15"
    assert learning["new_notes"][0]["hub"] == "Manchester"
    assert learning["by_domain_and_kind"] == [
        {"cfir_domain": "implementation_process", "kind": "lesson", "count": 1},
        {"cfir_domain": "inner_setting", "kind": "barrier", "count": 1},
        {"cfir_domain": "outer_setting", "kind": "barrier", "count": 1},
    ]
    # Inner setting barriers in both hubs; outer setting only in Manchester by D (Dorset's came later).
    assert learning["recurring_themes"] == [
        {"cfir_domain": "inner_setting", "kind": "barrier", "hubs": ["Dorset", "Manchester"]}
    ]


def test_completeness_per_hub(report):
    # Months due to May 2025: Dorset 2 indicators × Jan–May = 10; Manchester 1 × Feb–May = 4.
    # Reported: ind1 Apr, May; ind3 Jan–May (Nov and Dec are before A1 started) = 7; ind2 May = 1.
    assert report.content["completeness"] == [
        {"hub": "Dorset", "due": 10, "reported": 7, "percent": 70},
        {"hub": "Manchester", "due": 4, "reported": 1, "percent": 25},
    ]


def test_sections_report_progress_in_order(data):
    seen = []
    rollup.build_content(D, on_section=seen.append)
    assert seen == list(rollup.SECTIONS)


def test_hash_is_of_the_canonical_content(report):
    assert report.content_hash == content_hash(report.content)
    assert len(report.content_hash) == 64


def test_rebuilding_the_day_later_gives_the_same_report(report, data):
    # What happens after D: a move, an approval, a note, all dated or done later.
    move(data["a2"], Stage.PLANNING, D + datetime.timedelta(days=2), Stage.DECIDED)
    approved(data["ind2"], month(2025, 4), D + datetime.timedelta(days=3), value="500")
    LearningNoteFactory(adoption=data["a1"], title="later")
    # Dorset's local population changes after D: quintile 1's share is corrected, quintile 5's removed.
    later = D + datetime.timedelta(days=4)
    corrected = data["shares"][1]
    corrected.share, corrected._history_date = Decimal("30"), at(later)
    corrected.save()
    removed = data["shares"][5]
    removed._history_date = at(later)
    removed.delete()
    run = rollup_run(day=D)
    assert run.status == RollupRun.Status.UNCHANGED
    assert RollupReport.objects.get(day=D).content_hash == report.content_hash


def test_two_runs_over_unchanged_data_then_a_change(report, data):
    again = rollup_run(day=D)
    assert again.status == RollupRun.Status.UNCHANGED
    assert again.report == report
    LearningNoteFactory(adoption=data["a2"], title="written on D", created_at=at(D, 9))
    changed = rollup_run(day=D)
    assert changed.status == RollupRun.Status.SUCCEEDED
    new = RollupReport.objects.get(day=D)
    assert new.content_hash != report.content_hash
    assert "written on D" in [note["title"] for note in new.content["learning"]["new_notes"]]
    assert RollupReport.objects.filter(day=D).count() == 1


def test_a_second_run_while_one_is_running_is_skipped(data):
    RollupRun.objects.create(day=D, status=RollupRun.Status.RUNNING, started_at=timezone.now())
    run = rollup_run(day=D)
    assert run.status == RollupRun.Status.SKIPPED
    assert run.error == "another run is building this day"
    assert not RollupReport.objects.exists()
    # Another day is not blocked.
    assert rollup_run(day=P).status == RollupRun.Status.SUCCEEDED


def test_an_abandoned_running_run_is_taken_over(data):
    stale = RollupRun.objects.create(
        day=D, status=RollupRun.Status.RUNNING, started_at=timezone.now() - datetime.timedelta(hours=2)
    )
    assert rollup_run(day=D).status == RollupRun.Status.SUCCEEDED
    stale.refresh_from_db()
    assert stale.status == RollupRun.Status.ABANDONED
    assert "abandoned" in stale.error


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_give_one_report(data, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent transactions need PostgreSQL; the claim-row test covers SQLite")
    slow_headline = rollup.headline

    def headline(*args, **kwargs):
        time.sleep(1)  # hold the day long enough for the other run to try
        return slow_headline(*args, **kwargs)

    monkeypatch.setattr(rollup, "headline", headline)
    barrier = threading.Barrier(2)
    statuses = []

    def run():
        try:
            barrier.wait()
            statuses.append(rollup_run(day=D).status)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == ["skipped", "succeeded"]
    assert RollupReport.objects.filter(day=D).count() == 1


def test_a_failing_section_leaves_the_previous_report_and_records_the_failure(report, data, monkeypatch):
    before = RollupReport.objects.get(day=D)
    LearningNoteFactory(adoption=data["a2"], title="written on D", created_at=at(D, 9))

    def broken(*args, **kwargs):
        raise RuntimeError("equity exploded")

    monkeypatch.setattr(rollup, "equity", broken)
    with pytest.raises(RuntimeError):
        rollup_run(day=D)
    with pytest.raises(RuntimeError):
        rollup_run(day=datetime.date(2025, 6, 20))
    after = RollupReport.objects.get(day=D)
    assert (after.content, after.content_hash, after.built_at) == (
        before.content,
        before.content_hash,
        before.built_at,
    )
    assert not RollupReport.objects.filter(day=datetime.date(2025, 6, 20)).exists()
    failed = RollupRun.objects.filter(day=D).order_by("-pk").first()
    assert failed.status == RollupRun.Status.FAILED
    assert failed.section == "equity"
    assert "equity exploded" in failed.error
    assert failed.finished_at is not None


def test_a_failed_run_is_retried_on_the_same_row(data, monkeypatch):
    monkeypatch.setattr(rollup, "learning", lambda *a, **k: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        rollup_run(day=D)
    run = RollupRun.objects.get(day=D)
    monkeypatch.undo()
    assert rollup_run(day=D, run=run).status == RollupRun.Status.SUCCEEDED
    run.refresh_from_db()
    assert (run.attempt, run.error, run.report.day) == (2, "", D)


def test_admins_are_emailed_after_the_last_retry(data, monkeypatch, django_capture_on_commit_callbacks):
    admin = ahsn_admin(username="admin-a", email="a@example.org")
    ahsn_admin(username="admin-gone", email="gone@example.org", is_active=False)
    UserFactory(username="staff", email="staff@example.org")
    monkeypatch.setattr(rollup, "signals", lambda *a, **k: 1 / 0)
    monkeypatch.setitem(app.conf, "task_always_eager", True)  # the e-mail task runs here, after commit
    with django_capture_on_commit_callbacks(execute=True):
        result = nightly_rollup.apply(args=[D.isoformat()], retries=3)
    assert result.failed()
    [told] = Notification.objects.all()
    assert (told.recipient, told.kind) == (admin, Kind.RUN_FAILED), "told in the portal, admins only"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["a@example.org"]
    assert "15 June 2025" in message.subject
    assert "2025-06-15" in message.body and "division by zero" in message.body
    assert RollupRun.objects.get(day=D).status == RollupRun.Status.FAILED


def test_no_email_before_the_last_retry(data, monkeypatch):
    ahsn_admin(username="admin-a", email="a@example.org")
    monkeypatch.setattr(rollup, "signals", lambda *a, **k: 1 / 0)
    monkeypatch.setattr(nightly_rollup, "retry", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("retry")))
    nightly_rollup.apply(args=[D.isoformat()], retries=1)
    assert mail.outbox == []


def test_task_defaults_to_yesterday_in_london(db, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: datetime.date(2025, 3, 31))
    assert nightly_rollup.apply().get() == RollupRun.Status.SUCCEEDED
    assert RollupReport.objects.get().day == datetime.date(2025, 3, 30)


def test_run_rollup_command(data, capsys):
    call_command("run_rollup", "--date", D.isoformat())
    out = capsys.readouterr().out
    report = RollupReport.objects.get(day=D)
    assert "succeeded" in out and report.content_hash in out


def test_run_rollup_command_fails_loudly(data, monkeypatch):
    from django.core.management.base import CommandError

    monkeypatch.setattr(rollup, "completeness", lambda *a, **k: 1 / 0)
    with pytest.raises(CommandError, match="failed"):
        call_command("run_rollup", "--date", D.isoformat())


def test_spc_readings_agree_with_the_dashboards_engine_with_a_rebase(data):
    from evaluation.models import RebasePoint
    from evaluation.summaries import indicator_reading, monthly_figures

    ind3 = data["ind3"]
    RebasePoint.objects.create(indicator=ind3, period=month(2025, 2), reason="New referral route")
    expected = indicator_reading(ind3, monthly_figures(ind3, approved_only=True)).reading
    assert rollup.spc_readings(D)[ind3.pk]["now"] == expected
    assert expected.points == 4  # Feb to May, since the rebase
