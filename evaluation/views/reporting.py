"""Reporting status: what each hub has sent, month by month, and each indicator-month's status.

Every signed-in user may open these pages; what they show is scoped by
``reporting.hubs_reported_to``: hub staff see their own hubs, evaluators and AHSN
admins every hub. A hub's page a user may not follow is a 404, as if it did not exist.
"""

from __future__ import annotations

import datetime

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from core.months import add_months, this_month
from hubs.access import Roles, roles_of
from innovations.models import Adoption

from .. import reporting
from ..calendar import FigureStatus, due_date, due_working_day
from .entry import month_url

HUB_MONTHS_SHOWN = 6  # this month and the five before it, unless a year is chosen
ADOPTIONS_PER_PAGE = 20
NO_FIGURE = {FigureStatus.NOT_DUE, FigureStatus.DUE, FigureStatus.OVERDUE}


class ReportingFilterForm(forms.Form):
    year = forms.TypedChoiceField(
        label="Months shown", coerce=int, empty_value=None, required=False, choices=()
    )

    def __init__(self, *args, years: list[int], latest: str = "The last 12 complete months", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [
            ("", latest),
            *((year, f"The year {year}") for year in years),
        ]
        self.fields["year"].error_messages["invalid_choice"] = "Choose a year from the list."

    @property
    def chosen_year(self) -> int | None:
        return self.cleaned_data.get("year") if self.is_valid() else None


def reporting_status(request: HttpRequest) -> HttpResponse:
    """Each hub the user follows, month by month: indicators due, figures by status, and missing."""
    form = ReportingFilterForm(request.GET or None, years=reporting.reporting_years())
    periods = reporting.reporting_months(form.chosen_year)
    statuses = reporting.reporting_status(reporting.hubs_reported_to(request.user).order_by("name"), periods)
    return render(
        request,
        "evaluation/reporting_status.html",
        {
            "form": form,
            "periods": periods,
            "statuses": statuses,
            "latest": reporting.month_across_hubs(statuses, periods[0]) if periods else None,
            "heading": f"Reporting status, {form.chosen_year}" if form.chosen_year else "Reporting status",
            "every_hub": roles_of(request.user).reads_everything,
        },
    )


# One hub, indicator by indicator ----------------------------------------------------------------


def cell_url(roles: Roles, month: reporting.IndicatorMonth) -> str:
    """Where the work on an indicator-month is done, for this viewer.

    The hub's own staff: the figures grid of that adoption and month. Evaluators: the month's
    review page once it has a figure. Anyone else, or a month with nothing to review: the
    indicator's page. A month before the adoption began has nowhere to go.
    """
    if month.before_start:
        return ""
    if month.adoption.hub_id in roles.hub_ids:
        return month_url(month.adoption, month.period)
    if roles.reviews_figures and month.status not in NO_FIGURE:
        return reverse("evaluation:review_month", args=[month.indicator.pk, f"{month.period:%Y-%m}"])
    return month.indicator.get_absolute_url()


def hub_months(year: int | None, today: datetime.date) -> list[datetime.date]:
    """The months shown, newest first: a chosen year's complete months, else this month and the five before."""
    if year is not None:
        return reporting.reporting_months(year, today)
    return [add_months(this_month(today), -back) for back in range(HUB_MONTHS_SHOWN)]


def reporting_hub(request: HttpRequest, slug: str) -> HttpResponse:
    """One hub's indicators, grouped by adoption, each month's status with its owner and due date."""
    hub = get_object_or_404(reporting.hubs_reported_to(request.user).select_related("programme"), slug=slug)
    roles = roles_of(request.user)
    today = timezone.localdate()
    form = ReportingFilterForm(
        request.GET or None,
        years=reporting.reporting_years(),
        latest=f"This month and the {HUB_MONTHS_SHOWN - 1} before it",
    )
    periods = hub_months(form.chosen_year, today)
    adoptions = (
        Adoption.objects.filter(hub=hub, archived=False)
        .select_related("innovation")
        .order_by("innovation__name", "pk")
    )
    page = Paginator(adoptions, ADOPTIONS_PER_PAGE).get_page(request.GET.get("page"))
    sections = [
        (
            section.adoption,
            [(row, [(month, cell_url(roles, month)) for month in row.months]) for row in section.rows],
        )
        for section in reporting.adoptions_reporting(list(page.object_list), periods, today)
    ]
    return render(
        request,
        "evaluation/reporting_hub.html",
        {
            "hub": hub,
            "form": form,
            "page": page,
            "sections": sections,
            "columns": [(period, due_date(period, hub.programme)) for period in periods],
            "due_working_day": due_working_day(hub.programme),
            "is_staff_of_hub": hub.pk in roles.hub_ids,
            "heading": f"Reporting status of {hub.name}"
            + (f", {form.chosen_year}" if form.chosen_year else ""),
        },
    )
