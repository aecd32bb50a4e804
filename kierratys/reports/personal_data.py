"""A person's own data as one JSON document (the right of access, issue 23).

What the service holds about them and what they wrote: the account, unit and roles, how
they signed in, the listings they made, their reservations with the contact details they
gave (waiting-list places among them), their warehouse tasks, saved searches, notices,
end-of-life decisions, the history notes they wrote, and the access log of others seeing
their details. Nothing of anyone else: no other person's reservation, contact or email
(the log names who viewed, as the right of access asks).

On top of the layers, as it reads every app. Downloading it is logged as an export.
"""

import json

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.utils import timezone

from inventory.models import Task
from kierratys.accounts.models import Notice, User, UserSession
from kierratys.accounts.privacy import selectors as privacy_selectors
from kierratys.accounts.privacy import services as privacy
from kierratys.accounts.roles import ROLES, organisation_id_of
from listings.models import EndOfLife, Listing, ListingEvent, SavedSearch
from reservations.models import HandoverDocument, Reservation

FORMAT = "kierratys-personal-data/1"


def _listing_ref(listing) -> dict:
    return {"id": listing.pk, "code": listing.code, "title": listing.title}


def _account(user: User) -> dict:
    return {
        "id": user.pk,
        "email": user.email,
        "full_name": user.full_name,
        "phone": user.phone,
        "language": user.language,
        "is_active": user.is_active,
        "date_joined": user.date_joined,
        "email_verified_at": user.email_verified_at,
    }


def _unit(user: User) -> dict | None:
    unit = user.unit
    if unit is None:
        return None
    return {
        "id": unit.pk,
        "name": unit.display_name,
        "department": unit.department.display_name,
        "organisation": unit.department.organisation.display_name,
        "address": unit.address,
    }


def _sign_ins(user: User) -> dict:
    by_name = {"username": user.email}
    return {
        "last_login": user.last_login,
        "last_sign_in_method": user.last_sign_in_method,
        "last_sign_in_provider": user.last_sign_in_provider,
        # Session keys and the provider's session ids are secrets, not data about them.
        "sessions": list(
            UserSession.objects.filter(user=user).values(
                "created_at", "method", "provider_name", "user_agent"
            )
        ),
        "sign_in_log": list(
            AccessLog.objects.filter(**by_name)
            .order_by("-attempt_time")
            .values("attempt_time", "logout_time", "ip_address", "user_agent")
        ),
        "failed_sign_ins": list(
            AccessFailureLog.objects.filter(**by_name)
            .order_by("-attempt_time")
            .values("attempt_time", "ip_address", "user_agent", "locked_out")
        ),
        "sign_in_throttle": list(
            AccessAttempt.objects.filter(**by_name).values(
                "attempt_time", "ip_address", "user_agent", "failures_since_start"
            )
        ),
    }


def _listings(user: User) -> list[dict]:
    listings = Listing.objects.filter(created_by=user).select_related("category", "owner_unit")
    return [
        {
            **_listing_ref(listing),
            "description": listing.description,
            "pickup_instructions": listing.pickup_instructions,
            "category": str(listing.category),
            "unit": listing.owner_unit.display_name,
            "quantity": listing.quantity,
            "status": listing.status,
            "created_at": listing.created_at,
            "published_at": listing.published_at,
        }
        for listing in listings.order_by("created_at", "pk")
    ]


def _reservations(user: User) -> list[dict]:
    reservations = Reservation.objects.filter(requested_by=user).select_related("listing", "unit")
    return [
        {
            "id": reservation.pk,
            "listing": _listing_ref(reservation.listing),
            "unit": reservation.unit.display_name,
            "status": reservation.status,
            "quantity": reservation.quantity,
            "quantity_collected": reservation.quantity_collected,
            "handover": reservation.handover,
            "wanted_date": reservation.wanted_date,
            "contact_name": reservation.contact_name,
            "contact_phone": reservation.contact_phone,
            "note": reservation.note,
            "reason": reservation.reason,
            "collect_by": reservation.collect_by,
            "created_at": reservation.created_at,
            "updated_at": reservation.updated_at,
        }
        for reservation in reservations.order_by("created_at", "pk")
    ]


def _tasks(user: User) -> list[dict]:
    tasks = (
        Task.objects.filter(Q(assigned_to=user) | Q(completed_by=user) | Q(created_by=user))
        .select_related("listing")
        .order_by("created_at", "pk")
    )
    return [
        {
            "id": task.pk,
            "kind": task.kind,
            "status": task.status,
            "listing": _listing_ref(task.listing),
            "date": task.date,
            "assigned_to_you": task.assigned_to_id == user.pk,
            "done_by_you": task.completed_by_id == user.pk,
            "created_by_you": task.created_by_id == user.pk,
            "done_at": task.done_at,
            "created_at": task.created_at,
        }
        for task in tasks
    ]


def _history_notes(user: User) -> list[dict]:
    """The history entries they made with a note of their own (a cancellation's reason)."""
    events = ListingEvent.objects.filter(actor=user).exclude(note="").select_related("listing")
    return [
        {
            "listing": _listing_ref(event.listing),
            "kind": event.kind,
            "note": event.note,
            "at": event.created_at,
        }
        for event in events.order_by("created_at", "pk")
    ]


def _decisions(user: User) -> list[dict]:
    decisions = EndOfLife.objects.filter(decided_by=user).select_related("listing")
    return [
        {
            "listing": _listing_ref(decision.listing),
            "outcome": decision.outcome,
            "quantity": decision.quantity,
            "note": decision.note,
            "decided_at": decision.decided_at,
        }
        for decision in decisions.order_by("decided_at", "pk")
    ]


def _handover_documents(user: User) -> list[dict]:
    """The handover documents of their reservations, which name their contact person."""
    documents = HandoverDocument.objects.filter(reservation__requested_by=user)
    return list(
        documents.order_by("handed_over_at").values(
            "number", "reservation_id", "handed_over_at", "quantity", "receiver_name"
        )
    )


def _viewed_by_others(user: User) -> list[dict]:
    return [
        {
            "at": entry.at,
            "viewed_by": entry.viewer.full_name,
            "viewer_organisation": entry.organisation.display_name if entry.organisation else "",
            "where": entry.what,
            "object": entry.ref,
            "details_shown": entry.subject_description,
        }
        for entry in privacy_selectors.accesses_of_subject(subject_id=user.pk)
    ]


def personal_data_of(*, user_id: int) -> dict:
    """Everything about the person, as plain values (dates as ISO text once dumped)."""
    user = User.objects.select_related("unit__department__organisation").get(pk=user_id)
    reservations = _reservations(user)
    return {
        "format": FORMAT,
        "generated_at": timezone.now(),
        "account": _account(user),
        "unit": _unit(user),
        "roles": sorted(user.groups.filter(name__in=ROLES).values_list("name", flat=True)),
        "sign_ins": _sign_ins(user),
        "listings": _listings(user),
        "reservations": reservations,
        "waiting_list": [
            {"reservation": r["id"], "listing": r["listing"], "since": r["created_at"]}
            for r in reservations
            if r["status"] == Reservation.Status.WAITING
        ],
        "handover_documents": _handover_documents(user),
        "tasks": _tasks(user),
        "saved_searches": list(
            SavedSearch.objects.filter(user=user)
            .order_by("name", "pk")
            .values("name", "query", "alerts_enabled", "created_at", "last_emailed_at")
        ),
        "notices": list(
            Notice.objects.filter(user=user)
            .order_by("created_at", "pk")
            .values("kind", "params", "url", "created_at", "read_at")
        ),
        "end_of_life_decisions": _decisions(user),
        "history_notes": _history_notes(user),
        "viewed_by_others": _viewed_by_others(user),
    }


def personal_data_export(*, actor, user_id: int) -> bytes:
    """The JSON file of `user_id`'s data for `actor` (themselves or their coordinator,
    checked by the caller), logged as an export of that person's data."""
    document = personal_data_of(user_id=user_id)
    if actor.pk != user_id:
        document["exported_by"] = {"id": actor.pk, "organisation_id": organisation_id_of(actor)}
    privacy.personal_data_viewed(
        viewer=actor,
        subjects=[
            privacy.Subject(
                user_id=user_id,
                description=document["account"]["full_name"],
                unit_id=(document["unit"] or {}).get("id"),
            )
        ],
        what=privacy.What.EXPORT,
        ref=f"user:{user_id}",
    )
    return json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()
