"""Outgoing email: rendered in the recipient's language, sent only after commit."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
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


def send_on_commit(*, to: str, template: str, context: dict, language: str | None = None) -> None:
    transaction.on_commit(
        lambda: send_now(to=to, template=template, context=context, language=language)
    )
