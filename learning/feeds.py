"""The Atom feed of public learning summaries, at /learning/feed/."""

from django.contrib.syndication.views import Feed
from django.db.models import Min
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from core.markdown import render_markdown

from .models import LearningSummary

FEED_LENGTH = 30


class AtomWithContent(Atom1Feed):
    """Atom with each entry's whole (sanitised) text in <content>, beside its standfirst in <summary>."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content", item["content"], {"type": "html"})


class SummaryFeed(Feed):
    feed_type = AtomWithContent
    login_required = False  # read by feed readers, which do not sign in: public summaries only
    title = "Hub Portal: learning summaries"
    subtitle = "What health innovation hubs have learned about adopting innovations, and for whom."
    link = "/learning/"
    author_name = "Hub Portal"

    def items(self):
        return (
            LearningSummary.objects.for_user(None)
            .listed()
            .select_related("live_version")
            .annotate(first_published=Min("versions__published_at"))
            .order_by("-live_version__published_at", "-pk")[:FEED_LENGTH]
        )

    def item_title(self, summary: LearningSummary) -> str:
        return summary.live_version.title

    def item_description(self, summary: LearningSummary) -> str:
        return escape(summary.live_version.standfirst)  # the summary is typed as HTML in Atom

    def item_pubdate(self, summary: LearningSummary):
        return summary.first_published

    def item_updateddate(self, summary: LearningSummary):
        return summary.live_version.published_at

    def item_categories(self, summary: LearningSummary) -> list[str]:
        return summary.live_version.theme_labels

    def item_extra_kwargs(self, summary: LearningSummary) -> dict:
        return {"content": str(render_markdown(summary.live_version.body))}
