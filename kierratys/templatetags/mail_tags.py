"""Filters for e-mail templates.

Mail context travels to the worker as plain data: codes and ISO dates, never words. These
filters turn them into words while the mail renders, inside the recipient's language
(kierratys.common.mail.render_mail), so the worker's own language never leaks into a mail.
"""

from datetime import date

from django import template
from django.apps import apps
from django.utils.formats import date_format

register = template.Library()


@register.filter
def choice_label(value, field: str):
    """`"active"|choice_label:"reservations.Reservation.status"`: the code's label, translated.

    Anything that is not one of the field's codes is shown as it is (mail queued before
    codes were passed carried the words themselves).
    """
    app_label, model, name = field.split(".")
    choices = dict(apps.get_model(app_label, model)._meta.get_field(name).flatchoices)
    return str(choices.get(value, value))


@register.filter
def short_date(value):
    """An ISO date ("2025-03-04") in the reader's short date format; anything else as it is."""
    try:
        return date_format(date.fromisoformat(value), "SHORT_DATE_FORMAT")
    except (TypeError, ValueError):
        return value
