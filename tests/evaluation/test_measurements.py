"""The one measurement service: batches of one or many (grid, upload, single edit), all or nothing."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evaluation import measurements, summaries, uploads
from evaluation.measurements import ProposedFigure
from evaluation.models import Indicator, Measurement, MeasurementUpload
from evaluation.vocabulary import SEX
from tests.factories import (
    HubFactory,
    IndicatorFactory,
    MeasurementFactory,
    PlusGroupFactory,
    ahsn_admin,
    breakdown_group,
    imd,
    last_month,
    member_of,
    percentage_metric,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def indicator(adoption):
    return Indicator.objects.select_related("metric", "adoption").get(
        pk=IndicatorFactory(adoption=adoption).pk
    )


def proposed(indicator, value, **kwargs):
    kwargs.setdefault("period", last_month())
    return ProposedFigure(indicator=indicator, value=Decimal(value), **kwargs)


def statuses(outcomes):
    return [outcome.status for outcome in outcomes]


def test_figures_are_sorted_into_new_changed_unchanged_and_errors(indicator, owner):
    MeasurementFactory(indicator=indicator, period=last_month(), value=5)
    MeasurementFactory(indicator=indicator, period=last_month(), group=imd(1), value=2)
    outcomes = measurements.measurements_check(
        [
            proposed(indicator, "5"),
            proposed(indicator, "3", group=imd(1)),
            proposed(indicator, "1", group=imd(2)),
            proposed(indicator, "-1", group=imd(3)),
        ],
        by=owner,
    )
    assert statuses(outcomes) == ["unchanged", "changed", "new", "error"]
    assert outcomes[3].messages == ["The value cannot be negative."]
    assert Measurement.objects.count() == 2  # checking writes nothing


def test_one_bad_figure_saves_nothing(indicator, owner):
    batch = [proposed(indicator, "4", group=imd(q), row=q + 1) for q in (1, 2)]
    batch.append(proposed(indicator, "2.5", group=imd(3), row=4))
    with pytest.raises(measurements.FiguresRefused) as refused:
        measurements.measurements_save(batch, by=owner)
    assert statuses(refused.value.outcomes) == ["new", "new", "error"]
    assert refused.value.outcomes[2].messages == ["A count must be a whole number."]
    assert Measurement.objects.count() == 0


def test_a_good_batch_is_saved_as_submitted_with_history(indicator, owner):
    existing = MeasurementFactory(indicator=indicator, period=last_month(), value=5, status="returned")
    outcomes = measurements.measurements_save(
        [proposed(indicator, "6"), proposed(indicator, "2", group=imd(1))], by=owner
    )
    assert statuses(outcomes) == ["changed", "new"]
    existing.refresh_from_db()
    assert (existing.value, existing.status, existing.version) == (6, "submitted", 2)
    assert existing.history.first().history_user == owner
    assert Measurement.objects.get(group=imd(1)).submitted_by == owner
    indicator.summary.refresh_from_db()
    assert indicator.summary.latest_value == 6.0


def test_twice_in_one_batch_names_the_first_row(indicator, owner):
    outcomes = measurements.measurements_check(
        [proposed(indicator, "1", row=2), proposed(indicator, "2", row=7)], by=owner
    )
    assert outcomes[1].messages == ["This figure is given twice (first on row 2)."]


def test_approved_figures_are_locked_and_other_hubs_indicators_refused(indicator, owner):
    MeasurementFactory(indicator=indicator, period=last_month(), value=5, status="approved")
    other = Indicator.objects.select_related("metric", "adoption").get(pk=IndicatorFactory().pk)
    outcomes = measurements.measurements_check([proposed(indicator, "6"), proposed(other, "1")], by=owner)
    assert "approved and locked" in outcomes[0].messages[0]
    assert outcomes[1].messages == ["You can only record figures for your own hubs' indicators."]


def test_percentages_need_both_parts_and_cannot_exceed_100(adoption, owner):
    indicator = IndicatorFactory(adoption=adoption, metric=percentage_metric())
    indicator = Indicator.objects.select_related("metric", "adoption").get(pk=indicator.pk)
    outcomes = measurements.measurements_check(
        [
            ProposedFigure(indicator=indicator, period=last_month(), numerator=11, denominator=10),
            ProposedFigure(indicator=indicator, period=last_month(), group=imd(1), numerator=3),
        ],
        by=owner,
    )
    assert outcomes[0].messages == ["The numerator cannot be more than the denominator."]
    assert outcomes[1].messages == ["A percentage needs a numerator and a denominator."]


def test_a_value_and_a_fraction_together_are_refused_before_the_database(indicator, owner):
    outcomes = measurements.measurements_check(
        [
            ProposedFigure(
                indicator=indicator, period=last_month(), value=Decimal("3"), numerator=1, denominator=2
            )
        ],
        by=owner,
    )
    assert outcomes[0].messages == ["This metric takes a value, not a numerator and a denominator."]


# One path, whatever the entry --------------------------------------------------------------------


def _figure_state(indicator):
    """What a person would see of an indicator's figures and summary after a save."""
    rows = Measurement.objects.filter(indicator=indicator).order_by("period", "group")
    figures_now = [(m.period, m.group, m.value, m.status, m.submitted_by_id, m.version) for m in rows]
    indicator.summary.refresh_from_db()
    summary = (indicator.summary.latest_value, indicator.summary.points, indicator.summary.includes_submitted)
    return figures_now, summary


def _grid_post(client, indicator, value, version):
    url = reverse("evaluation:figures_grid", args=[indicator.adoption_id, f"{last_month():%Y-%m}"])
    prefix = f"i{indicator.pk}-gall"
    return client.post(url, {f"{prefix}-value": value, f"{prefix}-version": version or ""})


def _upload(client, indicator, value):
    content = f"metric,month,imd_quintile,value\n{indicator.metric.code},{last_month():%Y-%m},,{value}\n"
    file = SimpleUploadedFile("figures.csv", content.encode(), content_type="text/csv")
    client.post(reverse("evaluation:upload", args=[indicator.adoption_id]), {"file": file})
    upload = MeasurementUpload.objects.latest("pk")
    assert upload.status == "checked", upload.message
    client.post(reverse("evaluation:upload_import", args=[indicator.adoption_id, upload.pk]))


def _single_edit(client, indicator, value, version):
    measurement = Measurement.objects.get(indicator=indicator, period=last_month(), group=None)
    client.post(
        reverse("evaluation:measurement_edit", args=[measurement.pk]), {"value": value, "version": version}
    )


@pytest.mark.parametrize("entry", ["grid", "upload", "single edit"])
def test_grid_upload_and_single_edit_give_the_same_figures_and_summary(client, adoption, owner, entry):
    """The same correction through each entry leaves the same figure, history and summary behind."""
    indicator = IndicatorFactory(adoption=adoption)
    earlier = MeasurementFactory(indicator=indicator, period=last_month(), value=5, status="returned")
    summaries.refresh([indicator.pk])
    client.force_login(owner)
    if entry == "grid":
        _grid_post(client, indicator, "7", earlier.version)
    elif entry == "upload":
        _upload(client, indicator, "7")
    else:
        _single_edit(client, indicator, "7", earlier.version)
    figures_now, summary = _figure_state(indicator)
    assert figures_now == [(last_month(), None, Decimal("7"), "submitted", owner.pk, 2)]
    assert summary == (7.0, 1, True)
    assert Measurement.history.filter(id=earlier.pk).latest("history_date").history_user == owner


def test_the_summary_is_refreshed_once_per_batch(indicator, owner, monkeypatch):
    refreshed = []
    monkeypatch.setattr(summaries, "refresh", lambda ids: refreshed.append(sorted(ids)))
    batch = [
        proposed(indicator, str(n), group=q and imd(q))
        for n, q in zip((10, 1, 2, 3), (None, 1, 2, 3), strict=True)
    ]
    measurements.measurements_save(batch, by=owner)
    assert refreshed == [[indicator.pk]]


# Access is the service's, not only the page's -----------------------------------------------------


def test_someone_from_another_hub_is_refused_by_the_service(indicator):
    outsider = member_of(HubFactory())
    with pytest.raises(measurements.FiguresRefused) as refused:
        measurements.measurements_save([proposed(indicator, "3")], by=outsider)
    assert refused.value.outcomes[0].messages == [measurements.NOT_YOURS]
    existing = MeasurementFactory(indicator=indicator, period=last_month(), value=5)
    with pytest.raises(PermissionDenied):
        measurements.measurement_edit(measurement=existing, by=outsider, version=1, value=Decimal("9"))
    existing.refresh_from_db()
    assert (existing.value, Measurement.objects.count()) == (5, 1)


@pytest.mark.parametrize("who", ["owner", "AHSN admin"])
def test_only_evaluators_review_return_and_reopen(indicator, owner, who):
    reader = owner if who == "owner" else ahsn_admin()
    submitted = MeasurementFactory(indicator=indicator, period=last_month(), value=5)
    rows = Measurement.objects.filter(pk=submitted.pk)
    with pytest.raises(PermissionDenied):
        measurements.measurements_review(measurements=rows, by=reader, approve=True)
    with pytest.raises(PermissionDenied):
        measurements.measurements_review(measurements=rows, by=reader, approve=False, note="Check")
    submitted.status = Measurement.Status.APPROVED
    submitted.save()
    with pytest.raises(PermissionDenied):
        measurements.measurements_reopen(measurements=rows, by=reader, note="Wrong month")
    submitted.refresh_from_db()
    assert submitted.status == "approved"


def test_an_upload_to_another_hubs_adoption_is_refused_by_the_pipeline(adoption):
    outsider = member_of(HubFactory())
    with pytest.raises(PermissionDenied):
        uploads.upload_receive(
            adoption=adoption, file_name="figures.csv", content=b"metric,month\n", by=outsider
        )
    assert not MeasurementUpload.objects.exists()


# Reopening, and saves at the same moment ----------------------------------------------------------


def test_an_evaluator_reopens_an_approved_figure_with_a_note(indicator, owner, evaluator_user):
    figure = MeasurementFactory(indicator=indicator, period=last_month(), value=5, status="approved")
    rows = Measurement.objects.filter(pk=figure.pk)
    with pytest.raises(ValidationError):
        measurements.measurements_reopen(measurements=rows, by=evaluator_user, note="  ")
    reopened = measurements.measurements_reopen(measurements=rows, by=evaluator_user, note="Wrong month")
    assert [m.pk for m in reopened] == [figure.pk]
    figure.refresh_from_db()
    assert (figure.status, figure.review_note, figure.version) == ("returned", "Wrong month", 2)
    # The hub can now correct it, from the version it sees.
    measurements.measurement_edit(measurement=figure, by=owner, version=2, value=Decimal("6"))
    figure.refresh_from_db()
    assert (figure.value, figure.status) == (6, "submitted")


def test_a_figure_saved_by_someone_else_between_check_and_write_is_not_overwritten(
    indicator, owner, monkeypatch
):
    figure = MeasurementFactory(indicator=indicator, period=last_month(), value=5)
    checked = measurements.measurements_check([proposed(indicator, "8")], by=owner)  # sees version 1
    colleague = member_of(indicator.adoption.hub)
    measurements.measurement_edit(measurement=figure, by=colleague, version=1, value=Decimal("6"))
    monkeypatch.setattr(measurements, "measurements_check", lambda figures, by: checked)
    with pytest.raises(ValidationError, match="at the same time"):
        measurements.measurements_save([checked[0].figure], by=owner)
    figure.refresh_from_db()
    assert (figure.value, figure.version, figure.submitted_by) == (6, 2, colleague)


def test_a_quintile_count_above_its_total_is_refused(indicator, owner):
    MeasurementFactory(indicator=indicator, period=last_month(), value=40)
    outcomes = measurements.measurements_check([proposed(indicator, "41", group=imd(1))], by=owner)
    assert outcomes[0].messages == ["The count cannot be more than the month's total for all people (40)."]
    # Nor can a total be lowered below a quintile's count, saved or in the same batch.
    MeasurementFactory(indicator=indicator, period=last_month(), group=imd(2), value=30)
    outcomes = measurements.measurements_check([proposed(indicator, "25")], by=owner)
    assert outcomes[0].messages == [
        "The count cannot be less than a group's in the same month (30, IMD quintile: 2)."
    ]
    assert statuses(
        measurements.measurements_check(
            [proposed(indicator, "50"), proposed(indicator, "45", group=imd(1))], by=owner
        )
    ) == ["changed", "new"]


def test_any_breakdowns_group_is_held_to_the_total(indicator, owner):
    MeasurementFactory(indicator=indicator, period=last_month(), value=40)
    female, plus = breakdown_group(SEX, "female"), PlusGroupFactory(hub=indicator.adoption.hub)
    outcomes = measurements.measurements_check(
        [proposed(indicator, "41", group=female), proposed(indicator, "12", group=plus)], by=owner
    )
    assert outcomes[0].messages == ["The count cannot be more than the month's total for all people (40)."]
    assert statuses(outcomes) == ["error", "new"]
    MeasurementFactory(indicator=indicator, period=last_month(), group=plus, value=35)
    outcomes = measurements.measurements_check([proposed(indicator, "30")], by=owner)
    assert outcomes[0].messages == [
        f"The count cannot be less than a group's in the same month (35, PLUS group: {plus.label})."
    ]


def test_another_hubs_own_group_is_refused_and_an_archived_group_takes_no_new_figure(
    indicator, owner, other_hub
):
    theirs = PlusGroupFactory(hub=other_hub)
    archived = PlusGroupFactory(hub=indicator.adoption.hub, archived=True)
    outcomes = measurements.measurements_check(
        [proposed(indicator, "5", group=theirs), proposed(indicator, "4", group=archived)], by=owner
    )
    assert outcomes[0].messages == ["This group is not one of this hub's breakdowns."]
    assert outcomes[1].messages == [f"“{archived}” is archived: it takes no new figures."]
    # A figure saved before the group was archived can still be corrected.
    MeasurementFactory(indicator=indicator, period=last_month(), group=archived, value=3, status="returned")
    assert statuses(
        measurements.measurements_check([proposed(indicator, "4", group=archived)], by=owner)
    ) == ["changed"]


def test_a_quintiles_percentage_parts_cannot_exceed_the_totals(adoption, owner):
    indicator = Indicator.objects.select_related("metric", "adoption").get(
        pk=IndicatorFactory(adoption=adoption, metric=percentage_metric()).pk
    )
    total = ProposedFigure(indicator=indicator, period=last_month(), numerator=10, denominator=20)
    quintile = ProposedFigure(
        indicator=indicator, period=last_month(), group=imd(1), numerator=12, denominator=30
    )
    outcomes = measurements.measurements_check([total, quintile], by=owner)
    assert statuses(outcomes) == ["new", "error"]
    assert outcomes[1].messages == [
        "The numerator cannot be more than the month's total for all people (10).",
        "The denominator cannot be more than the month's total for all people (20).",
    ]
