"""Who is asking: the one spelling of an e-mail address, and the client's network address.

Sign-in, sign-up, password reset and the login throttle all use these two functions, so
they always agree on which account and which client a request is about.
"""

import ipaddress
import unicodedata

from django.conf import settings


def email_key(address: str) -> str:
    """The address as stored, looked up and throttled: one spelling per mailbox.

    NFKC folds compatibility forms (full-width letters, long s, the Kelvin sign), and
    upper-then-lower folds case the way PostgreSQL's UPPER()-based case-insensitive
    lookup did, including dotless ı -> I -> i, which str.lower() and str.casefold()
    leave apart. Accounts are then found by exact match on this key, so no database
    folds anything the throttle does not. Sign-up further refuses any key that is not
    plain ASCII (services.signup_address_problem).
    """
    folded = unicodedata.normalize("NFKC", address.strip())
    return unicodedata.normalize("NFKC", folded.upper().lower())


def client_address(request) -> str:
    """The client's address, for the login throttle and the password-reset limit.

    With PROXY_COUNT proxies in front, each appends the address it got the request from
    to X-Forwarded-For, so the client is the PROXY_COUNT-th entry from the right; what
    stands left of it was written by the client and is ignored. With PROXY_COUNT=0 the
    header is never read. A header too short or not an address falls back to the
    connection's own address (the nearest proxy).
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.PROXY_COUNT
    if count <= 0:
        return remote
    entries = [e.strip() for e in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(entries) < count:
        return remote
    try:
        return str(ipaddress.ip_address(entries[-count]))
    except ValueError:
        return remote
