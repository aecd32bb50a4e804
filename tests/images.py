"""Photos made with Pillow for tests: no binary fixtures in the repository."""

from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def jpeg_bytes(size=(800, 600), colour=(180, 120, 60), orientation=None, gps=True) -> bytes:
    image = Image.new("RGB", size, colour)
    image.paste((20, 20, 200), (0, 0, size[0] // 4, size[1] // 4))  # marks the top-left corner
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    if orientation:
        exif[ORIENTATION] = orientation
    if gps:
        exif[GPS_IFD] = {1: "N", 2: (60.0, 27.0, 3.0), 3: "E", 4: (22.0, 16.0, 5.0)}
    out = BytesIO()
    image.save(out, "JPEG", quality=85, exif=exif)
    return out.getvalue()


def png_bytes(size=(400, 300)) -> bytes:
    out = BytesIO()
    Image.new("RGBA", size, (0, 128, 0, 128)).save(out, "PNG")
    return out.getvalue()


def upload(content: bytes, name="photo.jpg", content_type="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def jpeg_upload(name="photo.jpg", **kwargs) -> SimpleUploadedFile:
    return upload(jpeg_bytes(**kwargs), name)
