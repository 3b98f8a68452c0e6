from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import ClinicalArea, Hub, Membership, Organisation, Partnership, Programme


class PartnershipInline(admin.TabularInline):
    model = Partnership
    extra = 0
    autocomplete_fields = ["organisation"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Programme)
class ProgrammeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "funder", "award_cap", "duration_months", "min_points_for_limits"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "region"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(Hub)
class HubAdmin(SimpleHistoryAdmin):
    list_display = ["name", "programme", "region", "host_ahsn", "award", "start_date", "end_date"]
    list_filter = ["programme"]
    search_fields = ["name", "region"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["clinical_areas"]
    inlines = [PartnershipInline, MembershipInline]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "hub", "role"]
    list_filter = ["hub", "role"]
    search_fields = ["user__username", "hub__name"]


@admin.register(ClinicalArea)
class ClinicalAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "population", "code"]
