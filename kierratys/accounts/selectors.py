from ..common.errors import NotFound
from .models import Department, Organisation, Unit, User
from .partnerships import Partnership, RegionMembership


def units_for_signup():
    return (
        Unit.objects.filter(is_active=True)
        .select_related("department")
        .order_by("department__name", "name")
    )


def unread_notice_count(*, user) -> int:
    from .models import Notice

    return Notice.objects.filter(user=user, read_at__isnull=True).count()


def notices_for(*, user, limit: int = 100):
    from .models import Notice

    return list(Notice.objects.filter(user=user)[:limit])


def profile_of(*, user):
    """The signed-in user with their unit and its department, for the profile page."""
    from .models import User

    return User.objects.select_related("unit__department").get(pk=user.pk)


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
