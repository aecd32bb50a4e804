"""Uploads cost bounded memory and CPU (issue 14): the body is capped with a translated 413,
photos are measured from their headers before anything is decoded (each, and a request's
together), at most one full-size image is held while processing, and one account may send
only so many photos an hour. No timed assertions: refusals are told apart by their message
(garbage pixel data would say "damaged" had it been decoded), memory by the peak RSS of a
child process."""

import functools
import io
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image

from listings.models import MAX_PHOTOS, Listing, ListingPhoto
from listings.photos import MAX_PIXELS

from ..factories import CategoryFactory, ListingFactory, UserFactory
from ..images import jpeg_bytes, jpeg_upload, upload
from ..listings.test_listing_pages import edit_data, form_data

pytestmark = pytest.mark.django_db
MB = 1024 * 1024
ROOT = Path(__file__).resolve().parents[2]

TOO_MUCH = "Too much to send at once"
TOO_MANY_PIXELS = "The photo has too many pixels (over 40 megapixels)."
TOGETHER = "These photos have too many pixels together (over 120 megapixels)."
PER_HOUR = "You have added many photos within this hour (at most %d an hour)."


# --- Crafted files: tiny, but their headers claim a huge picture --------------------------


def _chunk(kind: bytes, body: bytes) -> bytes:
    crc = struct.pack(">I", zlib.crc32(kind + body))
    return struct.pack(">I", len(body)) + kind + body + crc


def png_claiming(width: int, height: int) -> bytes:
    """A valid PNG header for width x height RGB; the pixel data is garbage, so decoding it
    would fail ("damaged"): a size refusal proves nothing was decoded."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", ihdr)
        + _chunk(b"IDAT", b"junk")
        + _chunk(b"IEND", b"")
    )


def jpeg_claiming(width: int, height: int) -> bytes:
    """A real 16x16 JPEG whose frame header (SOF0) is rewritten to claim width x height."""
    data = bytearray(jpeg_bytes(size=(16, 16), gps=False))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


@functools.cache
def blank_png(width: int, height: int) -> bytes:
    """A real, decodable 1-bit PNG: a few kilobytes for tens of megapixels."""
    out = io.BytesIO()
    Image.new("1", (width, height)).save(out, "PNG")
    return out.getvalue()


@functools.cache
def grey_jpeg(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("L", (width, height), 128).save(out, "JPEG")
    return out.getvalue()


def pngs(blobs):
    return [upload(blob, f"kuva{i}.png", "image/png") for i, blob in enumerate(blobs)]


# --- Helpers ------------------------------------------------------------------------------


def all_files(path="") -> list[str]:
    """Every stored file, local folder or S3 prefix alike."""
    try:
        dirs, files = default_storage.listdir(path)
    except FileNotFoundError:
        return []
    found = [f"{path}/{name}".lstrip("/") for name in files]
    for folder in dirs:
        found += all_files(f"{path}/{folder}".lstrip("/"))
    return found


def assert_nothing_saved():
    assert not Listing.objects.exists()
    assert not ListingPhoto.objects.exists()
    assert all_files() == []


@pytest.fixture
def lister(db):
    return UserFactory()


@pytest.fixture
def lister_client(client, lister):
    client.force_login(lister)
    return client


def post_listing(client, photos, fields=None, **extra):
    data = form_data(CategoryFactory(), **(fields or {}))
    data["photos"] = photos
    return client.post(reverse("listings:create"), data, HTTP_ACCEPT_LANGUAGE="en", **extra)


# --- The request body ----------------------------------------------------------------------


@pytest.mark.parametrize("declared", [300 * MB, 10**12, "cap+1"])
def test_declared_body_over_the_cap_gets_413_before_it_is_read(lister_client, declared):
    """The test client's body is a few kilobytes: reading past it would fail the request,
    so the 413 proves nothing read the body."""
    if declared == "cap+1":
        from kierratys.common.limits import request_body_limit

        declared = request_body_limit() + 1
    response = post_listing(lister_client, [jpeg_upload()], CONTENT_LENGTH=str(declared))

    assert response.status_code == 413
    assert TOO_MUCH in response.text
    assert "Nothing was saved." in response.text
    assert f"up to {MAX_PHOTOS} photos of at most 20 MB each" in response.text
    assert_nothing_saved()


def test_body_cap_holds_for_a_real_body_and_on_the_edit_page(settings, lister_client, lister):
    settings.REQUEST_BODY_MAX_BYTES = 1 * MB
    listing = ListingFactory(owner_unit=lister.unit)

    def big_photos():
        return [upload(b"\xff\xd8\xff" + b"\0" * (600 * 1024), f"p{i}.jpg") for i in range(2)]

    created = post_listing(lister_client, big_photos())
    edited = lister_client.post(
        reverse("listings:edit", args=[listing.pk]),
        {**edit_data(listing), "listing-title": "Uusi nimi", "photo-photos": big_photos()},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    for response in (created, edited):
        assert response.status_code == 413
        assert "What you sent is over 1 MB. Nothing was saved." in response.text
    listing.refresh_from_db()
    assert listing.title != "Uusi nimi"
    assert Listing.objects.count() == 1


@pytest.mark.parametrize(
    "post",
    [
        # A form field over DATA_UPLOAD_MAX_MEMORY_SIZE inside a multipart form.
        lambda c: post_listing(c, [jpeg_upload()], {"description": "x" * (3 * MB)}),
        # The same in a urlencoded body.
        lambda c: c.post(
            reverse("listings:create"),
            urlencode(form_data(CategoryFactory(), description="x" * (3 * MB))),
            content_type="application/x-www-form-urlencoded",
            HTTP_ACCEPT_LANGUAGE="en",
        ),
        # More files than Django parses (DATA_UPLOAD_MAX_NUMBER_FILES).
        lambda c: post_listing(c, [upload(b"x", f"{i}.jpg") for i in range(101)]),
    ],
    ids=["multipart-field", "urlencoded-field", "too-many-files"],
)
def test_djangos_own_body_limits_give_the_translated_413_not_a_bare_400(lister_client, post):
    response = post(lister_client)

    assert response.status_code == 413
    assert TOO_MUCH in response.text
    assert '<html lang="en"' in response.text
    assert_nothing_saved()


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_413_page_is_in_the_users_language(lister_client, language):
    response = lister_client.post(
        reverse("listings:create"),
        {"title": "Tuoli"},
        CONTENT_LENGTH=str(300 * MB),
        HTTP_ACCEPT_LANGUAGE=language,
    )

    assert response.status_code == 413
    assert f'<html lang="{language}"' in response.text
    assert reverse("listings:create") in response.text  # the way back to the form


# --- Pixels, from the headers ---------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: png_claiming(40000, 40000),
        lambda: png_claiming(65535, 65535),
        lambda: png_claiming(7000, 6000),  # 42 MP: just over
        lambda: jpeg_claiming(60000, 60000),
        lambda: jpeg_claiming(8000, 6000),
    ],
    ids=["png-40000", "png-65535", "png-42mp", "jpeg-60000", "jpeg-48mp"],
)
def test_photo_whose_header_claims_too_many_pixels_is_refused(lister_client, make):
    data = make()
    assert len(data) < 2000

    response = post_listing(lister_client, [upload(data, "kuva.jpg")])

    assert response.status_code == 400
    assert TOO_MANY_PIXELS in response.text
    assert_nothing_saved()


@pytest.mark.parametrize(
    "sizes",
    [
        [(6000, 6000)] * 4,  # 144 MP
        [(4000, 4000)] * MAX_PHOTOS,  # 128 MP
        [(6400, 6200)] * 3 + [(1000, 1000)],  # 119 + 1 MP
    ],
    ids=["4x36mp", "8x16mp", "3x39.7mp+1mp"],
)
def test_photos_over_the_total_pixels_are_refused_before_any_is_decoded(lister_client, sizes):
    response = post_listing(lister_client, pngs(png_claiming(w, h) for w, h in sizes))

    assert response.status_code == 400
    assert TOGETHER in response.text
    assert "damaged" not in response.text  # no photo was decoded
    assert_nothing_saved()


def test_decodable_photos_over_the_total_are_refused_too(lister_client):
    response = post_listing(lister_client, pngs([blank_png(6000, 6000)] * 4))  # 4 x 36 MP

    assert response.status_code == 400
    assert TOGETHER in response.text
    assert_nothing_saved()


def test_jpegs_count_at_the_size_they_are_decoded_at(lister_client):
    # 8 x 20 MP by their headers, but libjpeg decodes them at half size (5 MP each).
    photos = [upload(grey_jpeg(5000, 4000), f"IMG_{i}.jpg") for i in range(MAX_PHOTOS)]

    response = post_listing(lister_client, photos)

    assert response.status_code == 302
    assert Listing.objects.get().photos.count() == MAX_PHOTOS


def test_pillow_refuses_images_over_our_limit_itself():
    """Any image this process opens, not only through our pipeline."""
    assert Image.MAX_IMAGE_PIXELS == MAX_PIXELS
    with pytest.warns(Image.DecompressionBombWarning):
        Image.open(io.BytesIO(png_claiming(7000, 6000)))  # 42 MP
    with pytest.raises(Image.DecompressionBombError):
        Image.open(io.BytesIO(png_claiming(10000, 9000)))  # 90 MP: over twice the limit


# --- Memory: at most one full-size image at a time ----------------------------------------

MAKE = """
import sys
from PIL import Image
mode, side, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
im = Image.new("RGB", (side, side)).quantize(4) if mode == "P" else Image.new(mode, (side, side))
im.save(path, "PNG")
"""

MEASURE = """
import io, os, resource, sys
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kierratys.settings")
django.setup()
from PIL import Image
from listings import photos
warm = io.BytesIO()
Image.new("RGBA", (2000, 1500)).save(warm, "PNG")
photos.process_photo(io.BytesIO(warm.getvalue()))  # imports, codecs, encoder buffers
files = [open(path, "rb") for path in sys.argv[2:]]
with open("/proc/self/status") as status:
    size = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))
limit = size + int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
try:
    photos.process_photo(files[0]) if len(files) == 1 else photos.process_photos(files)
except Exception as error:
    print("over:", type(error).__name__)
else:
    print("within")
"""

# Bytes per pixel as Pillow holds the decoded image.
BYTES_PER_PIXEL = {"1": 1, "L": 1, "P": 1, "I;16": 2, "LA": 4, "RGBA": 4}
SIDE = 5000  # 25 MP


def processes_within(budget: int, paths) -> bool:
    """Whether processing fits in budget more bytes of address space. A hard limit, not a
    sample: every large allocation is its own mapping (MALLOC_MMAP_THRESHOLD_), so the
    address space is what the process holds, whatever else the machine is doing."""
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, str(budget), *map(str, paths)],
        cwd=ROOT,
        env={**os.environ, "MALLOC_MMAP_THRESHOLD_": "131072"},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.split()[-1] == "within"


def make_png(tmp_path, mode) -> Path:
    path = tmp_path / f"{mode.replace(';', '')}.png"
    subprocess.run([sys.executable, "-c", MAKE, mode, str(SIDE), str(path)], check=True)
    return path


def one_image_budget(mode) -> int:
    """The decoded image and 30% more (the shrunk copy), plus 64 MB that does not grow with
    the photo: working copies at twice the large rendition's size, the encoder."""
    return int(SIDE * SIDE * BYTES_PER_PIXEL[mode] * 1.3) + 64 * MB


@pytest.mark.parametrize("mode", list(BYTES_PER_PIXEL))
def test_processing_holds_the_decoded_image_and_little_more(tmp_path, mode):
    """Converting before shrinking held a second full-size copy, up to four times larger
    (1-bit, grey and palette to RGB, grey+alpha to premultiplied RGBA)."""
    path = make_png(tmp_path, mode)

    assert processes_within(one_image_budget(mode), [path])


def test_a_requests_photos_are_decoded_one_at_a_time(tmp_path):
    path = make_png(tmp_path, "L")

    assert processes_within(one_image_budget("L"), [path] * 4)


# --- Photos per account per hour ----------------------------------------------------------


def photos(count):
    return [jpeg_upload(f"IMG_{i}.jpg") for i in range(count)]


@pytest.fixture
def limit_five(settings):
    settings.PHOTO_UPLOADS_PER_HOUR = 5


def assert_refused_per_hour(response):
    assert response.status_code == 400
    assert PER_HOUR % 5 in response.text
    assert "Nothing was saved." in response.text


def test_the_photo_after_the_hourly_limit_is_refused(limit_five, lister_client):
    assert post_listing(lister_client, photos(3)).status_code == 302
    assert post_listing(lister_client, photos(2)).status_code == 302

    assert_refused_per_hour(post_listing(lister_client, photos(1)))
    assert Listing.objects.count() == 2
    assert ListingPhoto.objects.count() == 5
    assert len(all_files()) == 10


def test_a_batch_crossing_the_limit_is_refused_whole_and_not_counted(limit_five, lister_client):
    assert post_listing(lister_client, photos(4)).status_code == 302

    assert_refused_per_hour(post_listing(lister_client, photos(2)))
    assert post_listing(lister_client, photos(1)).status_code == 302  # the 5th
    assert ListingPhoto.objects.count() == 5


def test_the_limit_is_per_account_and_a_listing_without_photos_still_goes(
    limit_five, lister_client, client
):
    assert post_listing(lister_client, photos(5)).status_code == 302
    assert_refused_per_hour(post_listing(lister_client, photos(1)))
    assert post_listing(lister_client, []).status_code == 302

    client.force_login(UserFactory())
    assert post_listing(client, photos(5)).status_code == 302


def test_photos_added_on_the_edit_page_count_too(limit_five, lister_client, lister):
    assert post_listing(lister_client, photos(4)).status_code == 302
    listing = Listing.objects.get()

    response = lister_client.post(
        reverse("listings:edit", args=[listing.pk]),
        {**edit_data(listing), "photo-photos": photos(2)},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert_refused_per_hour(response)
    assert listing.photos.count() == 4
    assert len(all_files()) == 8
