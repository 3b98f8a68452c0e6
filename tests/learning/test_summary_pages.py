"""Reading learning summaries: who sees what (the public too), filters, feed, PDF, and the sanitiser everywhere."""

import feedparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from learning.models import LearningNote, LearningSummary
from learning.summaries import summary_return, summary_submit, summary_withdraw
from tests.factories import HubFactory, InnovationFactory, draft_summary, published_summary

pytestmark = pytest.mark.django_db

# Every way we know of to smuggle script into Markdown.
HOSTILE_BODY = "\n\n".join(
    [
        "Safe **words** stay.",
        "<script>alert('script')</script>",
        '<img src="x" onerror="alert(\'img\')">',
        "[a javascript link](javascript:alert('link'))",
        "[a data link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "<div onclick=\"alert('div')\">raw HTML</div>",
        '<a href="https://example.org" onmouseover="alert(\'a\')">hover</a>',
        '<iframe src="https://example.org"></iframe>',
    ]
)
DANGERS = ["<script", "onerror", "onclick", "onmouseover", "javascript:", "data:text", "<iframe", "<img"]


OWN_SCRIPT = '<script type="module" src="/static/js/hubportal.js"></script>'


def assert_neutralised(text: str) -> None:
    """No unsafe markup, besides the portal's own script file that every page loads."""
    text = text.replace(OWN_SCRIPT, "")
    found = [danger for danger in DANGERS if danger in text]
    assert not found, f"unsafe markup survived: {found}"


@pytest.fixture
def summaries(writer, reviewer):
    """One summary at each point a reader could meet it."""
    in_review = draft_summary(by=writer, title="In review")
    summary_submit(summary=in_review, by=writer)
    withdrawn = published_summary(by=writer, reviewer=reviewer, title="Withdrawn one")
    summary_withdraw(summary=withdrawn, by=reviewer, reason="Superseded.")
    return {
        "public": published_summary(by=writer, reviewer=reviewer, title="For everyone"),
        "signed_in": published_summary(by=writer, reviewer=reviewer, title="For the programme", audience="signed_in"),
        "draft": draft_summary(by=writer, title="A draft"),
        "in_review": in_review,
        "withdrawn": withdrawn,
    }  # fmt: skip


def status(client, summary) -> int:
    return client.get(reverse("learning:summary", args=[summary.slug])).status_code


# -- Access: the public, hub staff, evaluators and AHSN admins ---------------------------------


def test_the_public_reads_public_published_summaries_only(client, summaries):
    assert status(client, summaries["public"]) == 200
    for hidden in ("signed_in", "draft", "in_review"):
        assert status(client, summaries[hidden]) == 404, hidden
    assert status(client, summaries["withdrawn"]) == 200  # the notice, not the body
    listing = client.get(reverse("learning:summary_list")).content.decode()
    assert "For everyone" in listing
    for hidden in ("For the programme", "A draft", "In review", "Withdrawn one"):
        assert hidden not in listing
    signed_in = summaries["signed_in"]
    for name in ("learning:summary_pdf", "learning:summary_versions"):
        assert client.get(reverse(name, args=[signed_in.slug])).status_code == 404
    assert client.get(reverse("learning:summary_version", args=[signed_in.slug, 1])).status_code == 404


@pytest.mark.parametrize("reader_fixture", ["owner", "evaluator_user"])
def test_hub_staff_and_evaluators_read_published_summaries_and_change_none(
    request, client, summaries, reader_fixture
):
    client.force_login(request.getfixturevalue(reader_fixture))
    assert status(client, summaries["public"]) == 200
    assert status(client, summaries["signed_in"]) == 200
    assert status(client, summaries["draft"]) == 404
    assert status(client, summaries["in_review"]) == 404
    listing = client.get(reverse("learning:summary_list")).content.decode()
    assert "For the programme" in listing and "Signed-in users only" in listing

    published = summaries["public"]
    for name in ("learning:summary_edit", "learning:summary_publish", "learning:summary_withdraw"):
        assert client.get(reverse(name, args=[published.pk])).status_code == 403, name
        assert client.post(reverse(name, args=[published.pk]), {"reason": "x"}).status_code == 403, name
    for name in ("learning:summary_manage", "learning:summary_publish"):
        assert client.get(reverse(name, args=[summaries["draft"].pk])).status_code == 404, name
    assert client.get(reverse("learning:summaries")).status_code == 403
    assert client.get(reverse("learning:summary_new")).status_code == 403
    published.refresh_from_db()
    assert not published.is_withdrawn


def test_the_public_is_sent_to_sign_in_for_the_writing_pages(client, summaries):
    response = client.get(reverse("learning:summary_edit", args=[summaries["draft"].pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_ahsn_admins_see_every_summary_and_where_it_is(client, summaries, writer):
    client.force_login(writer)
    manage = client.get(reverse("learning:summaries")).content.decode()
    for title in ("For everyone", "For the programme", "A draft", "In review", "Withdrawn one"):
        assert title in manage
    draft = summaries["draft"]
    response = client.get(reverse("learning:summary", args=[draft.slug]))
    assert response.status_code == 302 and response.url == reverse("learning:summary_manage", args=[draft.pk])
    page = client.get(reverse("learning:summary_manage", args=[summaries["in_review"].pk])).content.decode()
    assert "Another AHSN admin reviews and publishes it" in page


def test_the_workflow_history_says_who_moved_it_and_why_newest_first(client, writer, reviewer):
    summary = published_summary(by=writer, reviewer=reviewer)
    summary_withdraw(summary=summary, by=reviewer, reason="Superseded by the national guidance")
    returned = draft_summary(by=writer)
    summary_submit(summary=returned, by=writer)
    summary_return(summary=returned, by=reviewer, note="Name the practices\nand say how many enrolled")
    client.force_login(writer)

    page = client.get(reverse("learning:summary_manage", args=[summary.pk])).content.decode()
    history = page[page.index('id="history-heading"') :]
    newest_first = ["Withdrawn", "Published", "Sent for review", "Started as a draft"]
    positions = [history.index(f": {move}</p>") for move in newest_first]
    assert positions == sorted(positions)
    assert "Ravi Reviewer" in history and "Reason: Superseded by the national guidance" in history

    page = client.get(reverse("learning:summary_manage", args=[returned.pk])).content.decode()
    history = page[page.index('id="history-heading"') :]
    assert "Returned to draft" in history
    assert "Reason: Name the practices<br>and say how many enrolled" in history


# -- The list: newest first, filters ---------------------------------------------------------


def test_the_list_filters_by_theme_hub_and_innovation(client, writer, reviewer):
    dorset, oximetry = HubFactory(name="Dorset", slug="dorset"), InnovationFactory(name="Oximetry", slug="ox")
    published_summary(by=writer, reviewer=reviewer, title="About Dorset", hubs=[dorset],
                      theme_codes=[LearningNote.Domain.OUTER_SETTING])  # fmt: skip
    published_summary(by=writer, reviewer=reviewer, title="About oximetry", innovations=[oximetry],
                      theme_codes=[LearningNote.Domain.INNER_SETTING])  # fmt: skip

    def titles(**params) -> list[str]:
        page = client.get(reverse("learning:summary_list"), params).context["page"]
        return [summary.live_version.title for summary in page]

    assert titles() == ["About oximetry", "About Dorset"]  # newest first
    assert titles(theme="outer_setting") == ["About Dorset"]
    assert titles(theme="inner_setting") == ["About oximetry"]
    assert titles(hub="dorset") == ["About Dorset"]
    assert titles(innovation="ox") == ["About oximetry"]
    assert titles(hub="dorset", innovation="ox") == []
    page = client.get(
        reverse("learning:summary_list"), {"hub": "dorset", "innovation": "ox"}
    ).content.decode()
    assert "No published summary matches these filters" in page


def test_the_list_and_a_summary_page_take_the_same_queries_however_many_summaries(client, writer, reviewer):
    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    hubs = [HubFactory() for _ in range(3)]
    first = published_summary(by=writer, reviewer=reviewer, hubs=hubs)
    few = queries(reverse("learning:summary_list")), queries(first.get_absolute_url())
    for _ in range(4):
        published_summary(by=writer, reviewer=reviewer, hubs=hubs, innovations=[InnovationFactory()])
    many = queries(reverse("learning:summary_list")), queries(first.get_absolute_url())
    assert few == many
    assert many == (10, 8)


# -- Titles, descriptions, Open Graph, feed and PDF ------------------------------------------------


def test_a_summary_page_has_its_title_description_and_open_graph_tags(client, writer, reviewer):
    summary = published_summary(by=writer, reviewer=reviewer, title="Champions work",
                                standfirst="Named champions lifted enrolment in deprived areas.")  # fmt: skip
    page = client.get(summary.get_absolute_url()).content.decode()
    assert "<title>Champions work – Hub Portal</title>" in page
    assert '<meta name="description" content="Named champions lifted enrolment in deprived areas.">' in page
    assert '<meta property="og:title" content="Champions work">' in page
    assert f'<meta property="og:url" content="http://testserver{summary.get_absolute_url()}">' in page
    assert 'type="application/atom+xml"' in page


def test_the_feed_is_atom_with_public_published_summaries_only(client, summaries):
    response = client.get(reverse("learning:feed"))
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "Hub Portal: learning summaries"
    assert [entry.title for entry in feed.entries] == ["For everyone"]
    entry = feed.entries[0]
    assert entry.link == f"http://testserver{summaries['public'].get_absolute_url()}"
    assert entry.id and entry.updated and entry.published
    assert "<strong>named champion</strong>" in entry.content[0].value
    assert [tag.term for tag in entry.tags] == ["Inner setting"]


def test_the_pdf_is_a_pdf_of_the_live_version(client, writer, reviewer):
    pytest.importorskip("weasyprint", reason="WeasyPrint cannot load on this machine")
    summary = published_summary(by=writer, reviewer=reviewer)
    response = client.get(reverse("learning:summary_pdf", args=[summary.slug]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert f'filename="{summary.slug}-v1.pdf"' in response["Content-Disposition"]


# -- The sanitiser, in every output ---------------------------------------------------------------


def test_hostile_markdown_is_neutralised_in_the_preview(client, writer):
    client.force_login(writer)
    response = client.post(
        reverse("learning:summary_new"),
        {"title": "T", "standfirst": "S", "body": HOSTILE_BODY, "audience": "public", "action": "preview"},
    )
    preview = response.content.decode().split('id="preview-heading"')[1].split("</section>")[0]
    assert "Safe <strong>words</strong> stay." in preview
    assert_neutralised(preview)


def test_hostile_markdown_is_neutralised_on_the_page_and_in_the_feed(client, writer, reviewer):
    summary = published_summary(by=writer, reviewer=reviewer, body=HOSTILE_BODY,
                                title="<script>alert('title')</script> Lessons")  # fmt: skip
    page = client.get(summary.get_absolute_url()).content.decode()
    assert "Safe <strong>words</strong> stay." in page
    assert_neutralised(page)
    feed = client.get(reverse("learning:feed")).content.decode()
    assert_neutralised(feed)
    content = feedparser.parse(feed).entries[0].content[0].value
    assert "Safe <strong>words</strong> stay." in content
    assert_neutralised(content)
    version = client.get(reverse("learning:summary_version", args=[summary.slug, 1])).content.decode()
    assert_neutralised(version)


def test_hostile_markdown_is_neutralised_in_the_pdf(client, writer, reviewer, monkeypatch):
    weasyprint = pytest.importorskip("weasyprint", reason="WeasyPrint cannot load on this machine")
    summary = published_summary(by=writer, reviewer=reviewer, body=HOSTILE_BODY)
    rendered = []
    real_html = weasyprint.HTML

    def recording_html(*args, **kwargs):  # the real WeasyPrint, with the HTML it was given kept
        rendered.append(kwargs["string"])
        return real_html(*args, **kwargs)

    monkeypatch.setattr(weasyprint, "HTML", recording_html)
    response = client.get(reverse("learning:summary_pdf", args=[summary.slug]))
    assert response.content.startswith(b"%PDF")
    [html] = rendered
    assert "Safe <strong>words</strong> stay." in html
    assert_neutralised(html)
    assert b"javascript" not in response.content.lower()


def test_a_summary_cannot_take_an_address_the_portal_uses(writer):
    assert draft_summary(by=writer, title="Feed").slug == "feed-2"
    assert draft_summary(by=writer, title="Reports").slug == "reports-2"
    assert LearningSummary.objects.filter(slug__in=["feed", "reports"]).count() == 0
