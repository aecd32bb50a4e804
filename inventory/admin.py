from django.contrib import admin

from kierratys.accounts.admin import ForgetFilterChoices, OwnOnlyFilter, OwnOrganisationOnly

from .models import StorageLocation, Warehouse


class StorageLocationInline(admin.TabularInline):
    model = StorageLocation
    extra = 1


@admin.register(Warehouse)
class WarehouseAdmin(OwnOrganisationOnly, ForgetFilterChoices, admin.ModelAdmin):
    """A coordinator's own organisation's warehouses; superusers see every one. A save
    refreshes the catalogue's cached cards, which name the warehouse."""

    organisation_path = "organisation_id"
    choice_paths = {"organisation": "pk"}
    list_display = ["name", "organisation", "city", "opening_hours", "serves_partners", "is_active"]
    list_filter = ["is_active", "serves_partners", ("organisation", OwnOnlyFilter)]
    search_fields = ["name", "street_address"]
    list_select_related = ["organisation"]
    inlines = [StorageLocationInline]


@admin.register(StorageLocation)
class StorageLocationAdmin(OwnOrganisationOnly, admin.ModelAdmin):
    organisation_path = "warehouse__organisation_id"
    choice_paths = {"warehouse": "organisation_id"}
    list_display = ["code", "warehouse", "description"]
    list_filter = [("warehouse", OwnOnlyFilter)]
    search_fields = ["code", "description"]
    list_select_related = ["warehouse"]
