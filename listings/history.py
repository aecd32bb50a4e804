"""The item's history. Every app records its events here, through services only."""

from django.utils.translation import gettext_lazy as _

from .models import ListingEvent

_LABELS = dict(ListingEvent.Kind.choices)


def register_kinds(labels: dict) -> None:
    """Other apps (reservations, warehouse) add their event kinds and labels."""
    _LABELS.update(labels)


def kind_label(kind: str) -> str:
    return str(_LABELS.get(kind, _("Other change")))


def record(
    *, listing, actor, kind: str, changes: dict | None = None, note: str = ""
) -> ListingEvent:
    return ListingEvent.objects.create(
        listing=listing, actor=actor, kind=kind, changes=changes or {}, note=note[:500]
    )
