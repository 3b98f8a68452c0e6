"""The nightly report's "Spend against award" section: as of its day, so a report rebuilt for a past day is the same."""

import datetime
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from learning import rollup
from learning.models import RollupReport

from .spend_helpers import approved_quarter, nth_quarter, submitted_quarter


def test_the_section_counts_quarters_approved_by_the_day_only(hub, lead, evaluator_user):
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    before = rollup.spend(yesterday)
    approved_quarter(
        hub, nth_quarter(hub, 0), lead=lead, evaluator=evaluator_user, amounts=["1000.50"], in_kind=["7"]
    )
    submitted_quarter(hub, nth_quarter(hub, 1), lead=lead, amounts=["999"])
    assert rollup.spend(yesterday) == before  # rebuilt for a past day: the same
    (row,) = rollup.spend(today)
    assert row["hub"] == hub.name
    assert (row["spent"], row["in_kind"], row["award"]) == ("1000.50", "7.00", "450000.00")
    assert row["quarters_approved"] == 1
    assert Decimal(row["forecast"]) > Decimal(row["spent"])
    assert before[0]["spent"] == "0.00"


def test_the_report_shows_the_section_and_its_csv(client, hub, lead, reader, evaluator_user):
    approved_quarter(hub, nth_quarter(hub, 0), lead=lead, evaluator=evaluator_user, amounts=["1234.56"])
    today = timezone.localdate()
    content = rollup.build_content(today)
    RollupReport.objects.create(day=today, content=content, content_hash="x" * 64, duration_ms=1)
    client.force_login(reader)
    page = client.get(reverse("learning:report", args=[today.isoformat()])).content.decode()
    assert "Spend against award" in page and "£1,234.56" in page
    csv_text = client.get(reverse("learning:report_csv", args=[today.isoformat(), "spend"])).content.decode()
    assert f"{hub.name},450000.00,1234.56" in csv_text
