from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kierratys.accounts.admin import OwnOnlyFilter, OwnOrganisationOnly

from . import choices, search
from .models import Category, Listing, ListingEvent


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = [
        "name_fi",
        "name_sv",
        "name_en",
        "parent",
        "typical_weight_kg",
        "co2e_kg_per_item",
        "replacement_value_eur",
        "factors_are_estimates",
    ]
    list_filter = ["parent", "factors_are_estimates"]
    search_fields = ["name_fi", "name_sv", "name_en", "slug"]
    list_select_related = ["parent"]
    prepopulated_fields = {"slug": ["name_en"]}
    fieldsets = [
        (None, {"fields": ["parent", "slug", "sort_order"]}),
        (_("Names"), {"fields": ["name_fi", "name_sv", "name_en"]}),
        (
            _("Impact factors"),
            {
                "fields": [
                    "typical_weight_kg",
                    "co2e_kg_per_item",
                    "replacement_value_eur",
                    "factors_are_estimates",
                    "factor_source",
                ]
            },
        ),
    ]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        choices.forget()
        # Renamed categories must be findable by their new names at once.
        affected = Listing.objects.filter(category__in=[obj, *obj.children.all()])
        search.refresh_vectors(list(affected.values_list("pk", flat=True)))


class ListingEventInline(admin.TabularInline):
    model = ListingEvent
    extra = 0
    can_delete = False
    readonly_fields = ["created_at", "kind", "actor", "changes", "note"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Listing)
class ListingAdmin(OwnOrganisationOnly, admin.ModelAdmin):
    """Read-mostly: changes go through the listing pages so history and rules apply. A
    coordinator sees their own organisation's listings only."""

    organisation_path = "organisation_id"
    list_display = [
        "code",
        "title",
        "category",
        "owner_unit",
        "status",
        "quantity",
        "quantity_available",
    ]
    list_filter = ["status", "condition", "category", ("owner_unit__department", OwnOnlyFilter)]
    search_fields = ["code", "title", "owner_unit__name"]
    list_select_related = ["category", "owner_unit"]
    readonly_fields = [f.name for f in Listing._meta.fields]
    inlines = [ListingEventInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
