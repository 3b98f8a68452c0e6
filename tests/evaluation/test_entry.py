"""Hub staff choose an adoption's indicators and enter its monthly figures in a grid."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.concurrency import EditConflict
from core.people import display_name
from evaluation.measurements import measurement_edit, measurements_review
from evaluation.models import Indicator, IndicatorSummary, Measurement, Metric
from evaluation.services import indicator_add, indicator_update
from evaluation.vocabulary import AGE_BAND, ETHNIC_GROUP, IMD, PLUS, SEX
from tests.factories import (
    AdoptionFactory,
    IndicatorFactory,
    MeasurementFactory,
    MetricFactory,
    PlusGroupFactory,
    breakdown_group,
    imd,
    last_month,
    member_of,
    percentage_metric,
)
from tests.pages import warm_todo_count

pytestmark = pytest.mark.django_db


def month_before(period: datetime.date) -> datetime.date:
    return (period - datetime.timedelta(days=1)).replace(day=1)


def this_month() -> datetime.date:
    return timezone.localdate().replace(day=1)


@pytest.fixture
def people():
    return MetricFactory()


@pytest.fixture
def bp():
    return percentage_metric()


@pytest.fixture
def enrolled(adoption, people):
    return IndicatorFactory(adoption=adoption, metric=people)


@pytest.fixture
def controlled(adoption, bp):
    return IndicatorFactory(adoption=adoption, metric=bp)


# Choosing indicators ----------------------------------------------------------------------------


def choose_url(adoption):
    return reverse("evaluation:indicators_choose", args=[adoption.pk])


def test_hub_staff_add_an_indicator_with_a_target_and_baseline(client, adoption, owner, people):
    client.force_login(owner)
    response = client.post(
        choose_url(adoption), {"metric": people.pk, "target": "1,250", "baseline_length": "6"}, follow=True
    )
    indicator = Indicator.objects.get(adoption=adoption)
    assert (indicator.metric, indicator.target, indicator.baseline_length) == (people, 1250, 6)
    assert IndicatorSummary.objects.filter(indicator=indicator).exists()  # the dashboards know it at once
    assert "“People enrolled” added to the indicators." in response.content.decode()
    assert indicator.history.first().history_user == owner


def test_the_metric_list_offers_only_metrics_not_reported_yet(client, adoption, owner, enrolled, bp):
    client.force_login(owner)
    choices = client.get(choose_url(adoption)).context["form"].fields["metric"].choices
    offered = [label for _, options in choices[1:] for _, label in options]
    assert offered == ["Blood pressure controlled to target (%)"]


def test_a_metric_reported_already_is_refused_at_the_metric(client, adoption, owner, enrolled, people):
    client.force_login(owner)
    response = client.post(choose_url(adoption), {"metric": people.pk, "target": "", "baseline_length": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["metric"] == ["This adoption already reports “People enrolled”."]
    assert Indicator.objects.filter(adoption=adoption).count() == 1


def test_a_baseline_of_one_month_is_refused(client, adoption, owner, people):
    client.force_login(owner)
    response = client.post(choose_url(adoption), {"metric": people.pk, "baseline_length": "1"})
    assert response.context["form"].errors["baseline_length"] == ["A baseline needs at least 2 months."]
    with pytest.raises(ValidationError) as refused:
        indicator_add(adoption=adoption, metric=people, baseline_length=1, by=owner)
    assert refused.value.message_dict == {"baseline_length": ["A baseline needs at least 2 months."]}
    assert not Indicator.objects.exists()


def test_a_target_that_is_not_a_number_is_refused(client, adoption, owner, people):
    client.force_login(owner)
    response = client.post(choose_url(adoption), {"metric": people.pk, "target": "lots"})
    assert response.context["form"].errors["target"] == ["Enter a number."]
    assert not Indicator.objects.exists()


@pytest.mark.parametrize("who", ["reader", "evaluator_user"])
def test_only_the_hubs_own_staff_choose_its_indicators(client, request, adoption, people, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    assert client.get(choose_url(adoption)).status_code == 403
    assert client.post(choose_url(adoption), {"metric": people.pk}).status_code == 403
    with pytest.raises(PermissionDenied):
        indicator_add(adoption=adoption, metric=people, by=user)
    assert not Indicator.objects.exists()


def test_an_unknown_adoption_is_not_found(client, owner):
    client.force_login(owner)
    assert client.get(reverse("evaluation:indicators_choose", args=[999999])).status_code == 404
    assert client.get(reverse("evaluation:figures_grid", args=[999999, "2025-01"])).status_code == 404


def test_the_adoption_page_links_its_own_staff_to_both_pages(client, adoption, owner, reader):
    links = [choose_url(adoption), reverse("evaluation:figures_grid_latest", args=[adoption.pk])]
    client.force_login(owner)
    html = client.get(adoption.get_absolute_url()).content.decode()
    assert all(link in html for link in links)
    client.force_login(reader)
    html = client.get(adoption.get_absolute_url()).content.decode()
    assert not any(link in html for link in links)


# Changing a target ------------------------------------------------------------------------------


def edit_url(indicator):
    return reverse("evaluation:indicator_edit", args=[indicator.pk])


def test_hub_staff_change_a_target(client, enrolled, owner):
    client.force_login(owner)
    response = client.post(edit_url(enrolled), {"target": "80", "version": 1})
    assert response.status_code == 302
    enrolled.refresh_from_db()
    assert (enrolled.target, enrolled.version) == (80, 2)


def test_a_stale_target_is_refused_with_what_changed_and_can_then_be_saved_knowingly(
    client, adoption, people, owner
):
    indicator = IndicatorFactory(adoption=adoption, metric=people, target=Decimal("70"))
    colleague = member_of(adoption.hub, username="colleague", first_name="Sam", last_name="Jones")
    client.force_login(owner)
    opened_at = client.get(edit_url(indicator)).context["form"]["version"].value()
    indicator_update(indicator=indicator, by=colleague, version=opened_at, target=Decimal("80"))

    refused = client.post(edit_url(indicator), {"target": "90", "version": opened_at})

    html = refused.content.decode()
    assert "Someone else saved this since you opened it" in html
    assert "Target is now “80.0000” (was “70.0000”), changed by Sam Jones" in html
    indicator.refresh_from_db()
    assert indicator.target == 80
    # The page now carries the version the user has seen: saving again is a deliberate override.
    seen = refused.context["form"]["version"].value()
    assert client.post(edit_url(indicator), {"target": "90", "version": seen}).status_code == 302
    indicator.refresh_from_db()
    assert indicator.target == 90


@pytest.mark.parametrize("who", ["reader", "evaluator_user"])
def test_only_the_hubs_own_staff_change_a_target(client, request, enrolled, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    assert client.post(edit_url(enrolled), {"target": "5", "version": 1}).status_code == 403
    with pytest.raises(PermissionDenied):
        indicator_update(indicator=enrolled, by=user, version=1, target=Decimal("5"))
    enrolled.refresh_from_db()
    assert enrolled.target is None


def test_a_stale_target_is_refused_by_the_service(enrolled, owner):
    indicator_update(indicator=enrolled, by=owner, version=1, target=Decimal("5"))
    with pytest.raises(EditConflict):
        indicator_update(
            indicator=Indicator.objects.get(pk=enrolled.pk), by=owner, version=1, target=Decimal("6")
        )


# The monthly grid -------------------------------------------------------------------------------


def grid_url(adoption, period, breakdown=""):
    url = reverse("evaluation:figures_grid", args=[adoption.pk, f"{period:%Y-%m}"])
    return url + (f"?breakdown={breakdown}" if breakdown else "")


def cell(indicator, part, group=None):
    """A grid input's name: the indicator's figure for all people, or for a breakdown group."""
    return f"i{indicator.pk}-g{group.pk if group else 'all'}-{part}"


def as_opened(response) -> dict[str, str]:
    """What the browser sends back from the page as it was opened: every input shown, as it was filled."""
    form = response.context["form"]
    data = {}
    if response.context["chosen"]:
        data["breakdown"] = response.context["chosen"].code
    for each in form.cells:
        if each.is_locked:  # shown as text, not as inputs
            continue
        for bound in [*each.inputs, each.version]:
            value = bound.value()
            data[bound.html_name] = "" if value is None else str(value)
    return data


def open_grid(client, adoption, period, **query):
    response = client.get(grid_url(adoption, period, **query))
    assert response.status_code == 200
    return as_opened(response)


def test_three_months_of_figures_are_saved_as_submitted(client, adoption, owner, enrolled, controlled):
    client.force_login(owner)
    months = [last_month(), month_before(last_month()), month_before(month_before(last_month()))]
    for n, period in enumerate(months):
        data = open_grid(client, adoption, period)
        data.update(
            {
                cell(enrolled, "value"): str(100 + n),
                cell(controlled, "numerator"): "40",
                cell(controlled, "denominator"): str(80 + n),
            }
        )
        response = client.post(grid_url(adoption, period), data, follow=True)
        assert "Saved 2 figures as submitted (0 unchanged)." in response.content.decode()
    saved = Measurement.objects.order_by("period", "indicator")
    assert saved.count() == 6
    assert {m.status for m in saved} == {"submitted"}
    assert {m.submitted_by for m in saved} == {owner}
    assert sorted(m.value for m in saved if m.value is not None) == [100, 101, 102]
    assert IndicatorSummary.objects.get(indicator=enrolled).points == 3


def test_saving_the_grid_again_unchanged_says_so(client, adoption, owner, enrolled):
    MeasurementFactory(indicator=enrolled, value=12, submitted_by=owner)
    client.force_login(owner)
    data = open_grid(client, adoption, last_month())
    assert data[cell(enrolled, "value")] == "12"  # prefilled as typed, not "12.0000"
    response = client.post(grid_url(adoption, last_month()), data, follow=True)
    assert "Saved 0 figures as submitted (1 unchanged)." in response.content.decode()


def test_a_uk_thousands_separator_is_accepted(client, adoption, owner, enrolled, controlled):
    client.force_login(owner)
    data = open_grid(client, adoption, last_month())
    data.update(
        {
            cell(enrolled, "value"): "1,234",
            cell(controlled, "numerator"): "1,000",
            cell(controlled, "denominator"): "12,500",
        }
    )
    assert client.post(grid_url(adoption, last_month()), data).status_code == 302
    assert Measurement.objects.get(indicator=enrolled).value == 1234
    percentage = Measurement.objects.get(indicator=controlled)
    assert (percentage.numerator, percentage.denominator) == (1000, 12500)


@pytest.mark.parametrize(
    ("typed", "part", "message"),
    [
        ({"value": "lots"}, "value", "Enter a number."),
        ({"value": "1,2,3"}, "value", "Enter a number."),
        ({"value": "-5"}, "value", "The value cannot be negative."),
        ({"value": "2.5"}, "value", "A count must be a whole number."),
        (
            {"numerator": "30", "denominator": "20"},
            "numerator",
            "The numerator cannot be more than the denominator.",
        ),
        ({"numerator": "lots"}, "numerator", "Enter a whole number."),
        ({"numerator": "-1"}, "numerator", "The numerator cannot be negative."),
        ({"denominator": "0"}, "denominator", "The denominator must be more than zero."),
        ({"denominator": ""}, "numerator", "A percentage needs a numerator and a denominator."),
    ],
)
def test_a_bad_cell_is_refused_at_the_cell_and_nothing_is_saved(
    client, adoption, owner, enrolled, controlled, typed, part, message
):
    client.force_login(owner)
    data = open_grid(client, adoption, last_month())
    # Good figures in every cell, then the bad one: the good ones must not be saved either.
    data |= {
        cell(enrolled, "value"): "7",
        cell(controlled, "numerator"): "1",
        cell(controlled, "denominator"): "2",
    }
    indicator = enrolled if "value" in typed else controlled
    data |= {cell(indicator, name): text for name, text in typed.items()}

    response = client.post(grid_url(adoption, last_month()), data)

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors[cell(indicator, part)] == [message]
    label = form.fields[cell(indicator, part)].label
    html = response.content.decode()
    assert f"{label}: {message}" in html  # the error summary names the cell
    assert f'href="#id_{cell(indicator, part)}"' in html
    assert not Measurement.objects.exists()


def test_each_input_is_labelled_with_its_indicator_people_and_month(
    client, adoption, owner, enrolled, controlled
):
    client.force_login(owner)
    html = client.get(grid_url(adoption, last_month())).content.decode()
    month = f"{last_month():%B %Y}"
    assert f"People enrolled, all people, {month}</span>" in html
    assert f"Blood pressure controlled to target, numerator, all people, {month}</span>" in html


def test_a_month_in_the_future_or_before_the_adoption_began_is_not_offered(client, adoption, owner, enrolled):
    client.force_login(owner)
    future = (this_month() + datetime.timedelta(days=32)).replace(day=1)
    before = month_before(adoption.started_on.replace(day=1))
    for period in (future, before):
        assert client.get(grid_url(adoption, period)).status_code == 404
    assert client.get(reverse("evaluation:figures_grid", args=[adoption.pk, "2025-13"])).status_code == 404


def test_this_month_is_open_but_not_the_next(client, adoption, owner, enrolled):
    client.force_login(owner)
    response = client.get(grid_url(adoption, this_month()))
    assert response.status_code == 200
    assert response.context["next_url"] is None


def test_a_grid_posted_for_a_month_outside_the_adoption_is_refused_at_each_cell(
    client, adoption, owner, enrolled
):
    """Say the start date was corrected while the grid was open: the typing comes back, refused."""
    client.force_login(owner)
    future = (this_month() + datetime.timedelta(days=32)).replace(day=1)
    before = month_before(adoption.started_on.replace(day=1))
    for period, message in [
        (future, "The month cannot be in the future."),
        (before, "The month cannot be before the adoption began."),
    ]:
        response = client.post(grid_url(adoption, period), {cell(enrolled, "value"): "5"})
        assert response.status_code == 200
        assert response.context["form"].errors[cell(enrolled, "value")] == [message]
    assert not Measurement.objects.exists()


def test_an_approved_figure_is_shown_locked_and_cannot_be_changed(
    client, adoption, owner, enrolled, controlled
):
    approved = MeasurementFactory(indicator=enrolled, value=10, status="approved")
    client.force_login(owner)
    response = client.get(grid_url(adoption, last_month()))
    html = response.content.decode()
    assert "Approved, locked" in html
    assert f'name="{cell(enrolled, "value")}"' not in html  # not offered as an input

    data = as_opened(response) | {
        cell(enrolled, "value"): "11",  # a hand-made request
        cell(enrolled, "version"): "1",
        cell(controlled, "numerator"): "1",
        cell(controlled, "denominator"): "2",
    }
    refused = client.post(grid_url(adoption, last_month()), data)

    assert refused.context["form"].errors[cell(enrolled, "value")] == [
        "This month's figure is approved and locked; ask an evaluator to return it."
    ]
    approved.refresh_from_db()
    assert (approved.value, approved.status) == (10, "approved")
    assert Measurement.objects.count() == 1


def test_a_returned_figure_shows_the_evaluators_note_and_goes_back_as_submitted(
    client, adoption, owner, enrolled, evaluator_user
):
    returned = MeasurementFactory(indicator=enrolled, value=10)
    measurements_review(
        measurements=Measurement.objects.filter(pk=returned.pk),
        by=evaluator_user,
        approve=False,
        note="Too low?",
    )
    client.force_login(owner)
    response = client.get(grid_url(adoption, last_month()))
    assert "Evaluator's note: Too low?" in response.content.decode()
    data = as_opened(response) | {cell(enrolled, "value"): "14"}
    assert client.post(grid_url(adoption, last_month()), data).status_code == 302
    returned.refresh_from_db()
    assert (returned.value, returned.status, returned.review_note) == (14, "submitted", "")


def test_a_figure_changed_since_the_grid_was_opened_is_refused_and_nothing_is_saved(
    client, adoption, owner, enrolled, controlled
):
    figure = MeasurementFactory(indicator=enrolled, value=10)
    client.force_login(owner)
    data = open_grid(client, adoption, last_month())
    measurement_edit(measurement=figure, by=owner, version=1, value=Decimal("11"))  # a colleague's save
    data |= {
        cell(enrolled, "value"): "12",
        cell(controlled, "numerator"): "1",
        cell(controlled, "denominator"): "2",
    }

    refused = client.post(grid_url(adoption, last_month()), data)

    figure.refresh_from_db()
    assert refused.context["form"].errors[cell(enrolled, "value")] == [
        "Someone else changed this figure since you opened the page: it is now 11, "
        + f"changed by {display_name(owner)} on {timezone.localtime(figure.submitted_at):%-d %b %Y at %H:%M}."
    ]
    assert figure.value == 11
    assert Measurement.objects.count() == 1
    # Having seen the new figure, saving the page again overrides it knowingly.
    again = as_opened(refused)
    assert again[cell(enrolled, "version")] == "2"
    assert client.post(grid_url(adoption, last_month()), again).status_code == 302
    figure.refresh_from_db()
    assert figure.value == 12


def test_a_figure_only_reviewed_since_the_grid_was_opened_does_not_block_the_others(
    client, adoption, owner, enrolled, controlled, evaluator_user
):
    figure = MeasurementFactory(indicator=enrolled, value=10)
    client.force_login(owner)
    data = open_grid(client, adoption, last_month())
    measurements_review(
        measurements=Measurement.objects.filter(pk=figure.pk), by=evaluator_user, approve=False, note="Check"
    )
    data |= {cell(controlled, "numerator"): "1", cell(controlled, "denominator"): "2"}
    response = client.post(grid_url(adoption, last_month()), data, follow=True)
    assert "Saved 1 figure as submitted (1 unchanged)." in response.content.decode()


def test_a_saved_figure_cannot_be_blanked(client, adoption, owner, enrolled):
    MeasurementFactory(indicator=enrolled, value=10)
    client.force_login(owner)
    data = open_grid(client, adoption, last_month()) | {cell(enrolled, "value"): ""}
    response = client.post(grid_url(adoption, last_month()), data)
    assert response.context["form"].errors[cell(enrolled, "value")] == [
        "Enter a number: a saved figure cannot be removed, only corrected."
    ]
    assert Measurement.objects.get().value == 10


def test_imd_quintile_rows_when_asked_for(client, adoption, owner, enrolled):
    client.force_login(owner)
    data = open_grid(client, adoption, last_month(), breakdown=IMD)
    assert cell(enrolled, "value", imd(5)) in data
    data |= {
        cell(enrolled, "value"): "100",
        **{cell(enrolled, "value", imd(q)): str(q * 10) for q in range(1, 6)},
    }
    response = client.post(grid_url(adoption, last_month()), data, follow=True)
    assert "Saved 6 figures as submitted (0 unchanged)." in response.content.decode()
    assert sorted(Measurement.objects.exclude(group=None).values_list("group__code", "value")) == [
        (str(q), q * 10) for q in range(1, 6)
    ]
    # Once broken down, the quintile rows show in every month without asking.
    assert cell(enrolled, "value", imd(1)) in open_grid(client, adoption, month_before(last_month()))


def test_an_old_link_to_the_quintile_rows_still_opens_them(client, adoption, owner, enrolled):
    client.force_login(owner)
    url = reverse("evaluation:figures_grid", args=[adoption.pk, f"{last_month():%Y-%m}"])
    response = client.get(f"{url}?quintiles=1")
    assert response.context["chosen"].code == IMD
    assert cell(enrolled, "value", imd(3)) in as_opened(response)


def test_no_breakdown_rows_unless_asked_or_already_given(client, adoption, owner, enrolled):
    client.force_login(owner)
    assert cell(enrolled, "value", imd(1)) not in open_grid(client, adoption, last_month())


def test_a_figure_broken_down_by_ethnic_group_is_entered_in_the_grid(client, adoption, owner, enrolled):
    client.force_login(owner)
    page = client.get(grid_url(adoption, last_month(), ETHNIC_GROUP))
    html = page.content.decode()
    assert "Ethnic group: Black, Black British, Black Welsh, Caribbean or African" in html
    white, asian = breakdown_group(ETHNIC_GROUP, "white"), breakdown_group(ETHNIC_GROUP, "asian")
    data = as_opened(page) | {
        cell(enrolled, "value"): "100",
        cell(enrolled, "value", white): "70",
        cell(enrolled, "value", asian): "120",  # more than everyone: refused at its cell
    }
    errors = client.post(grid_url(adoption, last_month()), data).context["form"].errors
    assert errors[cell(enrolled, "value", asian)] == [
        "The count cannot be more than the month's total for all people (100)."
    ]
    assert not Measurement.objects.exists()
    data[cell(enrolled, "value", asian)] = "20"
    response = client.post(grid_url(adoption, last_month()), data, follow=True)
    assert "Saved 3 figures as submitted (0 unchanged)." in response.content.decode()
    assert dict(Measurement.objects.exclude(group=None).values_list("group__code", "value")) == {
        "white": 70,
        "asian": 20,
    }
    # The ethnic groups show from now on, with no other dimension's.
    later = open_grid(client, adoption, month_before(last_month()))
    assert cell(enrolled, "value", white) in later and cell(enrolled, "value", imd(1)) not in later


def test_a_hubs_own_plus_groups_are_offered_to_it_and_to_no_other_hub(
    client, adoption, owner, enrolled, other_hub
):
    ours = PlusGroupFactory(hub=adoption.hub, label="People experiencing homelessness")
    theirs = PlusGroupFactory(hub=other_hub, label="Gypsy, Roma and Traveller communities")
    archived = PlusGroupFactory(hub=adoption.hub, label="Coastal communities", archived=True)
    client.force_login(owner)
    page = client.get(grid_url(adoption, last_month(), PLUS))
    html = page.content.decode()
    assert "PLUS group: People experiencing homelessness" in html
    assert "Gypsy" not in html and "Coastal" not in html  # another hub's, and an archived one
    data = as_opened(page)
    assert cell(enrolled, "value", ours) in data
    # Another hub's group (or an archived one) slipped into the post is not a cell: nothing is saved for it.
    data |= {
        cell(enrolled, "value"): "50",
        cell(enrolled, "value", theirs): "5",
        cell(enrolled, "value", archived): "4",
    }
    client.post(grid_url(adoption, last_month()), data)
    assert list(Measurement.objects.values_list("group", flat=True)) == [None]


def test_a_hub_without_plus_groups_is_not_offered_the_plus_breakdown(client, adoption, owner, enrolled):
    client.force_login(owner)
    codes = [
        dimension.code for dimension in client.get(grid_url(adoption, last_month())).context["dimensions"]
    ]
    assert codes == [IMD, ETHNIC_GROUP, AGE_BAND, SEX]


def test_the_grids_queries_do_not_grow_with_the_number_of_groups(client, adoption, owner, enrolled):
    """Seven age bands or two sexes, with a few PLUS groups or many: the same queries."""
    MeasurementFactory(indicator=enrolled, value=100)

    def queries_for(breakdown: str) -> int:
        warm_todo_count(client)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(grid_url(adoption, last_month(), breakdown))
        assert response.status_code == 200
        return len(captured)

    client.force_login(owner)
    PlusGroupFactory(hub=adoption.hub)
    few = queries_for(PLUS)
    for _ in range(8):
        PlusGroupFactory(hub=adoption.hub)
    assert queries_for(PLUS) == few == queries_for(AGE_BAND) == queries_for(SEX)


@pytest.mark.parametrize("who", ["reader", "evaluator_user"])
def test_only_the_hubs_own_staff_open_or_post_its_grid(client, request, adoption, enrolled, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(grid_url(adoption, last_month())).status_code == 403
    response = client.post(grid_url(adoption, last_month()), {cell(enrolled, "value"): "5"})
    assert response.status_code == 403
    assert not Measurement.objects.exists()


def test_another_hubs_indicators_cannot_be_slipped_into_a_grid(client, adoption, enrolled, reader, other_hub):
    """A member of another hub posts their own grid with this hub's indicator ids swapped in."""
    own = IndicatorFactory(adoption=AdoptionFactory(hub=other_hub), metric=enrolled.metric)
    client.force_login(reader)
    data = open_grid(client, own.adoption, last_month())
    data = {name.replace(f"i{own.pk}-", f"i{enrolled.pk}-"): value for name, value in data.items()}
    data[cell(enrolled, "value")] = "5"
    response = client.post(grid_url(own.adoption, last_month()), data, follow=True)
    assert response.status_code == 200
    assert not Measurement.objects.filter(indicator=enrolled).exists()


def test_the_grid_opens_at_the_last_complete_month_or_the_month_chosen(client, adoption, owner):
    client.force_login(owner)
    latest = reverse("evaluation:figures_grid_latest", args=[adoption.pk])
    assert client.get(latest).url == grid_url(adoption, last_month())
    earlier = month_before(last_month())
    assert client.get(f"{latest}?month={earlier:%Y-%m}&breakdown=sex").url == grid_url(adoption, earlier, SEX)
    assert client.get(f"{latest}?month={earlier:%Y-%m}&quintiles=1").url == grid_url(adoption, earlier, IMD)
    assert client.get(f"{latest}?month=2999-01").url == grid_url(adoption, last_month())


def test_the_grid_links_to_the_months_either_side(client, adoption, owner, enrolled):
    client.force_login(owner)
    period = month_before(last_month())
    response = client.get(grid_url(adoption, period))
    assert response.context["previous_url"] == grid_url(adoption, month_before(period))
    assert response.context["next_url"] == grid_url(adoption, last_month())
    first = client.get(grid_url(adoption, adoption.started_on.replace(day=1)))
    assert first.context["previous_url"] is None


def test_the_grid_page_costs_the_same_queries_however_many_indicators(client, owner, hub):
    def queries_for(count: int) -> int:
        adoption = AdoptionFactory(hub=hub)
        for n in range(count):
            percentage = n % 2 == 1
            metric = MetricFactory(
                code=f"metric-{count}-{n}",
                name=f"Metric {n}",
                kind=Metric.Kind.PERCENTAGE if percentage else Metric.Kind.COUNT,
            )
            indicator = IndicatorFactory(adoption=adoption, metric=metric)
            if percentage:
                MeasurementFactory(
                    indicator=indicator, value=None, numerator=1, denominator=2, status="returned"
                )
            else:
                MeasurementFactory(indicator=indicator, value=3, status="approved")
                MeasurementFactory(indicator=indicator, group=imd(1), value=1)
        client.force_login(owner)
        warm_todo_count(client)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(grid_url(adoption, last_month())).status_code == 200
        return len(captured)

    assert queries_for(1) == queries_for(6)


def test_every_problem_in_the_grid_shows_at_once(client, adoption, owner, enrolled, controlled):
    client.force_login(owner)
    data = open_grid(client, adoption, last_month()) | {
        cell(enrolled, "value"): "lots",
        cell(controlled, "numerator"): "30",
        cell(controlled, "denominator"): "20",
    }
    errors = client.post(grid_url(adoption, last_month()), data).context["form"].errors
    assert errors[cell(enrolled, "value")] == ["Enter a number."]
    assert errors[cell(controlled, "numerator")] == ["The numerator cannot be more than the denominator."]
    assert not Measurement.objects.exists()


def test_a_blank_grid_saves_nothing_and_says_so(client, adoption, owner, enrolled):
    client.force_login(owner)
    data = open_grid(client, adoption, last_month())
    response = client.post(grid_url(adoption, last_month()), data, follow=True)
    assert "There were no figures to save: every cell was blank." in response.content.decode()
    assert not Measurement.objects.exists()
