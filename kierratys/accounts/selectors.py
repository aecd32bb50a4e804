from django.db.models import Case, Q, When

from ..common.errors import NotFound
from ..common.folding import SEPARATOR, Folded, fold
from ..common.names import name_expression
from .models import Department, Organisation, Unit, User
from .partnerships import Partnership, RegionMembership
from .signin_selectors import (  # noqa: F401  (sign-in reads live there)
    organisation_users,
    user_session_keys,
)


def units_for_signup():
    return (
        Unit.objects.filter(is_active=True)
        .select_related("department")
        .order_by("department__name", "name")
    )


MATCH_MAX_LENGTH = 100  # characters of typed text looked at
MATCH_MAX_WORDS = 6
MATCH_MAX_LIMIT = 50


def match_words(text: str) -> list[str]:
    """The typed text as folded words (kierratys.common.folding), bounded in length and
    number. Letters, digits and the signs of names and addresses (Itä-Turku, 3 b, St.
    Karins) make words; anything else, the search text's SEPARATOR too, separates them."""
    cleaned = "".join(ch if ch.isalnum() or ch in "-.'/&" else " " for ch in text or "")
    return fold(cleaned[:MATCH_MAX_LENGTH]).split()[:MATCH_MAX_WORDS]


def units_matching(*, organisation=None, text: str, limit: int = 20, within=None) -> list[Unit]:
    """The active units of `organisation` (or of the queryset `within`, itself narrowed to
    the organisation when both are given) matching every typed word somewhere: a name in
    any language, the department's name, the street address or the city district. Case
    and accents do not matter ("paivakoti" finds "Päiväkoti"); a word may be any part of
    a Finnish compound ("koulu" finds "Puistokoulu").

    A name starting with the text comes first, then a name with a word starting with the
    first typed word, then the rest; by name within each. No words, no units."""
    if organisation is None and within is None:
        raise ValueError("units_matching needs an organisation or a queryset of units")
    words = match_words(text)
    if not words:
        return []
    units = within if within is not None else units_for_signup()
    units = units.filter(is_active=True)
    if organisation is not None:
        units = units.filter(department__organisation=organisation)
    names = Folded("name", "name_sv", "name_en")
    everything = Folded(
        "name", "name_sv", "name_en",
        "department__name", "department__name_sv", "department__name_en",
        "street_address", "district",
    )  # fmt: skip
    units = units.annotate(_names=names, _everything=everything)
    for word in words:
        units = units.filter(_everything__contains=word)
    first = words[0]
    units = units.annotate(
        _rank=Case(
            When(_names__contains=SEPARATOR + " ".join(words), then=0),
            When(
                Q(_names__contains=" " + first) | Q(_names__contains="-" + first),
                then=1,
            ),
            default=2,
        ),
        _name=name_expression(),
    ).order_by("_rank", "_name", "pk")
    return list(units.select_related("department")[: max(1, min(limit, MATCH_MAX_LIMIT))])


def unread_notice_count(*, user) -> int:
    from .models import Notice

    return Notice.objects.filter(user=user, read_at__isnull=True).count()


def notices_for(*, user, limit: int = 100):
    from .models import Notice

    return list(Notice.objects.filter(user=user)[:limit])


def profile_of(*, user):
    """The signed-in user with their unit and its department, for the profile page."""
    from .models import User
    from .sso.selectors import identity_of

    profile = User.objects.select_related("unit__department").get(pk=user.pk)
    profile.external_identity = identity_of(user=profile)  # where the account comes from
    return profile


def organisation_of(*, user) -> Organisation | None:
    """The organisation of the user's unit: no query for a signed-in request's user (the
    backend loads it with them), else one, then kept on the user object."""
    if not getattr(user, "is_authenticated", False) or user.unit_id is None:
        return None
    unit = user.unit if User.unit.is_cached(user) else None
    department = unit.department if unit and Unit.department.is_cached(unit) else None
    if department is not None and Department.organisation.is_cached(department):
        return department.organisation
    if not hasattr(user, "_organisation"):
        user._organisation = Organisation.objects.filter(departments__units=user.unit_id).first()
    return user._organisation


def organisation_by_slug(*, slug: str) -> Organisation:
    organisation = Organisation.objects.filter(slug=slug, is_active=True).first()
    if organisation is None:
        raise NotFound
    return organisation


def partner_ids_of(organisation_id: int | None, day=None):
    """The ids of the organisations that are this one's partners on `day` (today): through
    a running partnership, either way round, or a region both belong to. A lazy queryset:
    inside another filter it is a subquery, so no query of its own."""
    from django.db.models import Q
    from django.utils import timezone

    from .partnerships import member_on, running_on

    if organisation_id is None:
        return Organisation.objects.none().values_list("pk", flat=True)
    day = day or timezone.localdate()
    partnered = Organisation.objects.filter(
        Q(is_active=True)
        & (
            Q(
                pk__in=Partnership.objects.filter(
                    running_on(day), proposer_id=organisation_id
                ).values("partner_id")
            )
            | Q(
                pk__in=Partnership.objects.filter(
                    running_on(day), partner_id=organisation_id
                ).values("proposer_id")
            )
            | Q(
                pk__in=RegionMembership.objects.filter(
                    member_on(day),
                    region__memberships__in=RegionMembership.objects.filter(
                        member_on(day), organisation_id=organisation_id
                    ),
                ).values("organisation_id")
            )
        )
    ).exclude(pk=organisation_id)
    return partnered.values_list("pk", flat=True)


def regions_of(organisation_id: int | None, day=None):
    """The regions the organisation is a member of on `day` (today), as a queryset."""
    from django.utils import timezone

    from .partnerships import Region, member_on

    if organisation_id is None:
        return Region.objects.none()
    memberships = RegionMembership.objects.filter(
        member_on(day or timezone.localdate()), organisation_id=organisation_id
    )
    return Region.objects.filter(memberships__in=memberships).distinct()
