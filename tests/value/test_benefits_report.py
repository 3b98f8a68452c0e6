"""The nightly report's "Benefits expected vs realised": as of the day, so a report rebuilt later is the same."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from learning import rollup
from learning.models import RollupReport
from value.models import Benefit, RealisedValue
from value.services import benefit_archive, benefit_record_realised, benefit_sign_off, benefit_update

from .conftest import add_benefit

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY_ONE = TODAY - datetime.timedelta(days=10)
DAY_TWO = TODAY - datetime.timedelta(days=5)


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def backdate_last_history(benefit: Benefit, when: datetime.datetime) -> None:
    last = benefit.history.order_by("-history_id").first()
    benefit.history.filter(history_id=last.history_id).update(history_date=when)


@pytest.fixture
def register(adoption, owner, lead):
    cash = add_benefit(adoption, owner, expected_value=Decimal("10000.00"))
    backdate_last_history(cash, at(DAY_ONE, 9))
    hours = add_benefit(
        adoption,
        owner,
        title="Nurse time freed",
        kind="capacity_released",
        unit="hours",
        expected_value=Decimal("300"),
    )
    backdate_last_history(hours, at(DAY_ONE, 9))
    benefit_record_realised(
        benefit=cash,
        by=owner,
        version=cash.version,
        value=Decimal("2000.25"),
        as_of=DAY_ONE,
        evidence="Month 3 ledger",
        recorded_at=at(DAY_ONE, 15),
    )
    cash.refresh_from_db()
    benefit_sign_off(benefit=cash, by=lead, version=cash.version, at=at(DAY_TWO, 10))
    cash.refresh_from_db()
    benefit_update(benefit=cash, by=owner, version=cash.version, expected_value=Decimal("15000.00"))
    backdate_last_history(cash, at(DAY_TWO, 11))
    hours.refresh_from_db()
    benefit_archive(benefit=hours, by=owner, version=hours.version, reason="Counted in another benefit")
    backdate_last_history(hours, at(DAY_TWO, 11))
    cash.refresh_from_db()
    # Recorded after day two: it belongs to neither day's report.
    benefit_record_realised(
        benefit=cash,
        by=owner,
        version=cash.version,
        value=Decimal("5000"),
        as_of=TODAY,
        evidence="Month 6 ledger",
    )
    add_benefit(adoption, owner, title="Added today", kind="quality", unit="percentage_points")
    return adoption.hub


def test_each_day_reads_the_register_as_it_stood(register):
    day_one = rollup.build_content(DAY_ONE)["benefits"]
    assert day_one == [
        {"hub": "Dorset", "hub_slug": "dorset", "kind": "cash_releasing", "unit": "gbp", "benefits": 1,
         "expected": "10000.00", "realised": "2000.25", "signed_off": "0.00"},
        {"hub": "Dorset", "hub_slug": "dorset", "kind": "capacity_released", "unit": "hours", "benefits": 1,
         "expected": "300.00", "realised": "0.00", "signed_off": "0.00"},
    ]  # fmt: skip
    day_two = rollup.build_content(DAY_TWO)["benefits"]
    assert day_two == [
        {"hub": "Dorset", "hub_slug": "dorset", "kind": "cash_releasing", "unit": "gbp", "benefits": 1,
         "expected": "15000.00", "realised": "2000.25", "signed_off": "2000.25"},
    ]  # fmt: skip
    today = rollup.build_content(TODAY)["benefits"]
    assert [(row["kind"], row["realised"]) for row in today] == [
        ("cash_releasing", "5000.00"),
        ("quality", "0.00"),
    ]


def test_rebuilding_a_past_day_gives_the_same_section(register, owner):
    before = rollup.build_content(DAY_ONE)["benefits"]
    cash = Benefit.objects.get(title="Fewer outpatient follow-ups")
    benefit_update(benefit=cash, by=owner, version=cash.version, expected_value=Decimal("99999"))
    assert rollup.build_content(DAY_ONE)["benefits"] == before
    assert RealisedValue.objects.count() == 2


def test_the_report_page_and_csv_show_the_section(client, register, reader):
    RollupReport.objects.create(
        day=DAY_TWO, content=rollup.build_content(DAY_TWO), content_hash="x" * 64, duration_ms=10
    )
    client.force_login(reader)
    page = client.get(reverse("learning:report", args=[DAY_TWO.isoformat()])).content.decode()
    assert "Benefits expected vs realised" in page and "£15,000" in page and "£2,000.25" in page
    response = client.get(reverse("learning:report_csv", args=[DAY_TWO.isoformat(), "benefits"]))
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines == [
        ["hub", "kind", "unit", "benefits", "expected", "realised_to_date", "signed_off"],
        ["Dorset", "Cash-releasing", "Pounds (£)", "1", "15000.00", "2000.25", "2000.25"],
    ]


def test_a_few_people_read_as_fewer_than_eight_in_the_report_and_its_csv(client, adoption, owner, reader):
    equity = add_benefit(
        adoption,
        owner,
        title="People reached in IMD 1",
        kind="equity",
        unit="people",
        expected_value=Decimal("40"),
    )
    benefit_record_realised(
        benefit=equity, by=owner, version=equity.version, value=Decimal("5"),
        as_of=TODAY - datetime.timedelta(days=1), evidence="Service records",
    )  # fmt: skip
    RollupReport.objects.create(
        day=TODAY, content=rollup.build_content(TODAY), content_hash="x" * 64, duration_ms=1
    )
    client.force_login(reader)
    page = client.get(reverse("learning:report", args=[TODAY.isoformat()])).content.decode()
    assert "&lt;8 people" in page and "40 people" in page and ">5 people<" not in page
    response = client.get(reverse("learning:report_csv", args=[TODAY.isoformat(), "benefits"]))
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[1] == ["Dorset", "Equity", "People", "1", "40.00", "<8", "0.00"]
