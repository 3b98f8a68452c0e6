from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Adoption, Innovation, StageTransition


@admin.register(Innovation)
class InnovationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "category", "evidence_level", "status"]
    list_filter = ["status", "category", "evidence_level"]
    search_fields = ["name", "summary"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["clinical_areas"]


class StageTransitionInline(admin.TabularInline):
    """Moves are made through the adoption service, so the admin only shows them."""

    model = StageTransition
    extra = 0
    can_delete = False
    fields = ["date", "from_stage", "to_stage", "reason", "moved_by", "recorded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Adoption)
class AdoptionAdmin(SimpleHistoryAdmin):
    list_display = ["innovation", "hub", "stage", "stage_since", "archived"]
    list_filter = ["hub", "stage", "archived"]
    search_fields = ["innovation__name", "hub__name"]
    readonly_fields = ["stage", "stage_since"]
    inlines = [StageTransitionInline]

    def has_delete_permission(self, request, obj=None):
        return False  # archive instead: nothing a user entered is deleted
