"""The item's history. Every app records its events here, through services only.

Events are stored as codes and raw values; words come at display time, in the reader's
language: the kind's label (`kind_label`), each change as "Quantity: 5 → 6" with the
field's translated name and values as words, dates and numbers (`describe`), and fixed
notes ("Everything collected or disposed of.") stored as a code beside the text the actor
saw (`note_text`).
"""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import translation
from django.utils.formats import date_format, localize
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext_lazy as _

from .models import Category, Listing, ListingEvent

_LABELS = dict(ListingEvent.Kind.choices)
# The audience's moves between stages (listings.services.audience), their changes stored
# as {"from": stage, "to": stage} and shown as "Visible to: Own department → ...".
AUDIENCE_WIDENED, AUDIENCE_HELD, AUDIENCE_RELEASED = (
    "audience_widened",
    "audience_held",
    "audience_released",
)
_LABELS.update(
    {
        AUDIENCE_WIDENED: _("Shown to more people"),
        AUDIENCE_HELD: _("Audience kept as it is"),
        AUDIENCE_RELEASED: _("Audience widens on schedule again"),
    }
)
# Changes that are not a listing field: their names, for whichever app records them.
_FIELD_LABELS = {
    "collect_by": _("collect by"),
    "location": _("Location"),
}
# Fixed notes by code. `record` stores the code of a note that is one of these phrases
# (in any language) in `changes["_note"]`; the display translates the code.
_NOTES: dict = {}
_NOTE_CODES: dict[str, str] | None = None  # phrase in each language -> code, built lazily
_EARLIER_WORDING: dict[str, str] = {}  # translations since corrected -> code
NOTE_KEY = "_note"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
EMPTY = "–"


def register_kinds(labels: dict) -> None:
    """Other apps (reservations, warehouse) add their event kinds and labels."""
    _LABELS.update(labels)


def register_fields(labels: dict) -> None:
    """Other apps name the changes they record that are not listing fields."""
    _FIELD_LABELS.update(labels)


def register_notes(phrases: dict, *, earlier_wording: dict[str, str] | None = None) -> None:
    """Fixed notes, {code: gettext_lazy(phrase)}, shown in the reader's language.

    `earlier_wording` ({text: code}) keeps recognising history written before a
    translation was corrected."""
    global _NOTE_CODES
    _NOTES.update(phrases)
    _EARLIER_WORDING.update(earlier_wording or {})
    _NOTE_CODES = None


def kind_label(kind: str) -> str:
    return str(_LABELS.get(kind, _("Other change")))


def _note_codes() -> dict[str, str]:
    global _NOTE_CODES
    if _NOTE_CODES is None:
        codes = dict(_EARLIER_WORDING)
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                codes.update({str(phrase).strip(): code for code, phrase in _NOTES.items()})
        _NOTE_CODES = codes
    return _NOTE_CODES


def note_code(note: str) -> str | None:
    """The code of a fixed note, in whichever language it was written; None for free text."""
    return _note_codes().get((note or "").strip()) if note else None


def note_text(event: ListingEvent) -> str:
    """The event's note in the reader's language when it is a fixed phrase, else as written.

    Events from before notes had codes are recognised by their text."""
    changes = event.changes if isinstance(event.changes, dict) else {}
    code = changes.get(NOTE_KEY) or note_code(event.note)
    if code in _NOTES:
        return str(_NOTES[code])
    return event.note


def record(
    *, listing, actor, kind: str, changes: dict | None = None, note: str = ""
) -> ListingEvent:
    changes = dict(changes or {})
    code = note_code(str(note))
    if code:
        changes[NOTE_KEY] = code
    return ListingEvent.objects.create(
        listing=listing, actor=actor, kind=kind, changes=changes, note=str(note)[:500]
    )


@dataclass(frozen=True)
class Change:
    label: str
    old: str
    new: str


def _listing_field(name: str):
    try:
        return Listing._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _label(name: str) -> str | None:
    field = _listing_field(name)
    if field is not None and getattr(field, "verbose_name", None):
        return capfirst(str(field.verbose_name))
    if name in _FIELD_LABELS:
        return capfirst(str(_FIELD_LABELS[name]))
    return None


def _word(field, value, categories: dict) -> str:
    """A stored value ("good", "2026-12-01", "12.50", a primary key) as the reader says it."""
    if value is None or value == "":
        return EMPTY
    text = str(value)
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(text, text))
    if field is not None and field.is_relation:
        if field.related_model is Category:
            category = categories.get(text)
            return category.name if category else EMPTY
        return text
    if isinstance(field, models.DecimalField):
        try:
            return localize(Decimal(text))
        except InvalidOperation:
            return text
    if isinstance(field, models.DateField) or (field is None and _ISO_DATE.match(text)):
        try:
            return date_format(date.fromisoformat(text[:10]), "SHORT_DATE_FORMAT")
        except ValueError:
            return text
    if isinstance(field, models.TextField) or len(text) > 80:
        return Truncator(text).chars(80)
    return text


def _pairs(event) -> list[tuple[str, object, object]]:
    changes = event.changes if isinstance(event.changes, dict) else {}
    if event.kind == AUDIENCE_WIDENED and {"from", "to"} <= changes.keys():
        return [("audience", changes["from"], changes["to"])]
    return [
        (name, pair[0], pair[1])
        for name, pair in changes.items()
        if not name.startswith("_") and isinstance(pair, list | tuple) and len(pair) == 2
    ]


def describe(events) -> list[ListingEvent]:
    """The events with `.change_lines` (label, old, new, all words), `.note_display` and
    `.for_unit` (the unit an event was made for on its behalf, else "").

    Run in the reader's language. One query for the categories named, however many events."""
    events = list(events)
    category_ids = {
        str(value)
        for event in events
        for name, *values in _pairs(event)
        if name == "category"
        for value in values
        if value not in (None, "")
    }
    categories = (
        {str(c.pk): c for c in Category.objects.filter(pk__in=category_ids)} if category_ids else {}
    )
    for event in events:
        lines = []
        for name, old, new in _pairs(event):
            label = _label(name)
            if label is None:
                continue  # bookkeeping (task numbers and such), not a change a person reads
            field = _listing_field(name)
            lines.append(
                Change(label, _word(field, old, categories), _word(field, new, categories))
            )
        event.change_lines = lines
        event.note_display = note_text(event)
        # Made by the actor on behalf of a unit (issue 20): "· Anna Actor for Unit Y".
        changes = event.changes if isinstance(event.changes, dict) else {}
        event.for_unit = str(changes.get("unit") or "") if changes.get("on_behalf") else ""
    return events
