"""The handover scanner keeps going when a QR decoder fails.

Chromium's fake camera shows the item's label. A BarcodeDetector whose detect() rejects
stands in for a broken platform detector: the scanner must fall back to the vendored
decoder and still confirm; with no decoder to fall back to, it must say so and hand over
to the typed code instead of stopping silently. And a label that the vendored decoder
cannot find square-on must still be read.
"""

import base64
from io import BytesIO
from urllib.parse import parse_qs

import pytest
from playwright.sync_api import expect

from reservations.models import Reservation

from ..factories import ListingFactory, reserve
from .helpers import (
    LISTER,
    RESERVER,
    fi,
    in_worker_thread,
    label_camera_video,
    scan_to_confirm,
    write_y4m,
)

pytestmark = pytest.mark.browser


BROKEN_DETECTOR = """
window.__detectCalls = 0;
window.BarcodeDetector = class {
  constructor() {}
  static getSupportedFormats() { return Promise.resolve(["qr_code"]); }
  detect() {
    window.__detectCalls += 1;
    return Promise.reject(new DOMException("detector broke", "NotSupportedError"));
  }
};
"""


def test_scanner_survives_a_rejecting_detector(
    new_page, demo_accounts, force_login, camera_browser, live_asgi_server, tmp_path
):
    lister, reserver = demo_accounts[LISTER], demo_accounts[RESERVER]
    listing = ListingFactory(
        title="Vihreä nojatuoli", quantity=1, owner_unit=lister.unit, created_by=lister
    )
    reservation = in_worker_thread(reserve, listing, user=reserver)
    label_page = new_page("phone")
    force_login(label_page, lister)
    video, label_url = label_camera_video(label_page, listing, tmp_path, live_asgi_server)
    camera = camera_browser(video)

    # No decoder to fall back to (the vendored one failed to load): the typed code.
    stranded = new_page("phone", via=camera)
    stranded.add_init_script(BROKEN_DETECTOR)
    stranded.route("**/vendor/zxing/**", lambda route: route.abort())
    force_login(stranded, lister)
    stranded.goto(f"/reservations/{reservation.pk}/handover/")
    stranded.get_by_role("button", name=fi("Scan the label")).click()
    status = stranded.locator("[data-scan-status]")
    expect(status).to_have_text(fi("The camera could not be opened. Type the code instead."))
    assert stranded.evaluate("window.__detectCalls") >= 1  # it did try the detector
    code = stranded.get_by_label(fi("Item code"))
    expect(code).to_be_focused()
    expect(stranded.locator("[data-scan-video]")).to_be_hidden()  # the camera is off
    expect(stranded).to_have_url(f"/reservations/{reservation.pk}/handover/")

    # With the vendored decoder there, scanning goes on after the detector fails.
    owner = new_page("phone", via=camera)
    owner.add_init_script(BROKEN_DETECTOR)
    force_login(owner, lister)
    owner.goto(f"/reservations/{reservation.pk}/handover/")
    answer = scan_to_confirm(owner, fi("Scan the label"))
    assert answer.status == 302, answer.status
    assert parse_qs(answer.request.post_data)["scanned_code"] == [label_url]
    expect(owner).to_have_url(f"/reservations/{reservation.pk}/")
    expect(owner.locator("[data-reservation-status]")).to_have_text(fi("Collected"))
    reservation.refresh_from_db()
    assert reservation.status == Reservation.Status.COLLECTED


def test_scanner_reads_a_label_the_decoder_misses_square_on(
    new_page, demo_accounts, force_login, camera_browser, tmp_path
):
    """ZXing's finder-pattern search misses some codes held square-on (this one among
    them), which it reads turned; a camera on a stand would never see them otherwise."""
    from PIL import Image, ImageOps

    from listings.labels import label_qr

    lister, reserver = demo_accounts[LISTER], demo_accounts[RESERVER]
    code = "K-000006"
    listing = ListingFactory(code=code, quantity=1, owner_unit=lister.unit, created_by=lister)
    reservation = in_worker_thread(reserve, listing, user=reserver)
    png = BytesIO()
    label_qr(code).save(png, kind="png", scale=8, border=2)
    image = ImageOps.expand(Image.open(png).convert("L"), border=24, fill=255)
    camera = camera_browser(write_y4m(image, tmp_path / "square-on.y4m"))

    owner = new_page("phone", via=camera)
    force_login(owner, lister)
    owner.goto(f"/reservations/{reservation.pk}/handover/")
    square_on = owner.evaluate(
        """async png => {
            const img = new Image();
            img.src = 'data:image/png;base64,' + png;
            await img.decode();
            const canvas = document.createElement('canvas');
            canvas.width = 640; canvas.height = 480;
            const context = canvas.getContext('2d');
            context.fillStyle = '#fff';
            context.fillRect(0, 0, 640, 480);
            context.drawImage(img, (640 - img.width) / 2, (480 - img.height) / 2);
            const source = new ZXing.HTMLCanvasElementLuminanceSource(canvas);
            try {
                return new ZXing.QRCodeReader()
                    .decode(new ZXing.BinaryBitmap(new ZXing.HybridBinarizer(source))).getText();
            } catch (e) { return null; }
        }""",
        base64.b64encode(_png_bytes(image)).decode(),
    )
    assert square_on is None, "the decoder now reads this label square-on: pick another"

    answer = scan_to_confirm(owner, fi("Scan the label"))
    assert answer.status == 302, answer.status
    assert parse_qs(answer.request.post_data)["scanned_code"] == [code]
    expect(owner.locator("[data-reservation-status]")).to_have_text(fi("Collected"))


def _png_bytes(image) -> bytes:
    out = BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
