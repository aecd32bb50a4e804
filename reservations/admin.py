from django.contrib import admin
from django.db.models import Q

from kierratys.accounts.admin import OwnOnlyFilter
from kierratys.accounts.roles import organisation_id_of

from .models import Reservation


@admin.register(Reservation)
class ReservationAdmin(admin.ModelAdmin):
    """Read-only: reservations change through their pages so rules and history apply."""

    list_display = [
        "pk",
        "listing",
        "unit",
        "quantity",
        "status",
        "handover",
        "collect_by",
        "created_at",
    ]
    list_filter = ["status", "handover", ("unit__department", OwnOnlyFilter)]
    search_fields = ["listing__code", "listing__title", "unit__name", "contact_name"]
    list_select_related = ["listing", "unit"]

    def get_queryset(self, request):
        """A coordinator sees the reservations their organisation is a party to: of its
        listings, or made by its units (kierratys.accounts.admin.OwnOrganisationOnly)."""
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        own = organisation_id_of(request.user) or 0  # none: matches nothing
        return queryset.filter(
            Q(listing__organisation_id=own) | Q(unit__department__organisation_id=own)
        )

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Reservation._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
