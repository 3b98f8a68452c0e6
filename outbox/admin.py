from django.contrib import admin

from .models import OutboxItem


@admin.register(OutboxItem)
class OutboxItemAdmin(admin.ModelAdmin):
    """Read only: what waits for the task queue, and how each piece of work ended."""

    list_display = ["key", "task", "state", "handovers", "starts", "due_at", "outcome", "last_error"]
    list_filter = ["outcome", "task"]
    search_fields = ["key"]
    ordering = ["-created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
