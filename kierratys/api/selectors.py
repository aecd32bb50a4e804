"""Reads for service tokens and reuse checks."""

from django.db.models import Count
from django.utils.translation import gettext as _

from kierratys.accounts.models import Unit
from kierratys.common.errors import NotFound, ServiceError

from . import tokens
from .models import ReuseCheck, ServiceToken


def token_for_secret(secret: str) -> ServiceToken | None:
    """The token with this secret (any state), its account, unit and department loaded."""
    if not tokens.looks_like_token(secret):
        return None
    return (
        ServiceToken.objects.select_related("account__unit__department")
        .filter(secret_hash=tokens.hash_of(secret))
        .first()
    )


def tokens_of_organisation(*, organisation_id: int) -> list[ServiceToken]:
    return list(
        ServiceToken.objects.filter(organisation_id=organisation_id).select_related(
            "unit", "created_by", "revoked_by"
        )
    )


def token_of(*, organisation_id: int, token_id: int) -> ServiceToken:
    token = ServiceToken.objects.filter(pk=token_id, organisation_id=organisation_id).first()
    if token is None:
        raise NotFound
    return token


def units_for_tokens(*, organisation_id: int):
    return (
        Unit.objects.filter(department__organisation_id=organisation_id, is_active=True)
        .select_related("department")
        .order_by("department__name", "name")
    )


# --- the reuse check before buying (issue 19, item 6) -----------------------------------

MAX_REUSE_MATCHES = 24  # the first ones shown; the counts cover them all


def reuse_matches(*, user, category_id: int, needed_by) -> tuple[list, int, int]:
    """What the user's unit could reserve instead of buying: the catalogue's own FilterSet
    and visibility (the category with its sub-categories), items available by `needed_by`,
    not the unit's own; most items first. (listings, listings found, items in them)."""
    from django.db.models import Sum
    from django.http import QueryDict

    from listings import choices
    from listings import selectors as listing_selectors

    from .filters import ApiCatalogueFilter

    params = QueryDict(mutable=True)
    params.update({"category": str(category_id), "available_now": "0", "sort": "most"})
    with choices.pinned():
        filterset = listing_selectors.catalogue_filter(
            user=user, params=params, filterset_class=ApiCatalogueFilter
        )
        if filterset.problems():
            raise ServiceError(
                {"category": _("Choose a category that exists (GET /api/v1/categories/).")}
            )
        found = filterset.qs.filter(available_from__lte=needed_by).exclude(
            owner_unit_id=getattr(user, "unit_id", None)
        )
        listings = list(found.select_related("category")[:MAX_REUSE_MATCHES])
    totals = found.order_by().aggregate(n=Count("pk"), items=Sum("quantity_available"))
    return listings, totals["n"] or 0, totals["items"] or 0


def reuse_check_for(*, user, check_id: int) -> ReuseCheck:
    """A check of the user's own unit (another unit's or organisation's: 404)."""
    check = (
        ReuseCheck.objects.select_related("category")
        .filter(pk=check_id, unit_id=getattr(user, "unit_id", None) or 0)
        .first()
    )
    if check is None:
        raise NotFound
    return check


def reuse_figures(*, filters) -> dict:
    """The impact report's reuse-check block for its filters (period, organisation,
    department, unit, category): checks made, purchases avoided, bought new by reason."""
    checks = ReuseCheck.objects.filter(created_at__gte=filters.starts, created_at__lt=filters.ends)
    if filters.organisation_id is not None:
        checks = checks.filter(organisation_id=filters.organisation_id)
    if filters.department is not None:
        checks = checks.filter(unit__department_id=filters.department.pk)
    if filters.unit is not None:
        checks = checks.filter(unit_id=filters.unit.pk)
    if filters.category_id is not None:
        checks = checks.filter(category_id__in=filters.category_ids)
    rows = checks.values("outcome", "reason").annotate(n=Count("pk")).order_by()
    made = avoided = 0
    reasons = dict.fromkeys(ReuseCheck.Reason.values, 0)
    for row in rows:
        made += row["n"]
        if row["outcome"] == ReuseCheck.Outcome.RESERVED:
            avoided += row["n"]
        elif row["outcome"] == ReuseCheck.Outcome.BOUGHT_NEW:
            reasons[row["reason"]] += row["n"]
    bought = sum(reasons.values())
    return {
        "made": made,
        "avoided": avoided,
        "bought_new": bought,
        "open": made - avoided - bought,
        "reasons": [
            {"reason": value, "label": label, "count": reasons[value]}
            for value, label in ReuseCheck.Reason.choices
        ],
    }
