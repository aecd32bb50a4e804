"""Real threads on PostgreSQL: two workers telling of one listing at once tell the poster
once."""

import contextlib
import threading

import pytest

from kierratys.accounts.models import Notice
from listings.wanted import alerts

from ..conftest import needs_postgres
from ..factories import CategoryFactory, UserFactory
from ..support.threads import race
from .test_wanted import colleague_in_another_department, post, publish

pytestmark = [needs_postgres, pytest.mark.django_db(transaction=True)]


def test_two_workers_matching_one_listing_at_once_tell_the_poster_once(monkeypatch):
    asker = UserFactory(language="en")
    chairs = CategoryFactory()
    post(asker, category=chairs)
    listing = publish(colleague_in_another_department(asker), chairs)
    # Each worker waits (up to a second) for the other after it has looked for an earlier
    # notice: without the lock both look, find none and both tell.
    both_looked = threading.Barrier(2)
    real = alerts._told_before

    def told_before_then_wait(*args):
        told = real(*args)
        with contextlib.suppress(threading.BrokenBarrierError):
            both_looked.wait(timeout=1)
        return told

    monkeypatch.setattr(alerts, "_told_before", told_before_then_wait)
    results, errors = race([lambda: alerts._match(listing.pk, before=None)] * 2)
    assert not errors
    assert sorted(results) == [0, 1]
    assert Notice.objects.filter(user=asker, kind=Notice.Kind.WANTED_MATCH).count() == 1
