from django.contrib import admin

from kierratys.accounts.roles import organisation_id_of

from .models import Charge, PriceList


class _OwnOrganisationReadOnly(admin.ModelAdmin):
    """Read-only, and only the admin user's own organisation's: prices change on the
    coordinator's page (validated), charges only at a handover."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(organisation_id=organisation_id_of(request.user) or 0)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PriceList)
class PriceListAdmin(_OwnOrganisationReadOnly):
    list_display = [
        "organisation",
        "delivery_eur",
        "delivery_basis",
        "storage_month_eur",
        "cleaning_eur",
        "updated_at",
    ]
    list_select_related = ["organisation"]


@admin.register(Charge)
class ChargeAdmin(_OwnOrganisationReadOnly):
    list_display = ["charged_at", "cost_centre", "unit", "kind", "item", "amount_eur"]
    list_filter = ["kind"]
    search_fields = ["cost_centre", "item", "unit__name"]
    list_select_related = ["unit"]
    date_hierarchy = "charged_at"
