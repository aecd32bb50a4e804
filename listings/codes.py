"""Item codes (K-000041) as people type and cameras read them.

One parser for every place a code is entered: the reservation handover and the
warehouse's task scan. It forgives case, spaces, missing leading zeros and a missing
prefix (`k-41`, `K 41` and `41` are all K-000041), and reads a label's QR, which holds
the item's URL (…/listings/41/).
"""

import re

from django.utils.translation import gettext as _

from .models import Listing

PREFIX = "K-"
_TYPED = re.compile(r"(?:K\s*-?\s*)?0*(\d{1,9})\Z", re.IGNORECASE)
_URL = re.compile(r"/listings/(\d{1,9})/?(?:[?#].*)?\Z")


def code_format(listing_id: int) -> str:
    """The printed code of a listing id: K-000041."""
    return f"{PREFIX}{listing_id:06d}"


def code_parse(text: str) -> int | None:
    """The listing id a typed code or a label's URL names, or None when it names none."""
    text = (text or "").strip()
    if not text:
        return None
    found = _URL.search(text) or _TYPED.match(text)
    if found is None:
        return None
    number = int(found.group(1))
    return number or None


def code_normalise(text: str) -> str | None:
    """The code as printed (K-000041), or None when the text is not a code."""
    listing_id = code_parse(text)
    return None if listing_id is None else code_format(listing_id)


def code_problem(text: str, listing: Listing) -> str | None:
    """Why `text` does not confirm `listing`, in the user's language; None when it does."""
    listing_id = code_parse(text)
    if listing_id == listing.pk or (text or "").strip().upper() == (listing.code or "").upper():
        return None
    if listing_id is None or not Listing.objects.filter(pk=listing_id).exists():
        return _("No item has this code. Check the code on the label and try again.")
    return _("This label belongs to another item. Check that you have the right one.")
