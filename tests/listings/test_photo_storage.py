"""Photos on S3 (moto's threaded server speaks the real S3 protocol) and storage failures."""

from io import BytesIO

import boto3
import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from moto.server import ThreadedMotoServer
from PIL import Image

from listings import services
from listings.models import Listing, ListingPhoto

from ..factories import CategoryFactory, UserFactory
from ..images import jpeg_upload
from ..support.servers import free_port

pytestmark = pytest.mark.django_db
BUCKET = "kierratys-photos-test"


@pytest.fixture(scope="module")
def s3_server():
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3(settings, s3_server):
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name="eu-north-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-north-1"}
    )
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_server,
                "region_name": "eu-north-1",
                "access_key": "testing",
                "secret_key": "testing",
                "addressing_style": "path",
                "file_overwrite": False,
                "default_acl": None,
            },
        },
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def create_listing(user, uploads):
    return services.listing_create(
        actor=user,
        unit=user.unit,
        fields={
            "title": "Koulupulpetti",
            "category": CategoryFactory(),
            "condition": "good",
            "quantity": 2,
        },
        uploads=uploads,
        publish=True,
    )


def test_photos_round_trip_through_s3(s3):
    user = UserFactory()
    listing = create_listing(user, [jpeg_upload(orientation=6), jpeg_upload(size=(2400, 1800))])
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"])
    expected = sorted(
        name for photo in listing.photos.all() for name in (photo.large.name, photo.thumb.name)
    )
    assert keys == expected and len(keys) == 4
    for key in keys:
        obj = s3.get_object(Bucket=BUCKET, Key=key)
        assert obj["ContentType"] == "image/jpeg"
        content = obj["Body"].read()
        image = Image.open(BytesIO(content))
        assert image.format == "JPEG"
        assert not image.getexif()
        assert b"Exif" not in content and b"GPS" not in content
    large = listing.photos.get(position=1).large
    assert (
        max(Image.open(BytesIO(s3.get_object(Bucket=BUCKET, Key=large.name)["Body"].read())).size)
        == 1600
    )
    assert BUCKET in default_storage.url(large.name)


class FlakyStorage(FileSystemStorage):
    """A disk that fails on the third write, like a storage service dropping mid-upload."""

    writes = 0

    def _save(self, name, content):
        FlakyStorage.writes += 1
        if FlakyStorage.writes == 3:
            raise OSError("storage went away")
        return super()._save(name, content)


def test_storage_failure_mid_upload_leaves_nothing_behind(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "tests.listings.test_photo_storage.FlakyStorage",
            "OPTIONS": {"location": str(tmp_path / "flaky")},
        },
    }
    FlakyStorage.writes = 0
    user = UserFactory()
    with pytest.raises(services.PhotoStorageError):
        create_listing(user, [jpeg_upload(), jpeg_upload()])
    assert not Listing.objects.exists()
    assert not ListingPhoto.objects.exists()
    leftover = [p for p in (tmp_path / "flaky").rglob("*") if p.is_file()]
    assert leftover == []
    assert FlakyStorage.writes == 3
