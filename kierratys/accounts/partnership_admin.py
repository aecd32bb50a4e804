"""Regions and partnerships in the admin, for the service's administrators (superusers).

Regions are kept here: a region and its members with their joining and leaving dates.
Partnerships are agreed by the organisations' coordinators on their partners page
(partnership_services), so here they are only looked at.
"""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import partnership_services
from .admin import ServiceAdministratorsOnly
from .partnerships import Partnership, Region, RegionMembership


class RegionMembershipForm(forms.ModelForm):
    class Meta:
        model = RegionMembership
        fields = ["organisation", "joined_on", "left_on"]

    def clean(self):
        data = super().clean()
        joined, left = data.get("joined_on"), data.get("left_on")
        if joined and left and left < joined:
            # Said in words before the database constraint would say it in its own name.
            self.add_error("left_on", _("The leaving date cannot be before the joining date."))
        return data


class RegionMembershipInline(admin.TabularInline):
    model = RegionMembership
    form = RegionMembershipForm
    extra = 1
    # Kept with their dates: a member that leaves gets a leaving date instead.
    can_delete = False


@admin.register(Region)
class RegionAdmin(ServiceAdministratorsOnly, admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "name_sv", "name_en", "memberships__organisation__name"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "name_sv", "name_en", "slug"]
    inlines = [RegionMembershipInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Who is whose partner may have changed: the members' open sockets reconnect.
        partnership_services.region_members_changed(region_id=form.instance.pk)


@admin.register(Partnership)
class PartnershipAdmin(ServiceAdministratorsOnly, admin.ModelAdmin):
    list_display = ["proposer", "partner", "starts_on", "ends_on", "accepted_at", "ended_at"]
    list_filter = [
        ("accepted_at", admin.EmptyFieldListFilter),
        ("ended_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["proposer__name", "partner__name"]
    list_select_related = ["proposer", "partner"]
    date_hierarchy = "proposed_at"

    # Looked at only: coordinators propose, accept and end on their partners page.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
