"""Events marked on the indicator's chart: stage moves, rebases and the hub's notes, listed with links."""

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from evaluation import annotations, charts, services
from evaluation.spc import xmr
from innovations.models import StageTransition
from innovations.stages import Stage
from learning.annotations import notes_on_chart
from learning.models import LearningNote
from tests.factories import AdoptionFactory, IndicatorFactory, LearningNoteFactory, MeasurementFactory
from tests.pages import warm_todo_count

pytestmark = pytest.mark.django_db

FIRST = datetime.date(2024, 1, 1)
LAST = datetime.date(2024, 12, 1)
STEADY = [100, 104, 98, 102, 101, 99, 103, 97, 100, 102, 98, 101]


def month(number: int) -> datetime.date:
    """The chart's months: 1 is January 2024."""
    return datetime.date(2024, number, 1)


def noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


@pytest.fixture
def indicator(adoption):
    indicator = IndicatorFactory(adoption=adoption)
    for number, value in enumerate(STEADY, start=1):
        MeasurementFactory(indicator=indicator, period=month(number), value=Decimal(value), status="approved")
    return indicator


def note(adoption, kind=LearningNote.Kind.BARRIER, *, day=datetime.date(2024, 3, 14), **fields):
    return LearningNoteFactory(adoption=adoption, kind=kind, created_at=noon(day), **fields)


def stage_move(adoption, day=datetime.date(2024, 5, 2), reason=""):
    return StageTransition.objects.create(
        adoption=adoption, from_stage=Stage.IDENTIFIED, to_stage=Stage.ASSESSING, date=day, reason=reason
    )


def get(client, user, indicator, query: str = "") -> str:
    client.force_login(user)
    response = client.get(indicator.get_absolute_url() + query)
    assert response.status_code == 200
    return response.content.decode()


def svg(html: str) -> str:
    return re.search(r'<svg class="hp-xmr__svg".*?</svg>\n', html, re.S).group(0)


def events_table(html: str) -> str:
    found = re.search(
        r'<table class="nhsuk-table">\s*<caption[^>]*id="events-caption".*?</table>', html, re.S
    )
    return found.group(0) if found else ""


def marker_titles(html: str) -> list[str]:
    """The tooltips of the markers under the months, in order."""
    band = re.search(r'<g class="hp-xmr__events">(.*?)</svg>', html, re.S)
    return re.findall(r"<title>(.*?)</title>", band.group(1)) if band else []


def test_a_barrier_enabler_and_adaptation_are_marked_in_their_month_and_link_to_the_note(
    client, reader, adoption, indicator
):
    notes = [
        note(
            adoption,
            LearningNote.Kind.BARRIER,
            title="GP practices short of nurses",
            day=datetime.date(2024, 3, 4),
        ),
        note(
            adoption,
            LearningNote.Kind.ENABLER,
            title="Pharmacist joined the team",
            day=datetime.date(2024, 6, 9),
        ),
        note(
            adoption,
            LearningNote.Kind.ADAPTATION,
            title="Evening clinics added",
            day=datetime.date(2024, 9, 20),
        ),
    ]
    html = get(client, reader, indicator)  # a member of another hub reads notes across hubs
    assert marker_titles(html) == [
        "Mar 2024. Barrier: GP practices short of nurses",
        "Jun 2024. Enabler: Pharmacist joined the team",
        "Sep 2024. Adaptation: Evening clinics added",
    ]
    letters = re.findall(r'font-weight="700" fill="#FFFFFF">(.)</text>', svg(html))
    assert letters[:3] == ["B", "E", "A"]
    table = events_table(html)
    for made in notes:
        assert f'<a href="{made.get_absolute_url()}">{made.title}</a>' in table
    assert re.findall(r"<td[^>]*>(\d+ \w{3} 2024)</td>", table) == ["4 Mar 2024", "9 Jun 2024", "20 Sep 2024"]
    key = re.search(r'<ul class="hp-xmr__legend".*?</ul>', html, re.S).group(0)
    assert all(name in key for name in ("Barrier", "Enabler", "Adaptation"))
    assert "Marked under the months: 1 barrier, 1 enabler and 1 adaptation" in html


def test_a_stage_move_is_marked_and_links_to_that_move_in_the_stage_history(
    client, reader, adoption, indicator
):
    move = stage_move(adoption, datetime.date(2024, 5, 2), reason="Board approved the pilot")
    html = get(client, reader, indicator)
    assert marker_titles(html) == ["May 2024. Stage move: Identified to Assessing"]
    link = f"{adoption.get_absolute_url()}#stage-move-{move.pk}"
    assert f'<a href="{link}">Identified to Assessing</a>' in events_table(html)
    # The link lands on that move in the adoption's stage history.
    history = client.get(adoption.get_absolute_url()).content.decode()
    assert re.search(rf'id="stage-move-{move.pk}">\s*<p[^>]*><strong>2 May 2024', history)


def test_the_adoptions_start_is_not_a_stage_move(client, reader, indicator):
    # The factory's adoption starts two years ago; one that starts inside the chart's months:
    StageTransition.objects.create(
        adoption=indicator.adoption, from_stage="", to_stage=Stage.IDENTIFIED, date=datetime.date(2024, 2, 1)
    )
    assert marker_titles(get(client, reader, indicator)) == []


def test_a_rebase_is_marked_and_links_to_its_reason(client, evaluator_user, indicator):
    services.rebase_add(
        indicator=indicator, period=month(7), reason="Second clinic opened", by=evaluator_user
    )
    rebase = indicator.rebase_points.get()
    html = get(client, evaluator_user, indicator)
    assert marker_titles(html) == ["Jul 2024. Rebase: Second clinic opened"]
    assert f'<a href="#rebase-{rebase.pk}">Second clinic opened</a>' in events_table(html)
    assert (
        f'<tr class="nhsuk-table__row" id="rebase-{rebase.pk}">' in html
    )  # the reason's row, where it lands


def test_lessons_archived_notes_and_other_adoptions_notes_are_not_marked(
    client, reader, hub, adoption, indicator
):
    note(adoption, LearningNote.Kind.LESSON, title="Start with one practice")
    note(adoption, title="Withdrawn barrier", archived=True)
    note(AdoptionFactory(hub=hub), title="Another innovation's barrier")
    html = get(client, reader, indicator)
    assert marker_titles(html) == []
    assert not events_table(html)
    for title in ("Start with one practice", "Withdrawn barrier", "Another innovation's barrier"):
        assert title not in html


def test_a_note_is_marked_in_the_month_it_was_written_in_london_and_only_in_the_charted_months(
    client, reader, adoption, indicator
):
    # 23:30 UTC on 31 May is 00:30 on 1 June in London (summer time).
    LearningNoteFactory(
        adoption=adoption,
        title="Written just after midnight",
        created_at=datetime.datetime(2024, 5, 31, 23, 30, tzinfo=datetime.UTC),
    )
    note(adoption, title="Before the first figure", day=datetime.date(2023, 12, 31))
    note(adoption, title="After the last figure", day=datetime.date(2025, 1, 1))
    assert marker_titles(get(client, reader, indicator)) == ["Jun 2024. Barrier: Written just after midnight"]


def test_a_note_the_viewer_may_not_see_is_never_handed_to_the_chart(adoption, indicator):
    note(adoption, title="For signed-in readers only")
    assert notes_on_chart(indicator, AnonymousUser(), FIRST, LAST) == []
    assert annotations.stage_moves(indicator, AnonymousUser(), FIRST, LAST) == []


def test_many_events_in_one_month_stack_and_the_rest_are_counted_on_a_marker(
    client, reader, adoption, indicator
):
    for number in range(5):
        note(adoption, title=f"Barrier {number}", day=datetime.date(2024, 4, 1 + number))
    html = get(client, reader, indicator)
    titles = marker_titles(html)
    assert titles[:2] == ["Apr 2024. Barrier: Barrier 0", "Apr 2024. Barrier: Barrier 1"]
    assert titles[2] == "Apr 2024, 3 more. Barrier: Barrier 2; Barrier: Barrier 3; Barrier: Barrier 4"
    assert ">+3</text>" in svg(html)
    assert events_table(html).count("<tr") == 6  # the header and all five
    assert "More events in that month" in html  # in the key


def test_events_are_hidden_and_shown_again_by_a_link_that_keeps_the_other_parameters(
    client, reader, adoption, indicator
):
    note(adoption, title="GP practices short of nurses")
    shown = get(client, reader, indicator, "?view=table")
    assert '<a href="?view=table&amp;events=off#chart-events">Hide the events on the chart</a>' in shown

    hidden = get(client, reader, indicator, "?view=table&events=off")
    assert marker_titles(hidden) == [] and not events_table(hidden)
    assert "GP practices short of nurses" not in hidden
    assert "Marked under the months" not in hidden
    assert '<a href="?view=table#chart-events">Show the events on the chart' in hidden

    alone = get(client, reader, indicator, "?events=off")
    assert f'<a href="{indicator.get_absolute_url()}#chart-events">Show the events' in alone


def test_no_events_no_list_and_no_link(client, reader, indicator):
    html = get(client, reader, indicator)
    assert "events on the chart" not in html and 'class="hp-xmr__events"' not in html


def test_the_page_takes_the_same_queries_with_one_event_of_each_kind_or_twenty(
    client, evaluator_user, adoption, indicator, django_assert_num_queries, django_assert_max_num_queries
):
    def add(count):
        for number in range(count):
            day = datetime.date(2024, 1 + number % 12, 1 + number // 12)
            note(adoption, LearningNote.Kind.values[number % 4], day=day)
            stage_move(adoption, day)
            if not indicator.rebase_points.filter(period=day.replace(day=1)).exists() and day.month > 1:
                services.rebase_add(
                    indicator=indicator, period=day.replace(day=1), reason="Change", by=evaluator_user
                )

    client.force_login(evaluator_user)
    warm_todo_count(client)
    add(1)
    url = indicator.get_absolute_url()
    client.get(url)
    # 15: the page's 13 (see test_indicator_page), and one each for the stage moves and the notes.
    with django_assert_max_num_queries(15) as one:
        one_page = client.get(url).content.decode()
    add(19)
    with django_assert_num_queries(len(one.captured_queries)):
        many_page = client.get(url).content.decode()
    assert len(marker_titles(many_page)) > len(marker_titles(one_page)) >= 1


def test_two_kinds_cannot_share_a_letter():
    taken = annotations.registered_kinds()[0]
    with pytest.raises(ImproperlyConfigured):
        annotations.register(
            None, kinds=[annotations.AnnotationKind("other", taken.letter, "Other", "circle", "#000000")]
        )
    letters = [kind.letter for kind in annotations.registered_kinds()]
    assert len(letters) == len(set(letters)) == 5


def test_the_band_makes_the_chart_taller_by_the_rows_it_needs():
    periods = [month(number) for number in range(1, 13)]
    chart = charts.xmr_chart(periods, xmr(STEADY), improvement="increase")
    one = [annotations.Annotation(datetime.date(2024, 2, 3), annotations.STAGE_MOVE, "Moved", "#")]
    taller, band = charts.annotation_band(chart, periods, one)
    three = taller.height - chart.height
    taller, band = charts.annotation_band(chart, periods, one * 3)
    assert taller.height - three - chart.height == 2 * charts.ANNOTATION_ROW
    assert [marker.x for marker in band.markers] == [band.markers[0].x] * 3  # one column, stacked
    assert len({marker.y for marker in band.markers}) == 3
    assert charts.annotation_band(chart, periods, []) == (chart, None)
    outside = [annotations.Annotation(datetime.date(2025, 2, 3), annotations.REBASE, "Later", "#")]
    assert charts.annotation_band(chart, periods, outside) == (chart, None)


def test_a_run_chart_marks_its_events_too(client, reader, adoption):
    # Six figures: fewer than the programme's minimum for limits, so the chart is a run chart.
    indicator = IndicatorFactory(adoption=adoption)
    for number, value in enumerate(STEADY[:6], start=1):
        MeasurementFactory(indicator=indicator, period=month(number), value=Decimal(value), status="approved")
    stage_move(adoption, datetime.date(2024, 3, 9))
    note(adoption, LearningNote.Kind.ENABLER, title="Pharmacist joined", day=datetime.date(2024, 4, 2))
    html = get(client, reader, indicator)
    assert "Run chart of" in html
    assert marker_titles(html) == [
        "Mar 2024. Stage move: Identified to Assessing",
        "Apr 2024. Enabler: Pharmacist joined",
    ]
    assert "Pharmacist joined</a>" in events_table(html)
