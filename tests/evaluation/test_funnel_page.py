"""The funnel page: hubs compared on one percentage metric, who may open it, what each person sees, its period."""

import datetime

import pytest
from django.urls import reverse

from core.generations import move_on
from core.months import add_months
from evaluation.comparison import ALL_FUNNELS
from evaluation.measurements import measurements_review
from evaluation.models import Measurement, Metric
from innovations.services import adoption_archive
from tests.factories import (
    AdoptionFactory,
    HubFactory,
    IndicatorFactory,
    MeasurementFactory,
    MetricFactory,
    last_month,
    member_of,
    percentage_metric,
)
from tests.pages import warm_todo_count

pytestmark = pytest.mark.django_db

# Ten hubs of 100 people each; the fifth reaches 90 where the others reach about 50.
ONE_OUTLIER = [50, 52, 48, 51, 90, 49, 47, 53, 50, 52]


def hub_figures(
    hub, numerator, denominator, *, metric, period=None, status=Measurement.Status.APPROVED, **fields
):
    """One month's figure for a new adoption of ``hub`` reporting ``metric``."""
    indicator = IndicatorFactory(adoption=AdoptionFactory(hub=hub), metric=metric)
    return MeasurementFactory(
        indicator=indicator,
        period=period or last_month(),
        value=None,
        numerator=numerator,
        denominator=denominator,
        status=status,
        **fields,
    )


@pytest.fixture
def metric(db):
    return percentage_metric()


@pytest.fixture
def hubs(metric):
    """Ten hubs, one of them far above the others."""
    made = []
    for number, numerator in enumerate(ONE_OUTLIER, start=1):
        hub = HubFactory(name=f"Hub {number:02d}", slug=f"hub-{number}")
        hub_figures(hub, numerator, 100, metric=metric)
        made.append(hub)
    return made


def url(metric, **params) -> str:
    address = reverse("evaluation:funnel", args=[metric.code])
    return f"{address}?{'&'.join(f'{key}={value}' for key, value in params.items())}" if params else address


def page(client, user, metric, **params):
    client.force_login(user)
    response = client.get(url(metric, **params))
    assert response.status_code == 200
    return response


def test_the_outlier_stands_out_in_the_reading_the_chart_and_the_table(client, evaluator_user, metric, hubs):
    response = page(client, evaluator_user, metric)
    html = response.content.decode()
    reading = " ".join(response.context["funnel"].reading)
    assert "10 hubs with approved figures" in reading
    assert "Pooled, the average of all hubs is 54.2%." in reading
    assert "1 hub above the 99.8% limit (Hub 05)" in reading
    assert "9 hubs within the limits" in reading
    assert "Higher is better for this metric: a hub above the limits does better than chance" in reading
    # The chart: a title, the reading as its description, each hub labelled, its tooltip in words.
    assert '<svg class="hp-xmr__svg" role="img"' in html
    assert '<title id="funnel-title">Funnel plot of Blood pressure controlled to target across hubs' in html
    for number in range(1, 11):
        assert f">Hub {number:02d}</text>" in html
    assert "Hub 05: 90% (90 of 100), z = " in html
    assert "Above the 99.8% limit." in html
    # The table: numbers and the place in words.
    [outlier] = [row for row in response.context["funnel"].rows if row.figures.hub == "Hub 05"]
    assert (outlier.numerator_text, outlier.denominator_text, outlier.value_text) == ("90", "100", "90%")
    assert outlier.place == "Above the 99.8% limit"
    assert "<strong>Above the 99.8% limit</strong>" in html
    # The overdispersion used, said plainly.
    assert "φ = 0.69: no more variation between hubs than chance would give" in html
    assert "Not adjusted" in html


def test_overdispersion_widens_the_limits_and_says_so(client, evaluator_user, metric):
    for number, numerator in enumerate([150, 260, 140, 330, 160, 390, 120, 250, 230, 300], start=1):
        hub_figures(
            HubFactory(name=f"Spread {number}", slug=f"spread-{number}"), numerator, 500, metric=metric
        )
    response = page(client, evaluator_user, metric)
    funnel = response.context["funnel"]
    assert funnel.result.draw_adjusted and funnel.result.tau2 > 0
    assert "the hubs vary more than chance alone would explain, so the limits are widened" in (
        response.content.decode()
    )
    assert "Adjusted for overdispersion" in response.content.decode()


@pytest.mark.parametrize("who", ["evaluator_user", "admin_user_ahsn", "reader", "owner"])
def test_evaluators_admins_and_every_hubs_staff_may_open_it(client, request, who, metric, hubs):
    """Approved figures are what every hub's staff may read across hubs (DESIGN), so all see the same hubs."""
    response = page(client, request.getfixturevalue(who), metric)
    assert len(response.context["funnel"].rows) == 10


def test_the_public_is_sent_to_sign_in(client, metric, hubs):
    response = client.get(url(metric))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_unknown_metric_is_not_found(client, evaluator_user):
    client.force_login(evaluator_user)
    assert client.get(reverse("evaluation:funnel", args=["no-such-metric"])).status_code == 404


def test_only_approved_figures_count_and_the_page_says_so(client, evaluator_user, metric, hubs):
    late = HubFactory(name="Late hub", slug="late")
    hub_figures(late, 99, 100, metric=metric, status=Measurement.Status.SUBMITTED)
    hub_figures(
        late, 1, 100, metric=metric, status=Measurement.Status.RETURNED, period=add_months(last_month(), -1)
    )
    response = page(client, evaluator_user, metric)
    assert "Late hub" not in [row.figures.hub for row in response.context["funnel"].rows]
    html = response.content.decode()
    assert "approved figures only" in html
    assert "1 figure for these months is awaiting review and not included." in html


def test_a_hubs_adoptions_are_pooled_and_archived_ones_left_out(client, evaluator_user, metric, hubs):
    hub = hubs[0]
    hub_figures(hub, 30, 50, metric=metric)
    archived = hub_figures(hub, 0, 1000, metric=metric)
    adoption = archived.indicator.adoption
    adoption.archived, adoption.archived_reason = True, "Stopped"
    adoption.save()
    response = page(client, evaluator_user, metric)
    [row] = [row for row in response.context["funnel"].rows if row.figures.hub == hub.name]
    assert (row.figures.numerator, row.figures.denominator) == (80, 150)


def test_small_counts_are_withheld_from_those_who_may_not_see_them(
    client, metric, hubs, evaluator_user, admin_user_ahsn
):
    small = HubFactory(name="Small hub", slug="small")
    hub_figures(small, 5, 100, metric=metric)
    its_staff = member_of(small, username="small-staff")

    evaluator_page = page(client, evaluator_user, metric)
    [row] = [row for row in evaluator_page.context["funnel"].rows if row.figures.hub == "Small hub"]
    assert row.shown and row.numerator_text == "5"
    assert ">Small hub</text>" in evaluator_page.content.decode()

    for viewer in (admin_user_ahsn, member_of(hubs[0], username="other-staff")):
        response = page(client, viewer, metric)
        html = response.content.decode()
        [row] = [row for row in response.context["funnel"].rows if row.figures.hub == "Small hub"]
        assert not row.shown
        assert (row.numerator_text, row.denominator_text) == ("<8", "100")
        assert "Not shown: fewer than 8 people counted" in html
        assert ">Small hub</text>" not in html  # no point on the plot
        assert "Small hub: 5%" not in html
        assert "1 hub with fewer than 8 people counted is not shown." in " ".join(
            response.context["funnel"].reading
        )

    own = page(client, its_staff, metric)
    [row] = [row for row in own.context["funnel"].rows if row.figures.hub == "Small hub"]
    assert row.shown and row.numerator_text == "5"


def test_the_latest_12_months_unless_another_period_is_chosen(client, evaluator_user, metric, hubs):
    older = add_months(last_month(), -12)
    hub_figures(HubFactory(name="Older hub", slug="older"), 40, 100, metric=metric, period=older)
    response = page(client, evaluator_user, metric)
    assert "Older hub" not in [row.figures.hub for row in response.context["funnel"].rows]
    first = add_months(last_month(), -11)
    assert (
        f"Showing <strong>{first:%b %Y} to {last_month():%b %Y}</strong>, the latest 12 complete months"
        in (response.content.decode())
    )

    chosen = page(client, evaluator_user, metric, first=f"{older:%Y-%m}", last=f"{last_month():%Y-%m}")
    assert "Older hub" in [row.figures.hub for row in chosen.context["funnel"].rows]
    alone = page(client, evaluator_user, metric, first=f"{older:%Y-%m}", last=f"{older:%Y-%m}")
    assert "funnel" not in alone.context
    assert "Only 1 hub has approved figures" in alone.content.decode()


@pytest.mark.parametrize(
    ("first", "last", "field", "message"),
    [
        ("2025-13", "2025-12", "first", "Enter a month as year and month, for example 2025-04."),
        ("2025-01", "soon", "last", "Enter a month as year and month, for example 2025-04."),
        ("2025-01", "", "last", "Enter the last month, as well as the first."),
        ("", "2025-01", "first", "Enter the first month, as well as the last."),
        ("2025-06", "2025-01", "first", "The first month must be the same as the last month or before it."),
        ("2019-01", "2024-12", "first", "Choose at most 60 months."),
        ("1999-12", "2000-01", "first", "The first month can be January 2000 at the earliest."),
    ],
)
def test_a_bad_period_is_refused_next_to_its_field(
    client, evaluator_user, metric, hubs, first, last, field, message
):
    response = page(client, evaluator_user, metric, first=first, last=last)
    form = response.context["form"]
    assert form.errors[field] == [message]
    html = response.content.decode()
    assert "nhsuk-error-summary" in html and message in html
    # Nothing else changes: the page still shows the latest 12 months.
    assert not response.context["period_chosen"]
    assert len(response.context["funnel"].rows) == 10


def test_a_month_not_yet_complete_is_refused(client, evaluator_user, metric, hubs):
    this_month = add_months(last_month(), 1)
    response = page(client, evaluator_user, metric, first=f"{last_month():%Y-%m}", last=f"{this_month:%Y-%m}")
    assert response.context["form"].errors["last"] == [
        f"The last month can be {last_month():%B %Y} at the latest: months after it are not complete."
    ]


@pytest.mark.parametrize("kind", [Metric.Kind.COUNT, Metric.Kind.RATE, Metric.Kind.AMOUNT])
def test_only_percentages_have_a_funnel_and_the_others_say_why(client, evaluator_user, kind):
    metric = MetricFactory(code=f"a-{kind}", name=f"A {kind}", kind=kind, unit="x")
    IndicatorFactory(metric=metric)
    response = page(client, evaluator_user, metric)
    html = response.content.decode()
    assert "There is no funnel plot for this metric." in html
    assert "A funnel plot compares percentages" in html
    assert '<svg class="hp-xmr__svg"' not in html


def test_every_hub_at_zero_draws_no_plot(client, evaluator_user, metric):
    for number in (1, 2, 3):
        hub_figures(HubFactory(name=f"Zero {number}", slug=f"zero-{number}"), 0, 100, metric=metric)
    html = page(client, evaluator_user, metric).content.decode()
    assert "Every hub's figure is 0%: there is nothing to compare" in html
    assert '<svg class="hp-xmr__svg"' not in html


def test_many_hubs_are_numbered_on_the_plot(client, evaluator_user, metric):
    for number in range(1, 15):
        hub_figures(
            HubFactory(name=f"Hub {number:02d}", slug=f"many-{number}"), 40 + number, 100, metric=metric
        )
    response = page(client, evaluator_user, metric)
    html = response.content.decode()
    assert response.context["funnel"].numbered
    assert ">14</text>" in html and ">Hub 14</text>" not in html
    assert ">Point</th>" in html


def test_the_page_takes_the_same_queries_however_many_hubs(
    client, evaluator_user, metric, django_assert_num_queries, django_assert_max_num_queries
):
    for number in (1, 2):
        hub_figures(HubFactory(name=f"First {number}", slug=f"first-{number}"), 40, 100, metric=metric)
    client.force_login(evaluator_user)
    warm_todo_count(client)
    with django_assert_max_num_queries(10) as few:
        client.get(url(metric))
    for number in range(3, 30):
        hub = HubFactory(name=f"More {number}", slug=f"more-{number}")
        hub_figures(hub, 30 + number, 100, metric=metric)
        hub_figures(hub, 10, 50, metric=metric, period=add_months(last_month(), -3))
    move_on(ALL_FUNNELS)  # as the figures' service would have, once committed
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(url(metric))
    assert len(response.context["funnel"].rows) == 29


def test_the_summary_and_the_indicator_page_link_to_it(client, evaluator_user, metric, hubs):
    client.force_login(evaluator_user)
    address = url(metric)
    assert address in client.get(reverse("evaluation:summary")).content.decode()
    indicator = metric.indicators.first()
    assert address in client.get(indicator.get_absolute_url()).content.decode()
    count_indicator = IndicatorFactory(metric=MetricFactory())
    assert "/funnel/" not in client.get(count_indicator.get_absolute_url()).content.decode()


def test_the_period_is_bounded_to_real_months():
    from evaluation.forms import FunnelPeriodForm

    form = FunnelPeriodForm({"first": "2025-01-01", "last": "2025-02"}, today=datetime.date(2025, 6, 15))
    assert not form.is_valid()
    assert FunnelPeriodForm(
        {"first": "2025-01", "last": "2025-05"}, today=datetime.date(2025, 6, 15)
    ).is_valid()
    assert not FunnelPeriodForm(
        {"first": "2025-01", "last": "2025-06"}, today=datetime.date(2025, 6, 15)
    ).is_valid()


def test_the_sums_are_cached_until_a_figure_or_an_adoption_changes(
    client, evaluator_user, metric, hubs, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    client.force_login(evaluator_user)
    warm_todo_count(client)
    with django_assert_max_num_queries(10) as cold:
        client.get(url(metric))
    with django_assert_max_num_queries(len(cold.captured_queries) - 1):  # no sums read again
        assert len(client.get(url(metric)).context["funnel"].rows) == 10

    # A figure approved through the service shows on the next view.
    late = HubFactory(name="Late hub", slug="late")
    waiting = hub_figures(late, 70, 100, metric=metric, status=Measurement.Status.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):
        measurements_review(
            measurements=Measurement.objects.filter(pk=waiting.pk), by=evaluator_user, approve=True
        )
    rows = client.get(url(metric)).context["funnel"].rows
    assert "Late hub" in [row.figures.hub for row in rows]

    # An adoption archived through its service leaves the plot.
    with django_capture_on_commit_callbacks(execute=True):
        adoption_archive(
            adoption=waiting.indicator.adoption, reason="Stopped", by=member_of(late, username="late")
        )
    rows = client.get(url(metric)).context["funnel"].rows
    assert "Late hub" not in [row.figures.hub for row in rows]


def test_everyone_signed_in_reads_the_same_approved_figures(metric, hubs, evaluator_user, reader, owner):
    """Why every viewer compares the same hubs: every hub's approved totals are in everyone's queryset."""
    hub_figures(hubs[0], 1, 100, metric=metric, status=Measurement.Status.SUBMITTED)
    totals = Measurement.objects.approved().filter(group__isnull=True)
    everything = set(totals.values_list("pk", flat=True))
    for viewer in (evaluator_user, reader, owner):
        seen = Measurement.objects.for_user(viewer).approved().filter(group__isnull=True)
        assert set(seen.values_list("pk", flat=True)) == everything
