from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import SpendLine, SpendQuarter


class SpendLineInline(admin.TabularInline):
    model = SpendLine
    extra = 0
    raw_id_fields = ["adoption"]


@admin.register(SpendQuarter)
class SpendQuarterAdmin(SimpleHistoryAdmin):
    list_display = ["hub", "start", "status", "is_synthetic"]
    list_filter = ["status", "hub"]
    inlines = [SpendLineInline]
    readonly_fields = ["status", "submitted_by", "submitted_at", "reviewed_by", "reviewed_at"]
