"""Background work that must not slow down or break a request: email, for now.

A failed send is retried with growing pauses; it never fails the action that caused it.
The worker (`manage.py worker`) stops a task after TASK_TIMEOUT_SECONDS; a task whose
worker died mid-run is queued again once its lease (TASK_LEASE_SECONDS) has run out.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from . import mail

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 6
# A task whose worker died this many times under it is given up: it may be what kills it.
MAX_CLAIMS = 3


@task()
def send_email(
    *,
    to: str,
    template: str,
    context: dict,
    language: str | None,
    attempt: int = 1,
    headers: dict[str, str] | None = None,
):
    if mail.send_now(to=to, template=template, context=context, language=language, headers=headers):
        return True
    if attempt >= MAX_ATTEMPTS:
        logger.error("Giving up on %s mail to %s after %d attempts", template, to, attempt)
        return False
    retry_at = timezone.now() + timedelta(minutes=2**attempt)
    send_email.using(run_after=retry_at).enqueue(
        to=to,
        template=template,
        context=context,
        language=language,
        attempt=attempt + 1,
        headers=headers,
    )
    return False


def tasks_requeue_stale(*, lease: timedelta | None = None) -> int:
    """Queue again the tasks whose worker died mid-run (killed, out of memory, host gone).

    django-tasks-db has no lease of its own: such a task stays RUNNING for good. One still
    running longer than the lease, which is longer than any task may run, has no worker.
    Safe beside running workers and itself (locked rows are skipped). Returns how many.
    """
    lease = timedelta(seconds=settings.TASK_LEASE_SECONDS) if lease is None else lease
    requeued = 0
    with transaction.atomic():
        stale = DBTaskResult.objects.select_for_update(skip_locked=True).filter(
            status=TaskResultStatus.RUNNING, started_at__lt=timezone.now() - lease
        )
        for result in stale:
            if len(result.worker_ids) >= MAX_CLAIMS:
                logger.error("Task %s lost its worker %d times: failed", result.id, MAX_CLAIMS)
                result.status = TaskResultStatus.FAILED
                result.finished_at = timezone.now()
                result.exception_class_path = "kierratys.common.tasks.WorkerLost"
                result.traceback = f"Its worker died while running it, {MAX_CLAIMS} times."
                result.save(
                    update_fields=["status", "finished_at", "exception_class_path", "traceback"]
                )
            else:
                logger.warning("Task %s lost its worker: queued again", result.id)
                result.status = TaskResultStatus.READY
                result.save(update_fields=["status"])
                requeued += 1
    return requeued
