"""The refusal every paused way of ordering gives: the coordinator's message, and until
when. A Conflict (409): the input was fine, the day is not."""

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ...common.errors import Conflict

PAUSED = "paused"


def paused_refusal(pause) -> Conflict:
    words = {
        "start": date_format(pause.starts_on, "SHORT_DATE_FORMAT"),
        "end": date_format(pause.ends_on, "SHORT_DATE_FORMAT"),
        "message": pause.message,
    }
    if pause.starts_on > timezone.localdate():  # a delivery day inside a coming pause
        text = _("Ordering is paused from %(start)s to %(end)s. %(message)s") % words
    else:
        text = _("Ordering is paused until %(end)s. %(message)s") % words
    return Conflict(text, code=PAUSED)
