"""ASGI guards in front of Django and the live socket (see kierratys/asgi.py).

- `BodyLimit`: a request body over settings.REQUEST_BODY_MAX_BYTES is refused with 413
  before it is read. Django checks its own limits only once the whole body has arrived
  (spooled to disk), so a client could otherwise make every process take in 300 MB.
- `SameOriginWebsocket`: a websocket handshake must come from the site's own origin:
  scheme, host and port, not just a host name that is allowed.
"""

from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings

# Plain text in all three languages, like 500.html: this answers before Django (and its
# language negotiation) is reached.
TOO_LARGE = (
    "Lähetys on liian suuri. Pienennä kuvia tai lähetä vähemmän kerralla.\n"
    "Det du försöker skicka är för stort. Gör bilderna mindre eller skicka färre åt gången.\n"
    "The upload is too large. Make the photos smaller or send fewer at a time.\n"
).encode()


class BodyLimit:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = settings.REQUEST_BODY_MAX_BYTES
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            return await _too_large(send)  # at once: the client need not send a byte of it

        received = 0
        refused = False

        async def limited_receive():
            # A chunked body has no length up front: count it as it comes in.
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    refused = True
                    await _too_large(send)
                    return {"type": "http.disconnect"}  # Django gives up on the request
            return message

        async def guarded_send(message):
            if not refused:
                await send(message)

        await self.app(scope, limited_receive, guarded_send)


async def _too_large(send) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(TOO_LARGE)).encode()),
                # The rest of the body is never read: the connection cannot be reused.
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": TOO_LARGE})


def origin_of(text: str):
    """(scheme, host, port) of an http(s) origin, or None for anything else ("null", a URL
    with a path, a malformed port)."""
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return None
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.path
        or parts.query
        or parts.fragment
        or parts.username is not None
        or parts.password is not None
    ):
        return None
    return parts.scheme, parts.hostname, port or {"http": 80, "https": 443}[parts.scheme]


def site_origins(scope) -> set:
    """SITE_URL and CSRF_TRUSTED_ORIGINS; with DEBUG also each allowed host on the port
    and scheme this server answers (runserver, tests on a free port)."""
    # Wildcard trusted origins (https://*.example.com) are not for the live socket.
    candidates = [settings.SITE_URL, *(o for o in settings.CSRF_TRUSTED_ORIGINS if "*" not in o)]
    server = scope.get("server")
    if settings.DEBUG and server and server[1]:
        scheme = "https" if scope.get("scheme") in ("wss", "https") else "http"
        for host in settings.ALLOWED_HOSTS:
            if host != "*" and not host.startswith("."):
                candidates.append(f"{scheme}://{host}:{server[1]}")
    return {origin for origin in map(origin_of, candidates) if origin}


class SameOriginWebsocket:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket":
            sent = dict(scope["headers"]).get(b"origin")
            origin = origin_of(sent.decode("latin-1")) if sent else None
            if origin is None or origin not in site_origins(scope):
                # A refused handshake (403): the page is not ours, so it gets no close code.
                return await WebsocketDenier()(scope, receive, send)
        return await self.app(scope, receive, send)
