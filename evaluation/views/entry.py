"""Hub staff choose the metrics an adoption reports, and enter its monthly figures in a grid.

The grid is one Django form with a field per cell, named ``i<indicator id>-g<breakdown group id
or "all">-<part>`` (part: value, numerator, denominator, and the hidden version), so each
error sits next to its cell and in the error summary. The rules about figures live in
``evaluation.measurements``: this module only parses what people type, and leaves every rule
about figures, and who may record them, to that one service.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from core.concurrency import VersionedModelForm
from core.forms import submit
from core.months import add_months, last_complete_month, this_month
from core.numbers import as_typed, figure_text
from hubs.access import get_changeable_or_403, roles_of
from innovations.models import Adoption

from .. import breakdowns, measurements, vocabulary
from ..breakdowns import group_order
from ..flags import flags_for
from ..forms import NumberField, OwnerField, baseline_length_field
from ..models import BreakdownDimension, BreakdownGroup, Indicator, Measurement, Metric
from ..owners import hub_leads
from ..services import indicator_add, indicator_update
from .review import month_from_url


def adoption_to_change(request: HttpRequest, adoption_pk: int) -> Adoption:
    """The adoption, if it is one of the user's own hubs': 404 unknown, 403 another hub's."""
    return get_changeable_or_403(
        Adoption.objects.select_related("hub", "innovation"), request.user, pk=adoption_pk
    )


# Choosing indicators ----------------------------------------------------------------------------


class IndicatorAddForm(forms.Form):
    metric = forms.ModelChoiceField(
        queryset=Metric.objects.all(),
        error_messages={"required": "Choose a metric.", "invalid_choice": "Choose a metric from the list."},
    )
    target = NumberField(
        label="Target",
        help_text="In the metric's unit: for a percentage, 70 means 70%. You can set or change it later.",
    )
    baseline_length = baseline_length_field(
        "The first N months set the mean and process limits. Leave blank to use every month."
    )

    def __init__(self, *args, unused_metrics, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].widget.attrs["class"] = "nhsuk-input--width-10"
        # Offer the metrics not used yet, by RE-AIM dimension; accept any metric, so one added
        # meanwhile from another page is refused by the service with its own message.
        groups: dict[str, list] = {}
        for metric in unused_metrics:
            groups.setdefault(metric.get_dimension_display(), []).append(
                (metric.pk, f"{metric.name} ({metric.unit})")
            )
        self.fields["metric"].choices = [("", "Choose a metric"), *groups.items()]


def indicators_choose(request: HttpRequest, adoption_pk: int) -> HttpResponse:
    adoption = adoption_to_change(request, adoption_pk)
    indicators = list(
        adoption.indicators.select_related("metric").order_by("metric__dimension", "metric__name")
    )
    unused = Metric.objects.exclude(pk__in=[indicator.metric_id for indicator in indicators])
    form = IndicatorAddForm(request.POST or None, unused_metrics=unused)
    if added := submit(form, lambda data: indicator_add(adoption=adoption, by=request.user, **data)):
        messages.success(request, f"“{added.metric.name}” added to the indicators.")
        return redirect("evaluation:indicators_choose", adoption_pk=adoption.pk)
    return render(
        request,
        "evaluation/indicators_choose.html",
        {"adoption": adoption, "indicators": indicators, "form": form},
    )


class IndicatorTargetForm(VersionedModelForm):
    """An indicator's target, and who sends its figures (hub staff; evaluators set baselines elsewhere)."""

    target = NumberField(label="Target")

    class Meta:
        model = Indicator
        fields = ["target", "owner"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["target"] = as_typed(self.instance.target)
        metric = self.instance.metric
        self.fields["target"].label = f"Target ({metric.unit})"
        self.fields["target"].help_text = (
            "For a percentage, 70 means 70%. " if metric.is_percentage else ""
        ) + "Leave blank for no target."
        self.fields["target"].widget.attrs["class"] = "nhsuk-input--width-10"
        hub = self.instance.adoption.hub
        self.fields["owner"] = OwnerField(hub=hub, lead=hub_leads([hub.pk]).get(hub.pk))


def indicator_edit(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = get_changeable_or_403(
        Indicator.objects.select_related("metric", "adoption__hub", "adoption__innovation"),
        request.user,
        pk=pk,
    )
    form = IndicatorTargetForm(request.POST.copy() if request.method == "POST" else None, instance=indicator)
    if submit(form, lambda data: indicator_update(indicator=indicator, by=request.user, **data)):
        messages.success(request, f"“{indicator.metric.name}” is saved: target and owner.")
        return redirect("evaluation:indicators_choose", adoption_pk=indicator.adoption_id)
    if form.has_error(NON_FIELD_ERRORS, code="stale"):
        # The user has now seen what changed: saving again from here is a deliberate choice.
        form.data["version"] = Indicator.objects.values_list("version", flat=True).get(pk=indicator.pk)
    return render(request, "evaluation/indicator_edit.html", {"indicator": indicator, "form": form})


# The monthly grid -------------------------------------------------------------------------------

ALL_PEOPLE = "all"
LEGACY_QUINTILES = "quintiles"  # ``?quintiles=1``, from before any breakdown but IMD: the IMD quintile rows


def month_url(adoption: Adoption, period: datetime.date, breakdown: str = "") -> str:
    """The grid for a month, with the rows of the breakdown dimension (its code) asked for, if any."""
    url = reverse("evaluation:figures_grid", args=[adoption.pk, f"{period:%Y-%m}"])
    return f"{url}?{urlencode({'breakdown': breakdown})}" if breakdown else url


def breakdown_asked(query) -> str:
    """The breakdown dimension's code a request asks for ("" for none); an old link's ``quintiles=1`` is IMD."""
    if query.get(LEGACY_QUINTILES) == "1":
        return vocabulary.IMD
    return query.get("breakdown", "")[:40]


def first_month(adoption: Adoption) -> datetime.date:
    return adoption.started_on.replace(day=1)


def months_open(adoption: Adoption) -> list[datetime.date]:
    """The months figures can be given for, newest first: this month back to the adoption's first."""
    months, period = [], this_month()
    while period >= first_month(adoption):
        months.append(period)
        period = add_months(period, -1)
    return months


@dataclass
class Cell:
    """A row of the grid: one indicator's figure for the month, for all people or one breakdown group."""

    indicator: Indicator
    breakdown_group: BreakdownGroup | None
    period: datetime.date
    existing: Measurement | None
    inputs: list[forms.BoundField] = field(default_factory=list)
    version: forms.BoundField | None = None
    flags: list = field(default_factory=list)  # the month's active data-quality flags, on its total's row

    @property
    def prefix(self) -> str:
        return f"i{self.indicator.pk}-g{self.breakdown_group.pk if self.breakdown_group else ALL_PEOPLE}"

    @property
    def people(self) -> str:
        """Whom the figure counts: "All people", or the group ("Ethnic group: White")."""
        return str(self.breakdown_group) if self.breakdown_group else "All people"

    def label(self, part: str = "") -> str:
        """The cell's name, which the error summary also gives: "People enrolled, all people, October 2026"."""
        people = self.people if self.breakdown_group else self.people.lower()
        parts = [self.indicator.metric.name, part, people, f"{self.period:%B %Y}"]
        return ", ".join(p for p in parts if p)

    @property
    def is_locked(self) -> bool:
        return self.existing is not None and self.existing.is_approved

    @property
    def parts(self) -> list[tuple[str, forms.BoundField]]:
        """Each input with the short name shown above it: "Numerator", "Denominator", or none for a value."""
        titles = {"value": "", "numerator": "Numerator", "denominator": "Denominator"}
        return [(titles[bound.name.rsplit("-", 1)[1]], bound) for bound in self.inputs]

    @property
    def errors(self) -> list[str]:
        return [error for bound in self.inputs for error in bound.errors]

    def existing_text(self) -> str:
        m = self.existing
        return figure_text(m.value, m.numerator, m.denominator) if m else ""


def grid_groups(
    indicator: Indicator,
    dimensions: list[BreakdownDimension],
    shown_dimensions: set[int],
    existing: dict[tuple, Measurement],
) -> list[BreakdownGroup | None]:
    """The rows of an indicator in the grid: all people, then the groups of each dimension shown.

    A dimension's groups that take figures, and any other group (archived since) that already
    has this month's figure, so it can still be corrected.
    """
    groups: dict[int, BreakdownGroup] = {
        group.pk: group
        for dimension in dimensions
        if dimension.pk in shown_dimensions
        for group in dimension.current_groups
    }
    for (indicator_id, group_id), measurement in existing.items():
        if indicator_id == indicator.pk and group_id is not None:
            groups.setdefault(group_id, measurement.group)
    return [None, *sorted(groups.values(), key=group_order)]


@dataclass(frozen=True)
class GridError:
    message: str
    anchor: str


class FiguresGridForm(forms.Form):
    """A field per cell of the month's grid; ``proposed`` holds the figures to save once valid."""

    def __init__(self, data=None, *, period, rows, existing):
        """``rows``: each indicator with its rows' groups (None for all people), in order."""
        # A copy, so a cell refused as stale can carry the version the user has now seen.
        super().__init__(data.copy() if data is not None else None)
        self.period = period
        self.cells: list[Cell] = []
        self.proposed: list[tuple[Cell, measurements.ProposedFigure]] = []
        for indicator, groups in rows:
            for group in groups:
                key = (indicator.pk, group.pk if group else None)
                cell = Cell(indicator, group, period, existing.get(key))
                self._add_fields(cell)
                self.cells.append(cell)

    def _add_fields(self, cell: Cell) -> None:
        m = cell.existing
        if cell.indicator.metric.is_percentage:
            parts = {
                "numerator": NumberField(
                    whole=True,
                    min_value=0,
                    min_message="The numerator cannot be negative.",
                    initial=m.numerator if m else None,
                ),
                "denominator": NumberField(
                    whole=True,
                    min_value=1,
                    min_message="The denominator must be more than zero.",
                    initial=m.denominator if m else None,
                ),
            }
        else:
            parts = {"value": NumberField(initial=as_typed(m.value) if m else None)}
        for part, number in parts.items():
            number.label = cell.label("" if part == "value" else part)
            number.widget.attrs["class"] = "nhsuk-input--width-5"
            self.fields[f"{cell.prefix}-{part}"] = number
        self.fields[f"{cell.prefix}-version"] = forms.IntegerField(
            required=False,
            widget=forms.HiddenInput,
            initial=m.version if m else None,
            error_messages={"invalid": "The form is incomplete: reload the page and try again."},
        )
        cell.inputs = [self[f"{cell.prefix}-{part}"] for part in parts]
        cell.version = self[f"{cell.prefix}-version"]

    def parts_of(self, cell: Cell) -> dict[str, object]:
        return {bound.name.rsplit("-", 1)[1]: self.cleaned_data.get(bound.name) for bound in cell.inputs}

    def clean(self):
        for cell in self.cells:
            if any(bound.name in self.errors for bound in cell.inputs):
                continue
            parts = self.parts_of(cell)
            opened_at = self.cleaned_data.get(f"{cell.prefix}-version")
            current = cell.existing
            if all(value is None for value in parts.values()):
                if current and opened_at is not None and not cell.is_locked:
                    self.add_error(
                        cell.inputs[0].name,
                        "Enter a number: a saved figure cannot be removed, only corrected.",
                    )
                continue
            proposed = measurements.ProposedFigure(
                indicator=cell.indicator,
                period=self.period,
                group=cell.breakdown_group,
                opened_at=opened_at or measurements.NO_FIGURE_SEEN,
                **parts,
            )
            self.proposed.append((cell, proposed))
        return self.cleaned_data

    def add_refusals(self, outcomes: list[measurements.Outcome]) -> None:
        """Put each refused figure's messages on its cell: the part they name, else the cell's first input.

        A cell someone else changed now carries the version the user has seen: saving again overrides it,
        knowingly.
        """
        for (cell, _), outcome in zip(self.proposed, outcomes, strict=True):
            if outcome.stale:
                self.data[cell.version.name] = outcome.existing.version
            names = {bound.name.rsplit("-", 1)[1]: bound.name for bound in cell.inputs}
            for part, part_messages in outcome.figure.errors.items():
                for message in part_messages:
                    self.add_error(names.get(part, cell.inputs[0].name), message)

    def summary_errors(self) -> list[GridError]:
        """Every error, in grid order, each naming its cell, for the error summary."""
        first = self.cells[0].inputs[0].auto_id if self.cells else ""
        errors = [GridError(str(message), first) for message in self.non_field_errors()]
        for cell in self.cells:
            errors += [GridError(str(message), first) for message in cell.version.errors]
            for bound in cell.inputs:
                errors += [GridError(f"{bound.label}: {message}", bound.auto_id) for message in bound.errors]
        return errors


def figures_grid_latest(request: HttpRequest, adoption_pk: int) -> HttpResponse:
    """The month picker's target: the month asked for, or else the last complete month."""
    adoption = adoption_to_change(request, adoption_pk)
    open_months = months_open(adoption)
    try:
        period = month_from_url(request.GET.get("month", ""))
    except Http404:
        period = None
    if period not in open_months:
        last_complete = last_complete_month()
        # An adoption that began this month has no complete month yet: its first month, then.
        period = last_complete if last_complete in open_months else first_month(adoption)
    return redirect(month_url(adoption, period, breakdown_asked(request.GET)))


def figures_grid(request: HttpRequest, adoption_pk: int, month: str) -> HttpResponse:
    adoption = adoption_to_change(request, adoption_pk)
    period = month_from_url(month)
    # Months outside the adoption's are never offered. A grid posted for one anyway (say, the start
    # date was corrected while it was open) meets the model's own rules, at each cell.
    if request.method != "POST":
        if period > this_month():
            raise Http404("Figures can be entered only for this month and earlier months.")
        if period < first_month(adoption):
            raise Http404(f"This adoption began in {adoption.started_on:%B %Y}: choose a month from then on.")
    # The hub's dimensions with their groups (its own PLUS groups, never another hub's): one query.
    dimensions = breakdowns.dimensions_of_hub(adoption.hub_id)
    asked = breakdown_asked(request.POST if request.method == "POST" else request.GET)
    chosen = next((dimension for dimension in dimensions if dimension.code == asked), None)
    # The adoption's related manager hands each indicator this adoption: no query per indicator.
    indicators = list(
        adoption.indicators.select_related("metric").order_by("metric__dimension", "metric__name")
    )
    existing = {
        (m.indicator_id, m.group_id): m
        for m in Measurement.objects.filter(indicator__adoption=adoption, period=period).select_related(
            "group__dimension"
        )
    }
    # An indicator broken down by a dimension in any month shows that dimension's rows in every month.
    broken_down = breakdowns.dimensions_with_figures(indicator.pk for indicator in indicators)
    rows = [
        (
            indicator,
            grid_groups(
                indicator,
                dimensions,
                broken_down.get(indicator.pk, set()) | ({chosen.pk} if chosen else set()),
                existing,
            ),
        )
        for indicator in indicators
    ]
    form = FiguresGridForm(
        request.POST if request.method == "POST" else None, period=period, rows=rows, existing=existing
    )
    breakdown = chosen.code if chosen else ""
    if form.is_bound:
        valid = form.is_valid()  # reads every cell, and lists the figures to save in form.proposed
        proposed = [figure for _, figure in form.proposed]
        if not valid:
            # Check the cells that could be read too (writing nothing), so every problem shows at once.
            form.add_refusals(measurements.measurements_check(proposed, by=request.user))
        else:
            try:
                outcomes = measurements.measurements_save(proposed, by=request.user)
            except measurements.FiguresRefused as refused:
                form.add_refusals(refused.outcomes)
            except ValidationError as exc:  # someone saved the same new cells at the same moment
                form.add_error(None, exc)
            else:
                if outcomes:
                    saved = sum(
                        outcome.status in (measurements.NEW, measurements.CHANGED) for outcome in outcomes
                    )
                    messages.success(
                        request,
                        f"Saved {saved} figure{'' if saved == 1 else 's'} as submitted "
                        f"({len(outcomes) - saved} unchanged).",
                    )
                else:
                    messages.info(request, "There were no figures to save: every cell was blank.")
                return redirect(month_url(adoption, period, breakdown))
    flags = flags_for([indicator.pk for indicator in indicators], [period], user=request.user)
    for cell in form.cells:
        if cell.breakdown_group is None:
            cell.flags = flags.get((cell.indicator.pk, period), [])
    previous_month, next_month = add_months(period, -1), add_months(period, 1)
    return render(
        request,
        "evaluation/figures_grid.html",
        {
            "adoption": adoption,
            "period": period,
            "form": form,
            "indicators": indicators,
            "dimensions": dimensions,
            "chosen": chosen,
            "can_add_groups": roles_of(request.user).leads(adoption.hub_id),
            "months": months_open(adoption),
            "previous_url": month_url(adoption, previous_month, breakdown)
            if previous_month >= first_month(adoption)
            else None,
            "previous_month": previous_month,
            "next_url": month_url(adoption, next_month, breakdown) if next_month <= this_month() else None,
            "next_month": next_month,
        },
    )
