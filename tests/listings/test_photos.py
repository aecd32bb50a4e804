"""The photo pipeline: every input is made with Pillow here, no binary fixtures."""

import io
import struct
import warnings
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import override
from PIL import Image, ImageCms

from listings.photos import (
    HEIC_SUPPORTED,
    LARGE_MAX_SIDE,
    MAX_UPLOAD_BYTES,
    THUMB_MAX_SIDE,
    PhotoRejected,
    process_photo,
)

RED, BLUE, WHITE = (255, 0, 0), (0, 0, 255), (255, 255, 255)
ORIENTATION, GPS_IFD, GPS_MAP_DATUM, MAKE = 0x0112, 0x8825, 18, 0x010F

NOT_A_PHOTO = (
    "This file is not a photo we can use. Upload a JPEG, PNG, WebP or HEIC image."
    if HEIC_SUPPORTED
    else "This file is not a photo we can use. Upload a JPEG, PNG or WebP image."
)
TOO_LARGE = "The photo is too large (over 20 MB)."
TOO_MANY_PIXELS = "The photo has too many pixels (over 40 megapixels)."
DAMAGED = "The photo file is damaged or incomplete."
EMPTY = "The file is empty."
EXTRA_DATA = "The photo contains extra data that is not part of the image."

SECRETS = (b"SecretCam", b"KIERRATYS-GPS-DATUM", b"secret-xmp", b"secret comment")


def encode(im, fmt="JPEG", **options):
    out = io.BytesIO()
    im.save(out, fmt, **options)
    return out.getvalue()


def marked(size=(300, 200)):
    """White picture with a red square in the stored top-left corner."""
    im = Image.new("RGB", size, WHITE)
    im.paste(RED, (0, 0, 60, 60))
    return im


def exif_bytes(orientation=1):
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[MAKE] = "SecretCam"
    exif.get_ifd(GPS_IFD)[GPS_MAP_DATUM] = "KIERRATYS-GPS-DATUM"
    return exif.tobytes()


def decoded(rendition):
    im = Image.open(io.BytesIO(rendition.content))
    im.load()
    return im


def close_to(pixel, colour, tolerance=40):
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=True))


def rejection(data):
    with pytest.raises(PhotoRejected) as caught, override("en"):
        process_photo(io.BytesIO(data))
    with override("en"):
        return caught.value.code, caught.value.messages


def png_with_garbage_pixels(width, height):
    """A PNG whose IHDR claims a size; the pixel data is garbage that cannot decode."""

    def chunk(kind, body):
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", b"garbage")
        + chunk(b"IEND", b"")
    )


# --- Good photos -------------------------------------------------------------------------


def test_large_jpeg_gives_large_and_thumb_jpeg_renditions():
    photo = process_photo(io.BytesIO(encode(marked((3200, 2400)))))

    assert (photo.large.kind, photo.thumb.kind) == ("large", "thumb")
    assert (photo.large.width, photo.large.height) == (LARGE_MAX_SIDE, 1200)
    assert (photo.thumb.width, photo.thumb.height) == (THUMB_MAX_SIDE, 300)
    for rendition in (photo.large, photo.thumb):
        im = decoded(rendition)
        assert (im.format, im.mode) == ("JPEG", "RGB")
        assert im.size == (rendition.width, rendition.height)
        assert (rendition.content_type, rendition.extension) == ("image/jpeg", "jpg")


def test_portrait_fits_by_its_longest_side():
    photo = process_photo(io.BytesIO(encode(marked((1000, 4000)), "PNG")))

    assert (photo.large.width, photo.large.height) == (400, LARGE_MAX_SIDE)
    assert (photo.thumb.width, photo.thumb.height) == (100, THUMB_MAX_SIDE)


@pytest.mark.parametrize(
    ("size", "large", "thumb"),
    [((300, 200), (300, 200), (300, 200)), ((640, 480), (640, 480), (400, 300))],
)
def test_small_photos_are_never_upscaled(size, large, thumb):
    photo = process_photo(io.BytesIO(encode(marked(size))))

    assert (photo.large.width, photo.large.height) == large
    assert (photo.thumb.width, photo.thumb.height) == thumb


@pytest.mark.parametrize(
    # Where the stored top-left corner must end up once the orientation is applied.
    ("orientation", "portrait", "red_corner"),
    [
        (1, False, "top-left"),
        (3, False, "bottom-right"),
        (6, True, "top-right"),  # the phone was held upright: turn 90° clockwise
        (8, True, "bottom-left"),
        (5, True, "top-left"),  # transpose: mirrored and turned
    ],
)
@pytest.mark.parametrize("source_width", [300, 3000])  # 3000: scaled in JPEG draft mode
def test_exif_orientation_is_applied(orientation, portrait, red_corner, source_width):
    source = Image.new("RGB", (source_width, source_width * 2 // 3), WHITE)
    source.paste(RED, (0, 0, source_width // 5, source_width // 5))
    photo = process_photo(io.BytesIO(encode(source, quality=95, exif=exif_bytes(orientation))))

    im = decoded(photo.large)
    width, height = im.size
    assert sorted(im.size) == sorted(_fit(source.size))
    assert (height > width) == portrait
    corners = {
        "top-left": (10, 10),
        "top-right": (width - 11, 10),
        "bottom-left": (10, height - 11),
        "bottom-right": (width - 11, height - 11),
    }
    for corner, xy in corners.items():
        expected = RED if corner == red_corner else WHITE
        assert close_to(im.getpixel(xy), expected), (corner, im.getpixel(xy))


def _fit(size):
    scale = min(1, LARGE_MAX_SIDE / max(size))
    return round(size[0] * scale), round(size[1] * scale)


def _with_metadata(fmt):
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><secret-xmp/></x:xmpmeta>'
    options = {"exif": exif_bytes(6), "icc_profile": icc}
    if fmt == "JPEG":
        options |= {"xmp": xmp, "comment": b"secret comment", "quality": 90}
    elif fmt == "WEBP":
        options |= {"xmp": xmp}
    elif fmt == "PNG":
        from PIL.PngImagePlugin import PngInfo

        info = PngInfo()
        info.add_itxt("XML:com.adobe.xmp", xmp.decode())
        info.add_text("Comment", "secret comment")
        options |= {"pnginfo": info}
    return encode(marked((900, 600)), fmt, **options)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_renditions_carry_no_metadata(fmt):
    data = _with_metadata(fmt)
    expected = SECRETS if fmt != "WEBP" else SECRETS[:3]  # WebP has no comments
    assert all(secret in data for secret in expected)  # the input really has them
    assert Image.open(io.BytesIO(data)).info.get("icc_profile")

    photo = process_photo(io.BytesIO(data))

    for rendition in (photo.large, photo.thumb):
        im = decoded(rendition)
        assert set(im.info) <= {"jfif", "jfif_version", "jfif_unit", "jfif_density"}
        assert len(im.getexif()) == 0
        for marker in (b"Exif", b"ICC_PROFILE", b"http://ns.adobe.com/xap", *SECRETS):
            assert marker not in rendition.content
    assert decoded(photo.large).size == (600, 900)  # orientation 6 was applied


@pytest.mark.parametrize(
    ("fmt", "mode"), [("PNG", "RGBA"), ("PNG", "LA"), ("PNG", "P"), ("WEBP", "RGBA")]
)
def test_transparency_becomes_white(fmt, mode):
    im = Image.new("RGBA", (200, 100), (*RED, 0))  # left half: fully transparent red
    im.paste((*BLUE, 255), (100, 0, 200, 100))
    if mode == "LA":
        im = im.convert("LA")
    elif mode == "P":
        im = im.quantize(colors=4)  # a palette with a transparent entry (PNG tRNS)
    data = encode(im, fmt, lossless=True) if fmt == "WEBP" else encode(im, fmt)
    assert Image.open(io.BytesIO(data)).mode == mode

    large = decoded(process_photo(io.BytesIO(data)).large)

    assert close_to(large.getpixel((20, 50)), WHITE)
    opaque = (0, 0, 0) if mode == "LA" else BLUE  # LA is grey: blue turns dark
    assert close_to(large.getpixel((180, 50)), opaque, tolerance=60)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_orientation_is_applied_to_transparent_images_too(fmt):
    im = Image.new("RGBA", (300, 200), (0, 0, 0, 0))
    im.paste((*RED, 255), (0, 0, 60, 60))
    options = {"lossless": True} if fmt == "WEBP" else {}

    large = decoded(process_photo(io.BytesIO(encode(im, fmt, exif=exif_bytes(6), **options))).large)

    assert large.size == (200, 300)
    assert close_to(large.getpixel((189, 10)), RED)
    assert close_to(large.getpixel((10, 10)), WHITE)


def test_webp_photo_is_accepted():
    photo = process_photo(io.BytesIO(encode(marked((2000, 1000)), "WEBP", quality=90)))

    assert (photo.large.width, photo.large.height) == (1600, 800)
    assert close_to(decoded(photo.large).getpixel((10, 10)), RED)


def test_16_bit_greyscale_png_keeps_its_tones():
    im = Image.new("I;16", (64, 64), 32768)  # mid grey in 16 bits
    photo = process_photo(io.BytesIO(encode(im, "PNG")))

    assert close_to(decoded(photo.large).getpixel((32, 32)), (128, 128, 128), tolerance=8)


def test_cmyk_jpeg_is_converted_to_rgb():
    im = Image.new("CMYK", (100, 100), (0, 255, 255, 0))  # red in CMYK
    large = decoded(process_photo(io.BytesIO(encode(im))).large)

    assert large.mode == "RGB"
    assert close_to(large.getpixel((50, 50)), RED)


def test_type_is_read_from_bytes_not_from_name_or_content_type():
    upload = SimpleUploadedFile("kuva.gif", encode(marked(), "PNG"), content_type="image/gif")

    assert process_photo(upload).large.width == 300


def test_motion_photo_jpeg_is_accepted_and_trailer_dropped():
    # Phones append a video (or a gain map) after the JPEG; that must not cost the photo.
    video = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 64 + b"MotionPhoto_Data"
    photo = process_photo(io.BytesIO(encode(marked()) + video))

    assert video[-64:] not in photo.large.content
    assert photo.large.content.endswith(b"\xff\xd9")


def test_multi_picture_jpeg_is_accepted():
    data = encode(marked((800, 600)), "MPO", save_all=True, append_images=[marked((400, 300))])
    assert Image.open(io.BytesIO(data)).format == "MPO"

    photo = process_photo(io.BytesIO(data))

    assert (photo.large.width, photo.large.height) == (800, 600)


@pytest.mark.skipif(not HEIC_SUPPORTED, reason="pillow-heif is not installed")
def test_heic_photo_is_accepted_oriented_and_stripped():
    data = encode(marked(), "HEIF", quality=90, exif=exif_bytes(6))
    assert b"KIERRATYS-GPS-DATUM" in data

    photo = process_photo(io.BytesIO(data))

    im = decoded(photo.large)
    assert im.size == (200, 300)
    assert close_to(im.getpixel((189, 10)), RED)
    assert close_to(im.getpixel((10, 10)), WHITE)
    assert len(im.getexif()) == 0
    assert all(secret not in photo.large.content for secret in SECRETS)


# --- Refused uploads ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"Hello, this is a text file named photo.jpg\n" * 20, id="text"),
        pytest.param(
            b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
            b'<script>alert(1)</script><rect width="10" height="10"/></svg>',
            id="svg",
        ),
        pytest.param(encode(marked(), "GIF"), id="gif"),
        pytest.param(encode(marked(), "BMP"), id="bmp"),
        pytest.param(encode(marked(), "TIFF"), id="tiff"),
        pytest.param(b"%PDF-1.7\n" + b"0" * 100, id="pdf"),
        pytest.param(b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + bytes(99), id="mp4"),
        pytest.param(encode(marked(), "AVIF"), id="avif"),  # HEIF's sibling, not allowed
    ],
)
def test_other_files_are_not_photos(data):
    assert rejection(data) == ("not_a_photo", [NOT_A_PHOTO])


def test_empty_file_is_refused():
    assert rejection(b"") == ("empty", [EMPTY])


def test_truncated_jpeg_is_damaged():
    data = encode(marked((800, 600)), quality=95)
    assert rejection(data[: len(data) // 2]) == ("damaged", [DAMAGED])


def test_jpeg_without_its_end_marker_is_damaged():
    data = encode(marked((800, 600)))
    assert rejection(data[:-2]) == ("damaged", [DAMAGED])


def test_jpeg_with_broken_header_is_damaged():
    assert rejection(b"\xff\xd8\xff\xe0" + b"\x00" * 200) == ("damaged", [DAMAGED])


def test_png_whose_pixels_do_not_decode_is_damaged():
    # Every chunk is whole and its CRC right: only decoding the pixels finds the fault.
    assert rejection(png_with_garbage_pixels(100, 100)) == ("damaged", [DAMAGED])


def test_truncated_png_is_damaged():
    data = encode(Image.effect_noise((300, 200), 60), "PNG")
    assert rejection(data[: len(data) // 2]) == ("damaged", [DAMAGED])


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
@pytest.mark.parametrize(
    "markup",
    [
        b"<html><script>alert(1)</script></html>",
        b"<!DOCTYPE html><p>hi",
        b"<?php system($_GET['c']); ?>",
        b'<SVG onload="alert(1)">',
    ],
)
def test_markup_after_the_image_is_refused(fmt, markup):
    data = encode(marked(), fmt) + b"\x00" * 10 + markup
    assert rejection(data) == ("extra_data", [EXTRA_DATA])


def test_any_bytes_after_png_end_are_refused():
    assert rejection(encode(marked(), "PNG") + b"\x00junk") == ("extra_data", [EXTRA_DATA])


def test_webp_longer_than_its_riff_size_is_refused():
    data = encode(marked(), "WEBP") + b"<html><script>alert(1)</script></html>"
    assert rejection(data) == ("extra_data", [EXTRA_DATA])


def test_webp_shorter_than_its_riff_size_is_damaged():
    data = encode(marked(), "WEBP")
    riff_size = struct.unpack_from("<I", data, 4)[0]
    assert rejection(data[:4] + struct.pack("<I", riff_size + 100) + data[8:]) == (
        "damaged",
        [DAMAGED],
    )


@pytest.mark.skipif(not HEIC_SUPPORTED, reason="pillow-heif is not installed")
def test_heic_with_appended_markup_is_refused():
    data = encode(marked(), "HEIF") + b"<html><script>alert(1)</script></html>"
    assert rejection(data) == ("extra_data", [EXTRA_DATA])


class CountingReader(io.BytesIO):
    def __init__(self, data, seekable=True):
        super().__init__(data)
        self.bytes_read = 0
        self._seekable = seekable

    def seekable(self):
        return self._seekable

    def read(self, size=-1):
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


def test_too_large_file_is_refused_without_reading_it():
    upload = CountingReader(encode(marked())[:-2] + b"\x00" * (25 * 1024 * 1024))

    with pytest.raises(PhotoRejected) as caught, override("en"):
        process_photo(upload)

    with override("en"):
        assert (caught.value.code, caught.value.messages) == ("too_large", [TOO_LARGE])
    assert upload.bytes_read == 0


def test_too_large_stream_is_refused_after_reading_just_past_the_limit():
    upload = CountingReader(b"\xff\xd8\xff" + b"\x00" * (25 * 1024 * 1024), seekable=False)

    with pytest.raises(PhotoRejected) as caught:
        process_photo(upload)

    assert caught.value.code == "too_large"
    assert upload.bytes_read == MAX_UPLOAD_BYTES + 1


def test_file_at_the_size_limit_is_not_refused_for_size():
    data = encode(marked(), "PNG")
    data += b"\x00" * (MAX_UPLOAD_BYTES - len(data))
    assert rejection(data)[0] == "extra_data"  # judged on content, not on size


def test_fifty_megapixel_png_is_refused():
    data = encode(Image.new("1", (10000, 5000)), "PNG")  # a few kilobytes
    assert rejection(data) == ("too_many_pixels", [TOO_MANY_PIXELS])


def test_pixel_count_is_checked_before_any_decoding():
    # The pixel data is garbage: decoding it would have said "damaged".
    assert rejection(png_with_garbage_pixels(10000, 5000)) == ("too_many_pixels", [TOO_MANY_PIXELS])


@pytest.mark.parametrize(("width", "height"), [(20000, 20000), (65535, 65535)])
def test_decompression_bomb_is_refused(width, height):
    assert rejection(png_with_garbage_pixels(width, height)) == (
        "too_many_pixels",
        [TOO_MANY_PIXELS],
    )


@pytest.mark.parametrize("pixels", [1_500_000, 3_000_000])  # Pillow's warning, then its error
def test_pillow_decompression_bomb_checks_refuse_and_leave_warnings_alone(monkeypatch, pixels):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1_000_000)
    filters_before = list(warnings.filters)

    data = encode(Image.new("L", (pixels // 1000, 1000)), "PNG")

    assert rejection(data) == ("too_many_pixels", [TOO_MANY_PIXELS])
    assert warnings.filters == filters_before
