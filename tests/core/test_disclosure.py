"""The one disclosure rule: counts from 1 to 7 read "<8" and their shares are not shown, except to
the owning hub's staff and to evaluators."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser

from core.disclosure import (
    NOT_SHOWN,
    SMALL_COUNT,
    count_cell,
    count_text,
    figure_disclosed,
    figure_text,
    is_small_count,
    share_shown,
)
from hubs.access import roles_of, sees_raw_figures
from tests.factories import UserFactory


@pytest.mark.parametrize(
    ("count", "small"),
    [(None, False), (0, False), (1, True), (3, True), (7, True), (8, False), (1200, False),
     (Decimal("5.0000"), True), (7.0, True), (Decimal("8"), False)],
)  # fmt: skip
def test_small_counts_are_one_to_seven(count, small):
    assert is_small_count(count) is small


def test_a_count_reads_under_eight_for_anyone_but_a_raw_viewer():
    assert count_text(3) == SMALL_COUNT == "<8"
    assert count_text(3, raw=True) == "3"
    assert count_text(0) == "0"  # nobody can be recognised from none
    assert count_text(1100) == "1,100"
    assert count_text(Decimal("1100.0000")) == "1,100"
    assert count_text(None) == ""


def test_a_count_in_a_file_stays_a_number_unless_it_is_small():
    assert count_cell(5) == "<8"
    assert count_cell(5, raw=True) == 5
    assert count_cell(1100) == 1100
    assert count_cell(0) == 0


def test_a_share_is_shown_only_when_no_count_behind_it_is_small():
    assert share_shown(120, 400)
    assert not share_shown(3, 400)
    assert not share_shown(0, 5)  # a share of five people is not shown
    assert share_shown(3, 5, raw=True)
    assert share_shown(None, None)  # nothing behind it is small


def test_a_figure_reads_as_the_viewer_may_see_it():
    assert figure_text(Decimal("5"), None, None, is_count=True) == "<8"
    assert figure_text(Decimal("5"), None, None, is_count=True, raw=True) == "5"
    # A rate or an amount of money counts nobody.
    assert figure_text(Decimal("5.25"), None, None, is_count=False) == "5.25"
    assert figure_text(None, 3, 40, is_count=False) == f"{NOT_SHOWN} (<8/40)"
    assert figure_text(None, 3, 40, is_count=False, raw=True) == "7.5% (3/40)"
    assert figure_text(None, 62, 100, is_count=False) == "62.0% (62/100)"
    assert not figure_disclosed(Decimal("5"), None, None, is_count=True)
    assert figure_disclosed(Decimal("5"), None, None, is_count=False)
    assert not figure_disclosed(None, 3, 40, is_count=False)
    assert figure_disclosed(None, 3, 40, is_count=False, raw=True)


def test_raw_figures_are_the_owning_hubs_staff_and_evaluators_only(
    hub, other_hub, owner, reader, evaluator_user, admin_user_ahsn
):
    superuser = UserFactory(username="super", is_superuser=True)
    assert sees_raw_figures(owner, hub.pk)
    assert sees_raw_figures(evaluator_user, hub.pk) and sees_raw_figures(evaluator_user, other_hub.pk)
    assert sees_raw_figures(superuser, hub.pk)  # stands in for an evaluator
    assert not sees_raw_figures(reader, hub.pk)  # another hub's staff
    assert sees_raw_figures(reader, other_hub.pk)
    assert not sees_raw_figures(admin_user_ahsn, hub.pk)  # AHSN admins read everything, but not raw
    assert not sees_raw_figures(AnonymousUser(), hub.pk)
    assert not roles_of(owner).sees_raw_figures_of(None)
