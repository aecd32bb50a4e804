from .models import Unit


def units_for_signup():
    return (
        Unit.objects.filter(is_active=True)
        .select_related("department")
        .order_by("department__name", "name")
    )
