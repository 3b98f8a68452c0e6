"""What the figures put on each person's to-do list: figures to send, figures returned, months to review."""

import datetime

import pytest

from core.todo import Urgency
from evaluation.calendar import due_date
from evaluation.models import Measurement
from evaluation.reopening import reopen_request
from hubportal.todo import todo_for
from tests.factories import AdoptionFactory, IndicatorFactory, MeasurementFactory, MetricFactory, evaluator
from tests.innovations.complexity_data import make_check

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 5)  # November's figures are due on 14 December 2026
SEPTEMBER, OCTOBER, NOVEMBER = (datetime.date(2026, month, 1) for month in (9, 10, 11))


@pytest.fixture
def adoption(hub):
    adoption = AdoptionFactory(hub=hub, stage="sustained", started_on=datetime.date(2026, 9, 15))
    make_check(adoption, datetime.date(2026, 12, 1))  # its complexity check is not due: only figures wait
    return adoption


@pytest.fixture
def enrolled(adoption, owner):
    return IndicatorFactory(adoption=adoption, metric=MetricFactory(name="People enrolled"), owner=owner)


def test_hub_staff_see_overdue_months_first_then_the_month_due_with_its_date(owner, enrolled):
    items = todo_for(owner, TODAY)
    assert [(item.tag, item.title) for item in items] == [
        ("Overdue", f"{enrolled.adoption.innovation.name}: figures for September 2026"),
        ("Overdue", f"{enrolled.adoption.innovation.name}: figures for October 2026"),
        ("Due 14 December", f"{enrolled.adoption.innovation.name}: figures for November 2026"),
    ]
    assert due_date(NOVEMBER) == datetime.date(2026, 12, 14)
    assert items[0].url == f"/evaluation/adoptions/{enrolled.adoption.pk}/figures/2026-09/"
    assert "You own 1 of them" in items[0].detail and "People enrolled" in items[0].detail


def test_a_returned_figure_comes_with_the_evaluators_note_and_a_sent_month_leaves_the_list(owner, enrolled):
    MeasurementFactory(
        indicator=enrolled, period=SEPTEMBER, status=Measurement.Status.RETURNED,
        review_note="Counted twice?", reviewed_by=evaluator(username="ev", first_name="Eve", last_name="Adams"),
    )  # fmt: skip
    MeasurementFactory(indicator=enrolled, period=OCTOBER, status=Measurement.Status.SUBMITTED)
    items = todo_for(owner, TODAY)
    assert [(item.urgency, item.tag) for item in items] == [
        (Urgency.RETURNED, "Returned"),
        (Urgency.DUE, "Due 14 December"),
    ]
    assert items[0].note == "Counted twice?"
    assert "returned by Eve Adams" in items[0].detail


def test_another_hubs_staff_see_none_of_it(reader, enrolled):
    assert todo_for(reader, TODAY) == []


def test_evaluators_see_each_hub_month_awaiting_review_with_its_flags_and_reopen_requests(owner, enrolled):
    reviewer = evaluator(username="reviewer")
    MeasurementFactory(indicator=enrolled, period=OCTOBER, status=Measurement.Status.SUBMITTED)
    MeasurementFactory(indicator=enrolled, period=SEPTEMBER, status=Measurement.Status.APPROVED)
    reopen_request(
        indicator=enrolled, period=SEPTEMBER, reason="The practice list was out of date.", by=owner
    )
    items = todo_for(reviewer, TODAY)
    assert [(item.tag, item.title) for item in items] == [
        ("To review", "Review Dorset's figures for October 2026"),
        ("To decide", "Reopen Dorset's People enrolled for September 2026?"),
    ]
    assert items[0].detail.startswith("1 figure awaiting review.")
    assert items[1].note == "The practice list was out of date."
