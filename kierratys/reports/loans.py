"""Loans in the impact report (issue 20): counted apart from reuse.

A loan lends an item for a while and it comes back, so it is never an item reused: none
of its figures go into the reuse totals, kg or CO2e. The report counts, for the
organisation's own items (the lending side, with the department, unit and category
filters), the loans picked up in the period: how many times items were lent, how many
items, and the days in use (from the day picked up to the day returned, or to today while
still out), each item counted once per day."""

from django.db.models import Q
from django.utils import timezone

from reservations.loans.models import Loan

from .filters import ReportFilter


def loan_figures(*, filters: ReportFilter) -> dict:
    """{"times_lent", "items_lent", "item_days", "out_now"} in one query."""
    loans = Loan.objects.filter(
        status__in=[Loan.Status.PICKED_UP, Loan.Status.RETURNED],
        picked_up_at__gte=filters.starts,
        picked_up_at__lt=filters.ends,
    )
    if filters.organisation_id is not None:
        loans = loans.filter(listing__organisation_id=filters.organisation_id)
    if filters.unit is not None:
        loans = loans.filter(listing__owner_unit_id=filters.unit.pk)
    elif filters.department is not None:
        loans = loans.filter(listing__owner_unit__department_id=filters.department.pk)
    if filters.category_ids:
        loans = loans.filter(Q(listing__category_id__in=filters.category_ids))
    today = timezone.localdate()
    figures = {"times_lent": 0, "items_lent": 0, "item_days": 0, "out_now": 0}
    for quantity, picked_up_at, returned_at in loans.values_list(
        "quantity", "picked_up_at", "returned_at"
    ):
        first = timezone.localdate(picked_up_at)
        last = timezone.localdate(returned_at) if returned_at else today
        figures["times_lent"] += 1
        figures["items_lent"] += quantity
        figures["item_days"] += quantity * ((last - first).days + 1)
        figures["out_now"] += 0 if returned_at else quantity
    return figures
