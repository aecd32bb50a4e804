from django.contrib import admin
from django.db.models import Q

from kierratys.accounts.admin import OwnOnlyFilter
from kierratys.accounts.privacy import services as privacy
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

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The page shows the contact person and phone: logged as the pages do (issue 23)."""
        response = super().change_view(request, object_id, form_url, extra_context)
        reservation = self.get_object(request, object_id) if response.status_code == 200 else None
        if reservation is not None and (reservation.contact_name or reservation.contact_phone):
            privacy.personal_data_viewed(
                viewer=request.user,
                subjects=[
                    privacy.Subject(
                        user_id=reservation.requested_by_id,
                        description=reservation.contact_name,
                        unit_id=reservation.unit_id,
                    )
                ],
                what=privacy.What.RESERVATION_CONTACT,
                ref=f"reservation:{reservation.pk}",
            )
        return response

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
