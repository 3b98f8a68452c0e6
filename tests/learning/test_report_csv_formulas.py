"""Every CSV of the nightly report: a name or title that starts like a formula is written as text
(with a leading apostrophe), and a negative number stays a number."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from learning.models import RollupReport
from learning.rollup import SECTIONS
from tests.core.test_csvfile import FORMULAS

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 24)


def content(text: str) -> dict:
    """A hand-made report whose every name, label and title is ``text``, with a negative number in each table."""
    return {
        "day": DAY.isoformat(),
        "previous_day": None,
        "headline": {"adoptions_by_stage": {text: -2}, "total_reach": 4321,
                     "indicators_by_variation": {text: 1}, "indicators_by_assurance": {}},
        "innovations": [{"innovation": text, "slug": "x", "hubs": [
            {"hub": text, "hub_slug": "x", "adoption_id": 1, "stage": text, "stage_label": text,
             "since": "2026-11-20", "days_in_stage": -4, "moves_since_previous": 0}]}],
        "signals": [{"indicator_id": -77, "hub": text, "innovation": text, "metric": text, "variation": text,
                     "previous_variation": None, "assurance": None, "previous_assurance": None,
                     "change": text}],
        "equity": [{"hub": text, "innovation": text, "metric": text, "dimension": "PLUS group", "group": text,
                    "people": 120, "base": 400, "share": 0.3, "population": 0.25, "previous_share": 0.335,
                    "change_points": -3.5, "people_previous": 134, "base_previous": 400}],
        "learning": {"new_notes": [{"note_id": -11, "title": text, "hub": text, "innovation": text, "kind": text,
                                    "cfir_domain": text, "created": "2026-11-24"}],
                     "by_domain_and_kind": [], "recurring_themes": []},
        "completeness": [{"hub": text, "due": 24, "reported": 18, "percent": -5}],
        "revised": [{"hub": text, "innovation": text, "metric": text, "indicator_id": -3, "period": "2026-10-01",
                     "imd_quintile": None, "kind": "amount", "value": -12.5, "numerator": None, "denominator": None,
                     "previous": text, "previous_value": None, "previous_numerator": None,
                     "previous_denominator": None}],
        "spend": [{"hub": text, "hub_slug": "x", "award": "1000.00", "spent": "-12.50", "in_kind": "0.00",
                   "forecast": "-50.00", "percent_spent": -1, "percent_time": 40, "quarters_approved": 2,
                   "forecast_over_award": False, "lags_behind_time": True}],
        "complexity": {"by_domain": [], "adoptions": [
            {"hub": text, "innovation": text, "adoption_id": 1, "checked_on": "2026-11-01", "checks": 2,
             "ratings": {"condition": "complex"}, "summary": text, "more_complex": -1, "simpler": 0,
             "due_on": "2027-05-01", "overdue": False}]},
        "benefits": [{"hub": text, "hub_slug": "x", "kind": "cash_releasing", "unit": "gbp", "benefits": 2,
                      "expected": "1000.00", "realised": "250.50", "signed_off": "0.00"}],
        "engagement": [{"hub": text, "hub_slug": "x", "partners": 3, "partners_with_other_hubs": 1, "events": 4,
                        "reached": 120, "trained": 30, "events_this_quarter": 1, "reached_this_quarter": 20,
                        "trained_this_quarter": 0, "quarters": []}],
    }  # fmt: skip


def expected_rows(text: str) -> dict[str, list[list[str]]]:
    q = "'" + text
    return {
        "headline": [
            ["adoptions by stage", q, "-2"],
            ["total reach", "", "4321"],
            ["indicators by variation", q, "1"],
        ],
        "innovations": [[q, q, q, "2026-11-20", "-4", "0"]],
        "signals": [[q, q, q, q, q, "", "", "", "-77"]],
        "equity": [
            [q, q, q, "PLUS group", q, "120", "400", "0.3", "0.25", "0.335", "-3.5"]
        ],  # a hub's group, named by it
        "learning": [["2026-11-24", q, q, q, q, q, "-11"]],
        "completeness": [[q, "24", "18", "-5"]],
        "revised": [[q, q, q, "2026-10", "All people", q, "-12.5", "-3"]],
        "spend": [[q, "1000.00", "-12.50", "-1", "40", "-50.00", "0.00", "2", "no", "yes"]],
        "complexity": [
            [q, q, "2026-11-01", "2", "complex", "", "", "", "", "", "", q, "-1", "0", "2027-05-01", "no"]
        ],
        "benefits": [[q, "Cash-releasing", "Pounds (£)", "2", "1000.00", "250.50", "0.00"]],
        "engagement": [[q, "3", "1", "4", "120", "30", "1", "20", "0"]],
    }


@pytest.mark.parametrize("section", SECTIONS)
@pytest.mark.parametrize("formula", FORMULAS)
def test_each_report_csv_neutralises_formulas_and_keeps_negative_numbers(client, reader, section, formula):
    RollupReport.objects.create(day=DAY, content=content(formula), content_hash="x" * 64, duration_ms=1)
    client.force_login(reader)
    response = client.get(reverse("learning:report_csv", args=[DAY.isoformat(), section]))
    assert response["Content-Disposition"] == f'attachment; filename="rollup-2026-11-24-{section}.csv"'
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    _, *rows = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    assert rows == expected_rows(formula)[section]
