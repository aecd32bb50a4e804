from django.contrib import admin

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
    list_filter = ["status", "handover", "unit__department"]
    search_fields = ["listing__code", "listing__title", "unit__name", "contact_name"]
    list_select_related = ["listing", "unit"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Reservation._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
