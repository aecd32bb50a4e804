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
