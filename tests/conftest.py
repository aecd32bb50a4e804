import pytest
from django.conf import settings

from kierratys.accounts.roles import COORDINATOR, WAREHOUSE

from .factories import UnitFactory, UserFactory

# The real test OpenID provider: fixtures `oidc_provider` (session) and `oidc` (reset per test).
pytest_plugins = ["tests.support.oidc_provider"]

ON_POSTGRES = settings.USES_POSTGRES
ON_REDIS = bool(settings.REDIS_URL)

needs_postgres = pytest.mark.skipif(
    not ON_POSTGRES, reason="needs PostgreSQL (DATABASE_URL); runs in CI's first pass"
)
needs_redis = pytest.mark.skipif(
    not ON_REDIS, reason="needs Redis (REDIS_URL); runs in CI's first pass"
)


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    """Each test stores its files apart: a folder locally, a key prefix on S3."""
    settings.MEDIA_ROOT = tmp_path / "media"
    if settings.AWS_STORAGE_BUCKET_NAME:
        import uuid

        default = settings.STORAGES["default"]
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                **default,
                "OPTIONS": {**default["OPTIONS"], "location": f"t-{uuid.uuid4().hex}"},
            },
        }


@pytest.fixture(scope="session", autouse=True)
def _s3_bucket():
    """When CI switches S3 on, make sure its bucket exists on the S3 server."""
    if not settings.AWS_STORAGE_BUCKET_NAME:
        return
    import boto3

    options = settings.STORAGES["default"]["OPTIONS"]
    client = boto3.client(
        "s3",
        endpoint_url=options["endpoint_url"],
        region_name=options["region_name"],
        aws_access_key_id=options["access_key"],
        aws_secret_access_key=options["secret_key"],
    )
    existing = {b["Name"] for b in client.list_buckets().get("Buckets", [])}
    if settings.AWS_STORAGE_BUCKET_NAME not in existing:
        client.create_bucket(
            Bucket=settings.AWS_STORAGE_BUCKET_NAME,
            CreateBucketConfiguration={"LocationConstraint": options["region_name"]},
        )


@pytest.fixture
def unit(db):
    return UnitFactory()


@pytest.fixture
def staff_user(db):
    return UserFactory()


@pytest.fixture
def warehouse_user(db):
    return UserFactory(roles=[WAREHOUSE])


@pytest.fixture
def coordinator(db):
    return UserFactory(roles=[COORDINATOR], is_staff=True)


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture(autouse=True)
def _fresh_channel_layer():
    """Each async test has its own event loop; the layer must not carry queues across them."""
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture
def run_tasks(db, monkeypatch):
    """Run every queued background task now, with the real worker.

    The worker closes idle connections between tasks, which would end the test's own
    transaction, so only that is switched off here.
    """
    from django.core.management import call_command

    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )

    def run():
        call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)

    return run


@pytest.fixture(autouse=True, scope="session")
def _hash_each_password_once():
    """Real pbkdf2 hashes, computed once per password per run (factories make many users)."""
    from django.test.utils import override_settings

    with override_settings(PASSWORD_HASHERS=["tests.browser.hashers.HashOncePasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _owner_sweep_at_once(settings):
    """New-reservation emails are swept as soon as the worker runs (production batches a
    couple of seconds); tests of the batching set their own delay."""
    settings.RESERVATION_OWNER_NOTIFY_SECONDS = 0


@pytest.fixture(autouse=True)
def _empty_cache():
    """Cached filter choices and fragments must not leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
async def close_thread_connections():
    """Async tests run factories through sync_to_async, in one worker thread whose database
    connection would outlive the test: later tests that count connections, and the test
    database's teardown, would find it. Modules of async tests use this fixture."""
    yield
    from asgiref.sync import sync_to_async
    from django.db import connections

    await sync_to_async(connections.close_all)()
