"""Signed-in people for the benchmarks, made in bulk: accounts and their sessions."""

from datetime import timedelta


def colleagues(model_user, *, count: int, email_prefix: str, units: list | None = None) -> list:
    """`count` active accounts with `model_user`'s roles, in `units` (taken in turn) or
    `model_user`'s unit; made once, found again by email on later runs. Ordered by email."""
    from kierratys.accounts.models import User

    domain = "bench.example"
    wanted = [f"{email_prefix}-{n:05d}@{domain}" for n in range(count)]
    have = set(User.objects.filter(email__in=wanted).values_list("email", flat=True))
    unit_ids = [unit.pk for unit in units] if units else [model_user.unit_id]
    made = []
    for n, email in enumerate(wanted):
        if email not in have:
            person = User(
                email=email,
                full_name=f"Bench {email_prefix} {n}",
                unit_id=unit_ids[n % len(unit_ids)],
                is_active=True,
                email_verified_at=model_user.email_verified_at,
            )
            person.set_unusable_password()
            made.append(person)
    User.objects.bulk_create(made, batch_size=1000)
    people = list(User.objects.filter(email__in=wanted).order_by("email"))
    if made:
        new = {person.email for person in made}
        through = User.groups.through
        through.objects.bulk_create(
            [
                through(user_id=person.pk, group_id=group.pk)
                for person in people
                if person.email in new
                for group in model_user.groups.all()
            ],
            batch_size=5000,
            ignore_conflicts=True,
        )
    return people


def session_cookies(users, *, language: str = "fi") -> list[str]:
    """One new signed-in session per user, written to the session store in one statement;
    the Cookie header each would send."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    store = SessionStore()
    expires = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    rows = []
    for user in users:
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: "kierratys.accounts.backends.UnitAwareBackend",
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
        rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expires))
    Session.objects.bulk_create(rows, batch_size=1000)
    name = settings.SESSION_COOKIE_NAME
    return [f"{name}={row.session_key}; django_language={language}" for row in rows]
