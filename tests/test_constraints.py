"""Rules that live in the database (and their clear messages in the services and forms)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from evaluation.measurements import measurement_submit
from evaluation.models import Measurement
from hubs.services import hub_update
from tests.factories import (
    AdoptionFactory,
    IndicatorFactory,
    MeasurementFactory,
    breakdown_group,
    imd,
    last_month,
    percentage_metric,
)

pytestmark = pytest.mark.django_db


def assert_database_refuses(model_instance):
    with pytest.raises(IntegrityError), transaction.atomic():
        model_instance.save()


class TestMeasurements:
    @pytest.fixture
    def percentage_indicator(self, adoption):
        return IndicatorFactory(adoption=adoption, metric=percentage_metric())

    def test_numerator_above_denominator_is_refused(self, percentage_indicator, owner):
        with pytest.raises(ValidationError) as caught:
            measurement_submit(
                indicator=percentage_indicator, period=last_month(), numerator=12, denominator=10, by=owner
            )
        assert "numerator cannot be more than the denominator" in str(caught.value)
        assert Measurement.objects.count() == 0
        assert_database_refuses(
            Measurement(indicator=percentage_indicator, period=last_month(), numerator=12, denominator=10)
        )

    def test_negative_counts_are_refused(self, adoption, owner):
        indicator = IndicatorFactory(adoption=adoption)
        with pytest.raises(ValidationError, match="cannot be negative"):
            measurement_submit(indicator=indicator, period=last_month(), value=Decimal("-3"), by=owner)
        assert Measurement.objects.count() == 0
        assert_database_refuses(Measurement(indicator=indicator, period=last_month(), value=Decimal("-3")))

    def test_fractional_counts_are_refused(self, adoption, owner):
        indicator = IndicatorFactory(adoption=adoption)
        with pytest.raises(ValidationError, match="whole number"):
            measurement_submit(indicator=indicator, period=last_month(), value=Decimal("2.5"), by=owner)

    def test_a_second_figure_for_the_same_month_is_refused(self, adoption, owner):
        indicator = IndicatorFactory(adoption=adoption)
        measurement_submit(indicator=indicator, period=last_month(), value=Decimal("5"), by=owner)
        with pytest.raises(ValidationError, match="already a figure"):
            measurement_submit(indicator=indicator, period=last_month(), value=Decimal("6"), by=owner)
        # ...but one figure per IMD quintile is allowed beside the total.
        measurement_submit(
            indicator=indicator, period=last_month(), value=Decimal("2"), group=imd(1), by=owner
        )
        with pytest.raises(ValidationError, match="already a figure"):
            measurement_submit(
                indicator=indicator, period=last_month(), value=Decimal("3"), group=imd(1), by=owner
            )
        assert list(Measurement.objects.values_list("value", flat=True).order_by("pk")) == [5, 2]

    def test_the_database_holds_one_total_and_one_figure_per_group_a_month(self, adoption):
        """A NULL group never equals another in a unique index (SQLite, PostgreSQL): the total has its own."""
        indicator = IndicatorFactory(adoption=adoption)
        MeasurementFactory(indicator=indicator, value=5)
        assert_database_refuses(Measurement(indicator=indicator, period=last_month(), value=6))
        female = breakdown_group("sex", "female")
        MeasurementFactory(indicator=indicator, group=female, value=2)
        MeasurementFactory(indicator=indicator, group=imd(1), value=2)  # another group, the same month
        assert_database_refuses(Measurement(indicator=indicator, period=last_month(), group=female, value=3))
        assert Measurement.objects.filter(indicator=indicator).count() == 3

    def test_future_months_and_months_before_the_adoption_are_refused(self, owner, adoption):
        indicator = IndicatorFactory(adoption=adoption)
        next_month = (last_month().replace(day=28) + datetime.timedelta(days=40)).replace(day=1)
        with pytest.raises(ValidationError, match="future"):
            measurement_submit(indicator=indicator, period=next_month, value=Decimal("1"), by=owner)
        before = adoption.started_on.replace(day=1).replace(year=adoption.started_on.year - 1)
        with pytest.raises(ValidationError, match="before the adoption began"):
            measurement_submit(indicator=indicator, period=before, value=Decimal("1"), by=owner)
        assert Measurement.objects.count() == 0

    def test_value_and_fraction_together_are_refused_by_the_database(self, adoption):
        indicator = IndicatorFactory(adoption=adoption)
        assert_database_refuses(
            Measurement(indicator=indicator, period=last_month(), value=1, numerator=1, denominator=2)
        )

    def test_the_form_shows_the_numerator_error_and_saves_nothing(self, client, percentage_indicator, owner):
        measurement = MeasurementFactory(
            indicator=percentage_indicator, value=None, numerator=5, denominator=10
        )
        client.force_login(owner)
        response = client.post(
            reverse("evaluation:measurement_edit", args=[measurement.pk]),
            {"numerator": "11", "denominator": "10", "version": measurement.version},
        )
        assert response.status_code == 200
        assert "The numerator cannot be more than the denominator." in response.content.decode()
        measurement.refresh_from_db()
        assert (measurement.numerator, measurement.denominator) == (5, 10)

    def test_the_form_refuses_a_non_number(self, client, adoption, owner):
        measurement = MeasurementFactory(indicator=IndicatorFactory(adoption=adoption), value=7)
        client.force_login(owner)
        response = client.post(
            reverse("evaluation:measurement_edit", args=[measurement.pk]),
            {"value": "lots", "version": measurement.version},
        )
        assert response.status_code == 200
        assert "Enter a number." in response.content.decode()
        measurement.refresh_from_db()
        assert measurement.value == 7


class TestHubs:
    def test_an_award_above_the_programme_cap_is_refused(self, hub, owner):
        with pytest.raises(ValidationError) as caught:
            hub_update(hub=hub, by=owner, award=Decimal("475001"))
        assert caught.value.message_dict["award"] == [
            "The award may not exceed the programme's cap of £475,000."
        ]
        hub.refresh_from_db()
        assert hub.award == Decimal("450000")

    def test_the_admin_form_shows_the_cap_error(self, client, hub, django_user_model):
        superuser = django_user_model.objects.create_superuser("root", "root@example.org", "x")
        client.force_login(superuser)
        url = reverse("admin:hubs_hub_change", args=[hub.pk])
        page = client.get(url)
        form = page.context["adminform"].form
        data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
        data.update(
            {
                "award": "500000",
                "clinical_areas": [],
                "partnerships-TOTAL_FORMS": 0,
                "partnerships-INITIAL_FORMS": 0,
                "memberships-TOTAL_FORMS": 0,
                "memberships-INITIAL_FORMS": 0,
            }
        )
        response = client.post(url, data)
        assert response.status_code == 200
        assert "may not exceed the programme" in response.content.decode()
        hub.refresh_from_db()
        assert hub.award == Decimal("450000")

    def test_a_negative_award_is_refused_by_the_database(self, hub):
        hub.award = Decimal("-1")
        assert_database_refuses(hub)

    def test_a_hub_that_ends_before_it_starts_is_refused_by_the_database(self, hub):
        hub.end_date = hub.start_date
        assert_database_refuses(hub)


class TestAdoptions:
    def test_the_database_refuses_a_second_adoption_of_the_same_innovation(self, adoption):
        duplicate = AdoptionFactory.build(hub=adoption.hub, innovation=adoption.innovation)
        assert_database_refuses(duplicate)

    def test_archiving_needs_a_reason_in_the_database(self, adoption):
        adoption.archived = True
        assert_database_refuses(adoption)
