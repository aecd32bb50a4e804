"""Scheduling and ending ordering pauses: the organisation's coordinators only.

Overlap: a pause for the same scope (the whole organisation, or the same warehouse) whose
days overlap a pause not yet ended is refused, naming the existing one, rather than
merged: two messages for one day would leave staff guessing which is true, and the
coordinator can end or shorten the old one first. A warehouse pause may sit inside an
organisation-wide one (say, stock-taking within the holidays). Each write locks the
organisation's row, so two coordinators scheduling at once queue and the check holds.
"""

from datetime import date
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ...common.errors import Conflict, NotFound, ServiceError
from ..models import Organisation
from ..roles import coordinators_organisation_id
from .models import OrderingPause
from .selectors import forget_in_effect

MAX_MESSAGE = 500
MESSAGE_FI_NEEDED = gettext_lazy(
    "Write the message in Finnish: it is shown to everyone whose language has none."
)


class PauseError(StrEnum):
    """Why scheduling or ending a pause was refused: codes tests and views rely on."""

    DATES_ORDER = "dates_order"
    START_PAST = "start_past"
    MESSAGE = "message"
    WAREHOUSE = "warehouse"  # not one of the organisation's warehouses
    OVERLAP = "overlap"  # the same scope is paused on some of those days already
    OVER = "over"  # ended, or its last day has passed


Code = PauseError


def _require_coordinator(actor) -> int:
    return coordinators_organisation_id(actor)


def _short(day: date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def pause_schedule(
    *,
    actor,
    starts_on: date | None,
    ends_on: date | None,
    message_fi: str,
    message_sv: str = "",
    message_en: str = "",
    warehouse_id: int | None = None,
) -> OrderingPause:
    """Pause ordering for the actor's organisation, or one of its warehouses, from
    `starts_on` to `ends_on` (both included)."""
    organisation_id = _require_coordinator(actor)
    messages = {
        "message_fi": (message_fi or "").strip(),
        "message_sv": (message_sv or "").strip(),
        "message_en": (message_en or "").strip(),
    }
    today = timezone.localdate()
    errors = {}
    if starts_on is None:
        errors["starts_on"] = ValidationError(_("Give the first day."), code=Code.DATES_ORDER)
    elif starts_on < today:
        errors["starts_on"] = ValidationError(
            _("The first day cannot be in the past."), code=Code.START_PAST
        )
    if ends_on is None:
        errors["ends_on"] = ValidationError(_("Give the last day."), code=Code.DATES_ORDER)
    elif starts_on is not None and ends_on < starts_on:
        errors["ends_on"] = ValidationError(
            _("The last day cannot be before the first day."), code=Code.DATES_ORDER
        )
    if not messages["message_fi"]:
        errors["message_fi"] = ValidationError(
            MESSAGE_FI_NEEDED,
            code=Code.MESSAGE,
        )
    for field, text in messages.items():
        if len(text) > MAX_MESSAGE:
            errors[field] = ValidationError(
                _("Keep the message under %(n)d characters.") % {"n": MAX_MESSAGE},
                code=Code.MESSAGE,
            )
    if errors:
        raise ServiceError(errors)
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation_id)
        warehouse = None
        if warehouse_id is not None:
            warehouse = organisation.warehouses.filter(pk=warehouse_id).first()
            if warehouse is None:
                raise ServiceError(
                    {
                        "warehouse": ValidationError(
                            _("Choose one of your organisation's warehouses."),
                            code=Code.WAREHOUSE,
                        )
                    }
                )
        clash = (
            OrderingPause.objects.filter(
                organisation_id=organisation_id,
                warehouse_id=warehouse_id,
                ended_at__isnull=True,
                starts_on__lte=ends_on,
                ends_on__gte=starts_on,
            )
            .order_by("starts_on")
            .first()
        )
        if clash is not None:
            raise Conflict(
                _(
                    "Ordering is already paused from %(start)s to %(end)s for the same "
                    "place. End that pause first, or choose other days."
                )
                % {"start": _short(clash.starts_on), "end": _short(clash.ends_on)},
                code=Code.OVERLAP,
            )
        pause = OrderingPause.objects.create(
            organisation=organisation,
            warehouse=warehouse,
            starts_on=starts_on,
            ends_on=ends_on,
            created_by=actor,
            **messages,
        )
        transaction.on_commit(lambda: forget_in_effect(today))
    return pause


def pause_end(*, actor, pause_id: int) -> OrderingPause:
    """End a pause now (or call off one that has not started): ordering opens at once."""
    organisation_id = _require_coordinator(actor)
    with transaction.atomic():
        pause = (
            OrderingPause.objects.select_for_update()
            .filter(pk=pause_id, organisation_id=organisation_id)
            .first()
        )
        if pause is None:
            raise NotFound
        if pause.ended_at is not None or pause.ends_on < timezone.localdate():
            raise Conflict(_("This pause is already over."), code=Code.OVER)
        pause.ended_at = timezone.now()
        pause.ended_by = actor
        pause.save(update_fields=["ended_at", "ended_by"])
        transaction.on_commit(lambda: forget_in_effect(timezone.localdate()))
    return pause
