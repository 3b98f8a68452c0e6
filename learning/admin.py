from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import LearningNote, LearningSummary


@admin.register(LearningNote)
class LearningNoteAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "cfir_domain", "adoption", "author", "created_at", "archived"]
    list_filter = ["kind", "cfir_domain", "archived"]
    search_fields = ["title", "text"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LearningSummary)
class LearningSummaryAdmin(SimpleHistoryAdmin):
    """Read only: summaries change through their workflow's pages, so review cannot be skipped."""

    list_display = ["title", "status", "live_version", "audience", "updated_at"]
    list_filter = ["status", "audience"]
    search_fields = ["title", "standfirst", "body"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
