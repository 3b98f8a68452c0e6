from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Indicator, Measurement, Metric, RebasePoint


@admin.register(Metric)
class MetricAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "dimension", "kind", "unit", "improvement"]
    list_filter = ["dimension", "kind"]
    search_fields = ["name", "code"]


class RebasePointInline(admin.TabularInline):
    model = RebasePoint
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = ["metric", "adoption", "target", "baseline_length"]
    list_filter = ["metric__dimension", "adoption__hub"]
    search_fields = ["metric__name", "adoption__innovation__name"]
    inlines = [RebasePointInline]


@admin.register(Measurement)
class MeasurementAdmin(SimpleHistoryAdmin):
    list_display = ["indicator", "period", "group", "value", "numerator", "denominator", "status"]
    list_filter = ["status", "is_synthetic", "indicator__adoption__hub"]
    list_select_related = [
        "indicator__metric",
        "indicator__adoption__hub",
        "indicator__adoption__innovation",
        "group__dimension",
    ]
    date_hierarchy = "period"

    # Read only: figures change through the measurement service alone (evaluation.measurements),
    # which keeps their history, summaries, flags and the review queue's counts with them.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
