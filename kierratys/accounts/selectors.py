from .models import Unit


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
