"""Background work that must not slow down or break a request: email, for now.

A failed send is retried with growing pauses; it never fails the action that caused it.
"""

import logging
from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from . import mail

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 6


@task()
def send_email(*, to: str, template: str, context: dict, language: str | None, attempt: int = 1):
    if mail.send_now(to=to, template=template, context=context, language=language):
        return True
    if attempt >= MAX_ATTEMPTS:
        logger.error("Giving up on %s mail to %s after %d attempts", template, to, attempt)
        return False
    retry_at = timezone.now() + timedelta(minutes=2**attempt)
    send_email.using(run_after=retry_at).enqueue(
        to=to, template=template, context=context, language=language, attempt=attempt + 1
    )
    return False
