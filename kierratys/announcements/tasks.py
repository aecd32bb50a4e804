"""Scheduled announcements go live when they begin: a task queued to run at the start."""

from django_tasks import task


@task()
def announcements_go_live():
    from .services import announcements_announce_due

    return announcements_announce_due()
