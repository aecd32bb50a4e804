from ..common.errors import NotFound
from .models import Department, Organisation, Unit, User


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
