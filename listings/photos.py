"""Photo pipeline: turn an untrusted upload into server-made JPEG renditions.

Pure image processing: no models, no storage. The original bytes are never kept or served;
only re-encoded renditions without any metadata leave this module.

Bounded work: a request's photos are first measured from their headers (Pillow's open reads
only the header) and refused together when they would decode too many pixels; then they are
decoded one at a time, each shrunk in its own mode before any conversion, so at most one
full-size image is in memory.
"""

import contextlib
import io
import os
import re
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

from kierratys.common.limits import MAX_PHOTO_BYTES

from .errors import PhotoError as Code

try:  # HEIC (iPhone photos) needs the pillow-heif plugin; without it HEIC is refused.
    from pillow_heif import register_heif_opener
except ImportError:  # pragma: no cover - depends on the installed extras
    register_heif_opener = None

MAX_UPLOAD_BYTES = MAX_PHOTO_BYTES
MAX_PIXELS = 40_000_000
# Pixels one request may decode, all its photos together. JPEGs count at the reduced size
# libjpeg decodes them at (draft), so eight phone JPEGs fit easily; PNG, WebP and HEIC
# decode every pixel: eight 12 MP HEICs fit, eight near-40 MP PNGs do not.
MAX_REQUEST_PIXELS = 3 * MAX_PIXELS
LARGE_MAX_SIDE = 1600
THUMB_MAX_SIDE = 400
JPEG_QUALITY = 82

HEIC_SUPPORTED = register_heif_opener is not None
if HEIC_SUPPORTED:
    register_heif_opener()

# Pillow's own decompression-bomb check (a warning above this, an error above twice it)
# at our limit, for any image this process opens; _open turns both into a refusal.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

NOT_A_PHOTO = (
    _("This file is not a photo we can use. Upload a JPEG, PNG, WebP or HEIC image.")
    if HEIC_SUPPORTED
    else _("This file is not a photo we can use. Upload a JPEG, PNG or WebP image.")
)
TOO_LARGE = _("The photo is too large (over %(limit)s MB).")
TOO_MANY_PIXELS = _("The photo has too many pixels (over %(limit)s megapixels).")
TOO_MANY_PIXELS_TOGETHER = _(
    "These photos have too many pixels together (over %(limit)s megapixels). Nothing was "
    "saved. Add fewer photos at a time: you can add more on the listing's edit page."
)
DAMAGED = _("The photo file is damaged or incomplete.")
EMPTY = _("The file is empty.")
EXTRA_DATA = _("The photo contains extra data that is not part of the image.")

# HEVC brands of the HEIF family; plain "mif1"/"msf1" is also used by AVIF, so those
# only count when a HEVC brand is listed as compatible.
_HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"}
# The first marker after JPEG entropy-coded data: 0xFF not followed by a stuffed 0x00,
# a restart marker (0xD0-0xD7) or another fill 0xFF.
_JPEG_MARKER_AFTER_SCAN = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
# Phones append real data after a JPEG (motion-photo videos, gain maps), so trailing
# bytes are only refused when they look like a web page or script.
_MARKUP = re.compile(rb"<(?:!doctype|html|head|body|script|iframe|svg|\?php)[\s/>]", re.IGNORECASE)

_NEAREST_FIRST = {"1", "P", "LA", "RGBA"}


@dataclass(frozen=True)
class Rendition:
    kind: str  # "large" or "thumb"
    content: bytes
    width: int
    height: int
    content_type: str
    extension: str


@dataclass(frozen=True)
class ProcessedPhoto:
    large: Rendition
    thumb: Rendition


class PhotoRejected(ValidationError):
    """The upload is not a usable photo. ``code`` says why; show ``messages`` (translated,
    parameters filled in), e.g. ``form.add_error("photo", error)``, not ``.message``."""


def process_photos(uploads) -> list[ProcessedPhoto]:
    """All photos of one request. Raises PhotoRejected for the first bad one, or for the
    set when together they would decode more than MAX_REQUEST_PIXELS; nothing is decoded
    before every header has been measured."""
    uploads = [_seekable(upload) for upload in uploads]
    total = sum(_decoded_pixels(upload) for upload in uploads)
    if total > MAX_REQUEST_PIXELS:
        limit = MAX_REQUEST_PIXELS // 1_000_000
        raise PhotoRejected(
            TOO_MANY_PIXELS_TOGETHER, code=Code.TOO_MANY_PIXELS_TOGETHER, params={"limit": limit}
        )
    return [process_photo(upload) for upload in uploads]  # one decoded image at a time


def process_photo(upload) -> ProcessedPhoto:
    """upload: any binary file object (Django UploadedFile or BytesIO). Raises PhotoRejected."""
    data = _read_limited(upload)
    fmt = _sniff(data)
    if fmt is None:
        raise PhotoRejected(NOT_A_PHOTO, code=Code.NOT_A_PHOTO)
    im = _decode(data, fmt)
    _check_trailer(fmt, data)
    del data  # the decoded image no longer needs the file's bytes

    # Shrink first, in the decoded mode: converting the full-size image (grey or palette to
    # RGB, grey+alpha to RGBA) would hold a second, up to four times larger copy.
    _shrink(im, LARGE_MAX_SIDE)
    large = _resize(_normalise_mode(im), LARGE_MAX_SIDE)  # palettes were left at twice
    # Rotating after resizing is the same picture for less work (the box is square). The
    # resized copy still has the source's EXIF in .info (_flatten's new image would not).
    # Unreadable EXIF should not cost the user their photo: keep the pixels as stored then.
    with contextlib.suppress(Exception):
        ImageOps.exif_transpose(large, in_place=True)
    large = _flatten(large)
    thumb = _resize(large, THUMB_MAX_SIDE)  # from the large one: far cheaper than the source
    return ProcessedPhoto(large=_encode("large", large), thumb=_encode("thumb", thumb))


def _damaged() -> PhotoRejected:
    return PhotoRejected(DAMAGED, code=Code.DAMAGED)


def _too_many_pixels() -> PhotoRejected:
    limit = MAX_PIXELS // 1_000_000
    return PhotoRejected(TOO_MANY_PIXELS, code=Code.TOO_MANY_PIXELS, params={"limit": limit})


def _too_large() -> PhotoRejected:
    limit = MAX_UPLOAD_BYTES // (1024 * 1024)
    return PhotoRejected(TOO_LARGE, code=Code.TOO_LARGE, params={"limit": limit})


def _check_size(upload) -> None:
    """Refuse by size without reading, when the size is known."""
    if upload.seekable():
        upload.seek(0, os.SEEK_END)
        size = upload.tell()
        upload.seek(0)
        if size > MAX_UPLOAD_BYTES:
            raise _too_large()


def _read_limited(upload) -> bytes:
    """Read the whole upload, refusing it by size before reading when the size is known."""
    _check_size(upload)
    data = upload.read(MAX_UPLOAD_BYTES + 1)  # a stream without a size: read one byte past
    if len(data) > MAX_UPLOAD_BYTES:
        raise _too_large()
    if not data:
        raise PhotoRejected(EMPTY, code=Code.EMPTY)
    return data


def _sniff(data: bytes) -> str | None:
    """The Pillow format name from the file's own bytes; names and client types lie."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if HEIC_SUPPORTED and data[4:8] == b"ftyp":
        size = int.from_bytes(data[:4], "big")
        major, brands = data[8:12], {data[i : i + 4] for i in range(16, min(size, 64), 4)}
        if major in _HEIC_BRANDS or (major in {b"mif1", b"msf1"} and brands & _HEIC_BRANDS):
            return "HEIF"
    return None


def _seekable(upload):
    """Django's uploads can be read twice (header, then content); a bare stream is read
    into memory once, within the size limit."""
    return upload if upload.seekable() else io.BytesIO(_read_limited(upload))


def _decoded_pixels(upload) -> int:
    """Pixels decoding this upload will produce, from its header alone; refuses a file
    that is too large, not a photo, unreadable or over MAX_PIXELS on the way."""
    _check_size(upload)
    fmt = _sniff(upload.read(64))
    upload.seek(0)
    if fmt is None:
        raise PhotoRejected(NOT_A_PHOTO, code=Code.NOT_A_PHOTO)
    try:
        with _open(upload, fmt) as im:
            return im.width * im.height
    finally:
        upload.seek(0)


@contextlib.contextmanager
def _open(source, fmt: str):
    """Open with the sniffed format's plugin only (which reads just the header), refuse
    too many pixels, and let libjpeg decode JPEGs at a reduced size."""
    with warnings.catch_warnings():
        # Below twice its limit Pillow only warns about a decompression bomb; stop there too.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            im = Image.open(source, formats=[fmt])
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels() from None
        except Exception:  # the right magic bytes, but a header Pillow cannot read
            raise _damaged() from None
        if im.width * im.height > MAX_PIXELS:
            raise _too_many_pixels()
        if fmt == "JPEG":
            # Let libjpeg scale by 1/2, 1/4 or 1/8 while decoding (every byte is still
            # decoded). The box is square, so fitting the stored, unrotated size is the
            # same fit as after rotation.
            im.draft("RGB", _fit(im.size, LARGE_MAX_SIDE))
        yield im


def _decode(data: bytes, fmt: str) -> Image.Image:
    """Decode every pixel: that is what proves the file is a whole image."""
    with _open(io.BytesIO(data), fmt) as im:
        try:
            im.load()
        except Exception:  # plugins raise OSError, SyntaxError, ValueError, EOFError...
            raise _damaged() from None
    return im


def _check_trailer(fmt: str, data: bytes) -> None:
    """Refuse polyglots: bytes after the end of the image that are not part of it."""
    end = {"JPEG": _jpeg_end, "PNG": _png_end, "WEBP": _riff_end, "HEIF": _bmff_end}[fmt](data)
    if end is None:
        raise _damaged()
    trailer = data[end:]
    if trailer and (fmt != "JPEG" or _MARKUP.search(trailer)):
        raise PhotoRejected(EXTRA_DATA, code=Code.EXTRA_DATA)


def _jpeg_end(data: bytes) -> int | None:
    """Offset just after the EOI marker of the primary image: what follows is a trailer
    (an MPO's further pictures, a motion photo's video, or something worse)."""
    pos = 2  # after SOI
    while True:
        pos = data.find(b"\xff", pos)  # like libjpeg, skip stray bytes before a marker
        if pos < 0 or pos + 1 >= len(data):
            return None
        marker = data[pos + 1]
        if marker == 0xD9:  # EOI
            return pos + 2
        if marker == 0xFF:  # fill byte
            pos += 1
        elif marker in (0x00, 0x01) or 0xD0 <= marker <= 0xD7:  # markers without a length
            pos += 2
        else:  # a segment: skip it by its length, which APP1's embedded thumbnail needs
            pos += 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
            if marker == 0xDA:  # SOS: entropy-coded data runs until the next real marker
                match = _JPEG_MARKER_AFTER_SCAN.search(data, pos)
                if match is None:
                    return None
                pos = match.start()


def _png_end(data: bytes) -> int | None:
    """Offset just after the IEND chunk."""
    pos = 8
    while pos + 8 <= len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        chunk_type = data[pos + 4 : pos + 8]
        pos += 12 + length  # length, type, data, CRC
        if chunk_type == b"IEND":
            return pos if pos <= len(data) else None
    return None


def _riff_end(data: bytes) -> int | None:
    """Offset where the RIFF container says the WebP file ends."""
    end = 8 + int.from_bytes(data[4:8], "little")
    return end if end <= len(data) else None


def _bmff_end(data: bytes) -> int:
    """Offset after the last whole top-level ISO BMFF box (HEIF)."""
    pos = 0
    while pos + 8 <= len(data):
        size = int.from_bytes(data[pos : pos + 4], "big")
        if size == 1:  # 64-bit size follows the type
            size = int.from_bytes(data[pos + 8 : pos + 16], "big")
        elif size == 0:  # box runs to the end of the file
            size = len(data) - pos
        if size < 8 or pos + size > len(data):
            break
        pos += size
    return pos


def _fit(size: tuple[int, int], max_side: int) -> tuple[int, int]:
    """Size scaled to fit a max_side square, never upscaled."""
    width, height = size
    scale = min(1.0, max_side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _normalise_mode(im: Image.Image) -> Image.Image:
    """RGB, or RGBA when the image has any transparency."""
    if im.mode.startswith("I"):  # 16-bit greyscale PNG: convert() would clip it to white
        im = im.point(lambda value: value / 256).convert("L")
    has_alpha = "A" in im.getbands() or "transparency" in im.info
    mode = "RGBA" if has_alpha else "RGB"
    return im if im.mode == mode else im.convert(mode)


def _shrink(im: Image.Image, max_side: int) -> None:
    """Fit max_side in place (thumbnail frees the full-size pixels), in the decoded mode."""
    if im.mode in _NEAREST_FIRST or "transparency" in im.info:
        # Nearest to twice the size first, the real filter after conversion: palette and
        # 1-bit images and transparency colour keys need exact pixel values, and Pillow
        # would resample alpha images through a full-size premultiplied copy.
        im.thumbnail((2 * max_side, 2 * max_side), Image.Resampling.NEAREST)
        return
    # Bicubic: sharp enough after JPEG draft scaling. reducing_gap: big reductions (PNG,
    # WebP) start with a cheap box reduction.
    im.thumbnail((max_side, max_side), Image.Resampling.BICUBIC, reducing_gap=2.0)


def _resize(im: Image.Image, max_side: int) -> Image.Image:
    size = _fit(im.size, max_side)
    if size == im.size:
        return im
    # Bicubic: sharp enough after JPEG draft scaling, and far cheaper than Lanczos here.
    # reducing_gap: big reductions (PNG, WebP) start with a cheap box reduction.
    return im.resize(size, Image.Resampling.BICUBIC, reducing_gap=2.0)


def _flatten(im: Image.Image) -> Image.Image:
    """Put a transparent image on white: JPEG has no alpha."""
    if im.mode != "RGBA":
        return im
    flat = Image.new("RGB", im.size, "white")
    flat.paste(im, mask=im.getchannel("A"))
    return flat


def _encode(kind: str, im: Image.Image) -> Rendition:
    # Pillow copies a source JPEG comment from im.info; EXIF, XMP and ICC are only written
    # when passed to save(), which we never do. Clearing info keeps it that way.
    im.info = {}
    out = io.BytesIO()
    # Baseline, no optimize: progressive took ~5x the encoding time for ~8% fewer bytes.
    im.save(out, "JPEG", quality=JPEG_QUALITY)
    return Rendition(kind, out.getvalue(), im.width, im.height, "image/jpeg", "jpg")
