"""Write side: publish, end and dismiss announcements, and tell open pages live.

A current announcement's event goes out once its transaction commits; a scheduled one's
when it starts: a task queued to run then (`tasks.announcements_go_live`), with the
periodic jobs' round as the backstop (`announcements_announce_due`). `announced_at` makes
each go out once, whichever comes first.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.models import Warehouse
from kierratys import live
from kierratys.accounts.models import User
from kierratys.accounts.roles import (
    ROLES,
    STAFF,
    coordinators_organisation_id,
)
from kierratys.accounts.selectors import partner_ids_of
from kierratys.common.errors import NotFound, ServiceError
from kierratys.legal.texts import LANGUAGES

from .models import BODY_MAX_LENGTH, TITLE_MAX_LENGTH, Announcement, AnnouncementDismissal
from .selectors import current_q, forget_windows

EVENT_PUBLISHED = "announcement.published"
EVENT_ENDED = "announcement.ended"
EVENT_DISMISSED = "announcement.dismissed"
LONGEST = timedelta(days=366)  # a notice for longer than a year is not a notice


def _forget_windows() -> None:
    """Pages look for current announcements again: now, for what this transaction reads
    next, and after the commit, so no other process keeps what it read in between."""
    forget_windows()
    transaction.on_commit(forget_windows)


def _coordinator(actor) -> int:
    return coordinators_organisation_id(actor)


def audience_groups(announcement: Announcement) -> list[str]:
    """The live groups of exactly the people the announcement is for (docs/live-events.md)."""
    organisation_id = announcement.organisation_id
    if announcement.audience == Announcement.Audience.ROLE and announcement.role != STAFF:
        # No group holds just one role: each such person's own (every active user is staff).
        people = User.objects.filter(
            is_active=True,
            groups__name=announcement.role,
            unit__department__organisation_id=organisation_id,
        ).values_list("pk", flat=True)
        return [live.user_group(pk) for pk in people.order_by("pk")]
    groups = [live.organisation_group(organisation_id)]
    if announcement.audience == Announcement.Audience.WAREHOUSE:
        warehouse = announcement.warehouse
        if warehouse.serves_partners:
            # Partners with no warehouse of their own in use (selectors.audience_q).
            served = (
                partner_ids_of(organisation_id)
                .exclude(warehouses__is_active=True)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            groups += [live.organisation_group(pk) for pk in served]
    return groups


def event_data(announcement: Announcement) -> dict:
    """What a page needs to show it without asking: the texts in every language (Finnish
    where one is empty, with the language it is in, for lang="...")."""
    return {
        "id": announcement.pk,
        "severity": announcement.severity,
        "texts": {
            code: {
                "title": announcement.text("title", code),
                "body": announcement.text("body", code),
            }
            for code in LANGUAGES
        },
    }


def _announce(announcement: Announcement, now) -> None:
    announcement.announced_at = now
    announcement.save(update_fields=["announced_at"])
    live.publish(
        audience_groups(announcement),
        EVENT_PUBLISHED,
        event_data(announcement),
        key=f"announcement:{announcement.pk}",
    )


def _clean_texts(texts: dict) -> tuple[dict, dict]:
    values, errors = {}, {}
    for code in LANGUAGES:
        title = (texts.get(f"title_{code}") or "").strip()
        # Plain text: line breaks are kept (shown as such), ends of lines tidied.
        body = "\n".join(
            line.rstrip() for line in (texts.get(f"body_{code}") or "").strip().splitlines()
        )
        if len(title) > TITLE_MAX_LENGTH:
            errors[f"title_{code}"] = _("The title is too long: at most %(n)d characters.") % {
                "n": TITLE_MAX_LENGTH
            }
        if len(body) > BODY_MAX_LENGTH:
            errors[f"body_{code}"] = _("The text is too long: at most %(n)d characters.") % {
                "n": BODY_MAX_LENGTH
            }
        if (title or body) and code != "fi" and not (title and body):
            key = f"title_{code}" if not title else f"body_{code}"
            errors[key] = _("Give both the title and the text in this language, or neither.")
        values[f"title_{code}"], values[f"body_{code}"] = title, body
    if not values["title_fi"]:
        errors["title_fi"] = _("Give the title in Finnish.")
    if not values["body_fi"]:
        errors["body_fi"] = _("Give the text in Finnish.")
    return values, errors


def announcement_publish(
    *,
    actor,
    texts: dict,
    ends_at,
    starts_at=None,
    audience: str = Announcement.Audience.ORGANISATION,
    role: str = "",
    warehouse_id: int | None = None,
    severity: str = Announcement.Severity.INFO,
) -> Announcement:
    """Publish the coordinator's announcement to their organisation's chosen audience.

    `texts`: title_fi, body_fi (required), and _sv, _en (both or neither). No start means
    now; a start in the past counts as now. Bad input raises ServiceError and writes nothing.
    """
    organisation_id = _coordinator(actor)
    now = timezone.now()
    values, errors = _clean_texts(texts)
    starts_at = max(starts_at or now, now)
    if ends_at is None:
        errors["ends_at"] = _("Give the time the announcement ends.")
    elif ends_at <= starts_at:
        errors["ends_at"] = _("The end must be after the start, and in the future.")
    elif ends_at - starts_at > LONGEST:
        errors["ends_at"] = _("An announcement can be shown for at most a year.")
    if severity not in Announcement.Severity.values:
        errors["severity"] = _("Choose how important the announcement is.")
    warehouse = None
    if audience == Announcement.Audience.ROLE:
        if role not in ROLES:
            errors["role"] = _("Choose the role whose people see the announcement.")
    elif audience == Announcement.Audience.WAREHOUSE:
        role = ""
        warehouse = Warehouse.objects.filter(
            pk=warehouse_id, organisation_id=organisation_id
        ).first()
        if warehouse is None:
            errors["warehouse"] = _("Choose one of your organisation's warehouses.")
    elif audience == Announcement.Audience.ORGANISATION:
        role = ""
    else:
        errors["audience"] = _("Choose who sees the announcement.")
    if errors:
        raise ServiceError(errors)
    with transaction.atomic():
        announcement = Announcement.objects.create(
            organisation_id=organisation_id,
            starts_at=starts_at,
            ends_at=ends_at,
            audience=audience,
            role=role if audience == Announcement.Audience.ROLE else "",
            warehouse=warehouse,
            severity=severity,
            created_by=actor,
            **values,
        )
        _forget_windows()
        if starts_at <= now:
            _announce(announcement, now)
        else:
            from .tasks import announcements_go_live

            announcements_go_live.using(run_after=starts_at).enqueue()
    return announcement


def announcements_announce_due(*, now=None) -> int:
    """Tell open pages of the scheduled announcements that have begun and not been told.
    Safe to run anywhere at once (locked rows are skipped); returns how many went out."""
    now = now or timezone.now()
    count = 0
    with transaction.atomic():
        due = (
            Announcement.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(current_q(now), announced_at__isnull=True)
            .select_related("warehouse")
            .order_by("pk")
        )
        for announcement in due:
            _announce(announcement, now)
            count += 1
    return count


def announcement_end(*, actor, announcement_id: int) -> Announcement:
    """End it now (a scheduled one never begins); open pages take it away."""
    organisation_id = _coordinator(actor)
    with transaction.atomic():
        announcement = (
            Announcement.objects.select_for_update(of=("self",))
            .filter(pk=announcement_id, organisation_id=organisation_id)
            .select_related("warehouse")
            .first()
        )
        if announcement is None:
            raise NotFound
        now = timezone.now()
        if announcement.ended_at is None and announcement.ends_at > now:
            announcement.ended_at = now
            announcement.save(update_fields=["ended_at"])
            _forget_windows()
            live.publish(
                audience_groups(announcement),
                EVENT_ENDED,
                {"id": announcement.pk},
                key=f"announcement:{announcement.pk}",
            )
    return announcement


def announcement_dismiss(*, user, announcement_id: int) -> None:
    """The user no longer sees it on top of their pages (their other open pages neither).
    Only one they can see now; anything else is a 404."""
    from .selectors import visible_to

    with transaction.atomic():
        if not visible_to(user=user).filter(pk=announcement_id).exists():
            raise NotFound
        _dismissal, created = AnnouncementDismissal.objects.get_or_create(
            user=user, announcement_id=announcement_id
        )
        if created:
            live.publish(
                [live.user_group(user.pk)],
                EVENT_DISMISSED,
                {"id": announcement_id},
                key=f"announcement-dismissed:{user.pk}:{announcement_id}",
            )
