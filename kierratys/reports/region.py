"""The regional view: each member organisation's totals side by side, aggregates only.

A transfer between two members is one collection: the giver counts it as given, the
receiver as received and as reuse. The region's total is read from the collections once,
so it counts such a transfer once (as reuse, and on a line of transfers between members);
only what left the region or came into it is given or received in the total.
"""

from dataclasses import dataclass

from django.db.models import Count, ExpressionWrapper, F, Q, Sum
from django.utils import timezone

from kierratys.accounts import selectors as account_selectors
from kierratys.accounts.models import Organisation
from kierratys.accounts.partnerships import Region, RegionMembership, member_on
from reservations.models import Reservation

from .filters import AMOUNT, RECEIVER_ORGANISATION, ReportFilter
from .outcomes import end_of_life_items
from .queries import EMPTY, _impact_of, with_figures

FIGURES = ("items", "kg", "co2e", "value", "collections")


def regions_of(organisation_id: int | None, day=None) -> list[Region]:
    """The regions the organisation is a member of on `day` (today), by name."""
    return list(account_selectors.regions_of(organisation_id, day).order_by("name"))


def members_of(region: Region, day=None, *, since=None) -> list[Organisation]:
    """The members on `day` (today); with `since` (a report period's first day) also those
    that left the region during or after that period: they still have their row for it. A
    region is often recorded after its members began to work together, so joining dates
    do not cut a period short."""
    if since is None:
        memberships = RegionMembership.objects.filter(member_on(day or timezone.localdate()))
    else:
        memberships = RegionMembership.objects.filter(
            Q(left_on__isnull=True) | Q(left_on__gte=since)
        )
    return list(
        Organisation.objects.filter(region_memberships__in=memberships.filter(region=region))
        .distinct()
        .order_by("name")
    )


def _flows(f: ReportFilter, member_ids: list[int]) -> list[dict]:
    """Collected items in the period by (giving organisation, receiving organisation),
    for every pair with a member on either side: a few aggregated rows."""
    collections = Reservation.objects.filter(
        Q(listing__organisation_id__in=member_ids)
        | Q(**{f"{RECEIVER_ORGANISATION}__in": member_ids}),
        f.in_period("updated_at"),
        status=Reservation.Status.COLLECTED,
    )
    if f.category_id is not None:
        collections = collections.filter(listing__category_id__in=f.category_ids)
    return list(
        with_figures(collections)
        .values(giver=F("listing__organisation_id"), receiver=F(RECEIVER_ORGANISATION))
        .annotate(
            items=Sum("quantity_collected"),
            kg=Sum(ExpressionWrapper(F("quantity_collected") * F("weight_each"), AMOUNT)),
            co2e=Sum(ExpressionWrapper(F("quantity_collected") * F("co2e_each"), AMOUNT)),
            value=Sum(ExpressionWrapper(F("quantity_collected") * F("value_each"), AMOUNT)),
            collections=Count("pk"),
        )
        .order_by()
    )


def _add(into: dict, row: dict) -> dict:
    impact = _impact_of(row)
    return {key: into[key] + impact[key] for key in FIGURES}


def _figures_of(flows: list[dict], end_of_life: list[dict], inside) -> dict:
    """The totals of one organisation (`inside` = its id) or of the region (`inside` = a
    set of ids): reuse is what came into it; given and received crossed its border."""
    inside_set = inside if isinstance(inside, set) else {inside}
    reused, given, received, between = dict(EMPTY), 0, 0, 0
    for row in flows:  # a few rows per pair of organisations
        giver_in, receiver_in = row["giver"] in inside_set, row["receiver"] in inside_set
        items = int(row["items"] or 0)
        if receiver_in:
            reused = _add(reused, row)
        if giver_in and not receiver_in:
            given += items
        elif receiver_in and not giver_in:
            received += items
        elif giver_in and receiver_in and row["giver"] != row["receiver"]:
            between += items
    outcomes = {"donate": 0, "sell": 0, "recycle": 0}
    for row in end_of_life:
        if row["listing__organisation_id"] in inside_set:
            outcomes[str(row["outcome"])] += int(row["items"] or 0)
    return {**reused, "given": given, "received": received, "between": between, **outcomes}


@dataclass
class RegionReport:
    region: Region
    filter: ReportFilter
    members: list[dict]
    total: dict


def region_report(*, region: Region, filters: ReportFilter) -> RegionReport:
    """Each member's totals and the region's, in two queries."""
    members = members_of(region, since=filters.start)
    member_ids = [org.pk for org in members]
    flows = _flows(filters, member_ids)
    end_of_life = end_of_life_items(filters, organisation_ids=member_ids)
    rows = [{"organisation": org, **_figures_of(flows, end_of_life, org.pk)} for org in members]
    total = _figures_of(flows, end_of_life, set(member_ids))
    return RegionReport(region=region, filter=filters, members=rows, total=total)
