from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import LearningNote


@admin.register(LearningNote)
class LearningNoteAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "cfir_domain", "adoption", "author", "created_at", "archived"]
    list_filter = ["kind", "cfir_domain", "archived"]
    search_fields = ["title", "text"]

    def has_delete_permission(self, request, obj=None):
        return False
