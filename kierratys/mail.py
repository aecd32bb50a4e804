"""Outgoing email: rendered in the recipient's language, sent by the worker after commit."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)


def render_mail(template: str, context: dict, language: str | None) -> tuple[str, str]:
    """Render `<template>_subject.txt` and `<template>_body.txt` in `language`."""
    context = {"service_name": settings.SERVICE_NAME, "site_url": settings.SITE_URL, **context}
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"emails/{template}_subject.txt", context).strip()
        body = render_to_string(f"emails/{template}_body.txt", context)
    return " ".join(subject.split()), body


def send_now(*, to: str, template: str, context: dict, language: str | None = None) -> bool:
    subject, body = render_mail(template, context, language)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
    except Exception:  # a mail failure must never break the action that caused it
        logger.exception("Sending %s mail to %s failed", template, to)
        return False
    return True


def send_later(*, to: str, template: str, context: dict, language: str | None = None) -> None:
    """Queue a mail in the current transaction: sent by the worker after commit, with retries.

    `context` must be plain JSON data (strings, numbers, lists, dicts).
    """
    from .tasks import send_email

    send_email.enqueue(to=to, template=template, context=context, language=language)
