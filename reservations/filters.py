"""The reservation lists' status filter: everything in the URL, bad values dropped."""

import django_filters
from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import gettext_lazy as _

from .models import Reservation

OPEN = "open"
Status = Reservation.Status


def open_first(queryset):
    """Requests and active ones first, then the waiting list, then the rest; newest first
    within each."""
    rank = Case(
        When(status__in=[Status.REQUESTED, Status.ACTIVE], then=Value(0)),
        When(status=Status.WAITING, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return queryset.annotate(open_rank=rank).order_by("open_rank", "-created_at", "-pk")


class ReservationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[(OPEN, _("Open (reserved or waiting)")), *Status.choices],
        empty_label=_("All"),
        method="filter_status",
    )

    class Meta:
        model = Reservation
        fields = ["status"]

    def filter_status(self, queryset, name, value):
        if value == OPEN:
            return queryset.filter(status__in=Reservation.OPEN_STATUSES)
        return queryset.filter(status=value)
