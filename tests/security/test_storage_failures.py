"""Storage failing mid-upload leaves nothing half-written (issue 14), and no database
transaction or row lock waits on the storage service (finding 2: a hanging S3 held
listing creation's transaction open for minutes).

The storage is the configured one (a local folder, or S3 on moto's server in CI's first
pass); only its write is wrapped, to fail or to wait where a real service would.
"""

import logging
import threading

import pytest
from botocore.exceptions import ClientError, ReadTimeoutError
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.db import connection
from django.urls import reverse

from listings import services
from listings.models import MAX_PHOTOS, Listing, ListingPhoto

from ..conftest import needs_postgres
from ..factories import CategoryFactory, UserFactory
from ..images import jpeg_upload
from ..listings.test_listing_pages import form_data
from ..support.threads import in_background
from .test_uploads import all_files

FAILURES = {
    "os-error": lambda: OSError("storage went away"),
    "read-timeout": lambda: ReadTimeoutError(endpoint_url="https://s3.example"),
    "slow-down": lambda: ClientError({"Error": {"Code": "SlowDown"}}, "PutObject"),
}
NOT_SAVED = "The photos could not be saved just now. Nothing was saved; please try again."


def fields():
    return {
        "title": "Koulupulpetti",
        "category": CategoryFactory(),
        "condition": "good",
        "quantity": 2,
    }


def create(user, photo_count=2):
    return services.listing_create(
        actor=user,
        unit=user.unit,
        fields=fields(),
        uploads=[jpeg_upload(f"IMG_{i}.jpg") for i in range(photo_count)],
        publish=True,
    )


def edit(user, listing, photo_count=2, **changes):
    return services.listing_update(
        actor=user,
        listing_id=listing.pk,
        fields={"title": "Uusi nimi"},
        uploads=[jpeg_upload(f"NEW_{i}.jpg") for i in range(photo_count)],
        **changes,
    )


def wrap_writes(monkeypatch, hook):
    """Run hook(write_number, name, content, real_save) for every file the storage writes."""
    storage = storages["default"]  # the object default_storage stands for
    real = storage._save
    count = {"writes": 0}

    def _save(name, content):
        count["writes"] += 1
        return hook(count["writes"], name, content, real)

    monkeypatch.setattr(storage, "_save", _save)
    return count


def fail_on(monkeypatch, nth, failure, *, after_write):
    """The nth write fails; after_write: the service stored it, then the answer was lost
    (a read timeout after the upload went through)."""

    def hook(number, name, content, real):
        if number != nth:
            return real(name, content)
        if after_write:
            real(name, content)
        raise failure()

    return wrap_writes(monkeypatch, hook)


def stored_names() -> set[str]:
    return {
        name
        for photo in ListingPhoto.objects.all()
        for name in (photo.large.name, photo.thumb.name)
    }


def assert_rows_and_files_agree():
    """Every row's files exist and every file has its row."""
    assert set(all_files()) == stored_names()


# --- Create and edit failing part way -------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("failure", FAILURES)
@pytest.mark.parametrize("after_write", [False, True], ids=["before-write", "after-write"])
@pytest.mark.parametrize("nth", [1, 3, 4])  # 2 photos: 4 files
def test_create_failing_mid_upload_leaves_no_row_and_no_file(
    monkeypatch, nth, after_write, failure
):
    count = fail_on(monkeypatch, nth, FAILURES[failure], after_write=after_write)

    with pytest.raises(services.PhotoStorageError):
        create(UserFactory())

    assert count["writes"] == nth
    assert not Listing.objects.exists()
    assert not ListingPhoto.objects.exists()
    assert all_files() == []


@pytest.mark.django_db
@pytest.mark.parametrize("after_write", [False, True], ids=["before-write", "after-write"])
@pytest.mark.parametrize("nth", [1, 3])
def test_edit_failing_mid_upload_changes_nothing(monkeypatch, nth, after_write):
    user = UserFactory()
    listing = create(user)
    first, second = listing.photos.all()
    before = set(all_files())
    fail_on(monkeypatch, nth, FAILURES["read-timeout"], after_write=after_write)

    with pytest.raises(services.PhotoStorageError):
        edit(user, listing, remove_photo_ids=[first.pk], cover_photo_id=second.pk)

    listing.refresh_from_db()
    assert listing.title == "Koulupulpetti"
    assert list(listing.photos.all()) == [first, second]
    assert set(all_files()) == before
    assert_rows_and_files_agree()


@pytest.mark.django_db
def test_a_failed_upload_shows_a_message_on_the_form(monkeypatch, client):
    client.force_login(UserFactory())
    fail_on(monkeypatch, 3, FAILURES["slow-down"], after_write=True)
    data = form_data(CategoryFactory())
    data["photos"] = [jpeg_upload("a.jpg"), jpeg_upload("b.jpg")]

    response = client.post(reverse("listings:create"), data, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert NOT_SAVED in response.text
    assert 'value="Harmaa työtuoli"' in response.text
    assert not Listing.objects.exists()
    assert all_files() == []


@pytest.mark.django_db
def test_files_that_cannot_be_deleted_again_are_logged(monkeypatch, caplog):
    written = []

    def hook(number, name, content, real):
        written.append(real(name, content))
        if number == 3:
            raise FAILURES["read-timeout"]()
        return written[-1]

    wrap_writes(monkeypatch, hook)
    monkeypatch.setattr(
        storages["default"], "delete", lambda name: (_ for _ in ()).throw(OSError("no"))
    )

    with (
        caplog.at_level(logging.ERROR, logger="listings.services"),
        pytest.raises(services.PhotoStorageError),
    ):
        create(UserFactory())

    assert not Listing.objects.exists()
    logged = caplog.text
    assert len(written) == 3
    for name in written:  # left behind, but named in the log for clean-up
        assert name in logged


@pytest.mark.django_db
def test_database_step_failing_after_the_files_were_written_deletes_them(monkeypatch):
    """Another edit adds a photo while ours is uploading: the count checked under the lock
    refuses ours, and the files it wrote go again."""
    user = UserFactory()
    listing = create(user, photo_count=MAX_PHOTOS - 2)

    def hook(number, name, content, real):
        if number == 1:
            edit(user, listing, photo_count=1)  # the other request, done first
        return real(name, content)

    wrap_writes(monkeypatch, hook)

    with pytest.raises(ValidationError) as refused:
        edit(user, listing, photo_count=2)

    assert "at most 8 photos" in " ".join(refused.value.messages)
    assert listing.photos.count() == MAX_PHOTOS - 1
    assert len(all_files()) == 2 * (MAX_PHOTOS - 1)
    assert_rows_and_files_agree()


# --- No transaction across storage calls ----------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("action", ["create", "edit"])
def test_storage_is_never_called_inside_a_transaction(monkeypatch, action):
    user = UserFactory()
    listing = create(user, photo_count=0)
    seen = []

    def hook(number, name, content, real):
        seen.append(connection.in_atomic_block)
        return real(name, content)

    wrap_writes(monkeypatch, hook)

    if action == "create":
        create(user)
    else:
        edit(user, listing)

    assert seen == [False] * 4
    assert ListingPhoto.objects.count() == 2
    assert_rows_and_files_agree()


HELD_BY_OTHERS = """
    SELECT a.pid, a.state, l.locktype, l.mode, c.relname
    FROM pg_stat_activity a
    LEFT JOIN pg_locks l ON l.pid = a.pid
    LEFT JOIN pg_class c ON c.oid = l.relation
    WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()
      AND (a.state LIKE 'idle in transaction%' OR l.pid IS NOT NULL)
"""


@needs_postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("action", ["create", "edit"])
def test_no_backend_waits_in_a_transaction_while_storage_hangs(monkeypatch, action):
    """The upload runs in its own thread (its own connection); while its storage call
    hangs, this connection looks at what every other backend of the database holds."""
    user = UserFactory()
    listing = create(user, photo_count=0)
    in_storage, release = threading.Event(), threading.Event()

    def hook(number, name, content, real):
        in_storage.set()
        release.wait(timeout=60)  # a hanging S3, until this test has looked
        return real(name, content)

    wrap_writes(monkeypatch, hook)

    def upload():
        create(user) if action == "create" else edit(user, listing)

    with in_background(upload, release=release):  # raises what the upload raised
        assert in_storage.wait(timeout=60)
        with connection.cursor() as cursor:
            cursor.execute(HELD_BY_OTHERS)
            held = cursor.fetchall()

    assert held == []
    assert ListingPhoto.objects.count() == 2
