"""Outgoing email: plain text in the recipient's language, sent by the worker after commit.

Every mail goes through the task queue (`send_later`); `send_now` is the worker's half.
SMTP has a timeout (settings.EMAIL_TIMEOUT), so a mail server that never answers fails the
attempt, which the task retries later, instead of stalling the worker.
"""

import functools
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.backends.django import DjangoTemplates
from django.utils import translation

from . import names
from .hooks import Hook

logger = logging.getLogger(__name__)


@functools.cache
def _templates() -> DjangoTemplates:
    """The app `templates/emails/` folders, rendered without HTML escaping: mail is plain
    text, and an escaped title would show as `&#x27;` in a subject line."""
    return DjangoTemplates(
        {"NAME": "mail", "DIRS": [], "APP_DIRS": True, "OPTIONS": {"autoescape": False}}
    )


def render_mail(template: str, context: dict, language: str | None) -> tuple[str, str]:
    """Render `<template>_subject.txt` and `<template>_body.txt` in `language`.

    Codes and dates in `context` become words inside the templates (mail_tags), so here,
    in the recipient's language.
    """
    engine = _templates()
    with translation.override(language or settings.LANGUAGE_CODE):
        # The service's name in the recipient's language, also for templates that call it
        # site_name (Django's password reset), whatever name the sender's language gave.
        name = names.service_name()
        context = {"site_url": settings.SITE_URL, **context, "service_name": name}
        context["site_name"] = name
        subject = engine.get_template(f"emails/{template}_subject.txt").render(context).strip()
        body = engine.get_template(f"emails/{template}_body.txt").render(context)
    return " ".join(subject.split()), body


# The footer the recipient's organisation wrote for its staff's mail: the help texts
# (kierratys.accounts.help, a higher layer) answer with it. Receivers take `to` and
# `language` and answer a string ("" for none).
mail_footer = Hook("mail_footer")


def _organisation_footer(to: str, language: str | None) -> str:
    return "\n".join(footer for footer in mail_footer(to=to, language=language) if footer)


def send_now(
    *,
    to: str,
    template: str,
    context: dict,
    language: str | None = None,
    headers: dict[str, str] | None = None,
) -> bool:
    """Send at once (the worker's task does this); False when sending failed.

    `headers` are extra mail headers, such as List-Unsubscribe.
    """
    subject, body = render_mail(template, context, language)
    footer = _organisation_footer(to, language)
    if footer:
        body = f"{body.rstrip()}\n\n-- \n{footer}\n"
    try:
        EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [to], headers=headers).send()
    except Exception:  # a mail failure must never break the action that caused it
        logger.exception("Sending %s mail to %s failed", template, to)
        return False
    return True


def send_later(
    *,
    to: str,
    template: str,
    context: dict,
    language: str | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    """Queue a mail in the current transaction: sent by the worker after commit, with retries.

    `context` must be plain JSON data (strings, numbers, lists, dicts): codes and ISO dates
    rather than translated words, which would be in the sender's language. `headers` are
    extra mail headers (strings), kept with the task across retries.
    """
    from .tasks import send_email

    send_email.enqueue(
        to=to, template=template, context=context, language=language, headers=headers
    )
