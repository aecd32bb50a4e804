"""Pages through Django's WSGI handler, inside the ASGI server (kierratys/asgi.py).

Under Django's ASGI handler every sync middleware hook and the view is a separate hand-off
from the event loop to a thread and back: about 15 per page with our MIDDLEWARE, and all of
them queue for the one thread that thread-sensitive code shares. Through the WSGI handler,
in a2wsgi's thread pool, a request's whole middleware stack and view run in one worker
thread: one hand-off there and one per response message back. Websockets stay on Channels.

Three things Django's WSGI side does not do on its own are done here:

- `LengthedBody`: a chunked request body (no Content-Length) would reach Django's WSGI
  request as empty. It is read whole first (BodyLimit, outside, still cuts it off at the
  limit), spooled to disk past FILE_UPLOAD_MAX_MEMORY_SIZE as Django's ASGI handler does,
  and handed on with its length.
- `RequestIdScope`: the request id is chosen here, so uvicorn's access line, written in
  the event loop after the thread is done, carries it; Django's RequestIdMiddleware then
  finds it in the X-Request-ID header and keeps it.
- `_BackToServerLoop`: async code that Django code calls in the page's thread runs on the
  server's event loop, as under Django's ASGI handler.

Django's request_started and request_finished signals are sent in the worker thread (a2wsgi
closes the response there), so `close_old_connections` keeps or closes that thread's own
database connection at the end of each request, as under any threaded WSGI server.
"""

import asyncio
import os
import tempfile
import uuid

from a2wsgi import WSGIMiddleware
from asgiref.sync import SyncToAsync
from django.conf import settings

from kierratys.observability.logs import request_id
from kierratys.observability.middleware import ACCEPTED_ID

_HEADER = b"x-request-id"
_CHUNK = 64 * 1024  # what a2wsgi is handed at a time from a spooled body
_LOOP_KEY = "kierratys.server_loop"


def django_http(wsgi_app):
    """The HTTP application: Django's WSGI handler in a pool of HTTP_THREADS threads."""
    threads = WSGIMiddleware(_BackToServerLoop(wsgi_app), workers=settings.HTTP_THREADS)
    return RequestIdScope(LengthedBody(_ServerLoop(threads)))


class _ServerLoop:
    """Hands the server's event loop to the page's thread (in the scope, which a2wsgi puts
    in the WSGI environ)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        scope = {**scope, _LOOP_KEY: asyncio.get_running_loop()}
        await self.app(scope, receive, send)


class _BackToServerLoop:
    """In the page's thread, `async_to_sync` (a live event sent on the in-memory layer, see
    kierratys.live.send_events) runs its coroutine on the server's loop, as under
    Django's ASGI handler, instead of in a loop of its own: asyncio is not thread-safe, and
    the in-memory layer's queues and the sockets waiting on them live on the server's loop.
    asgiref looks for that loop in these two thread-locals (asgiref.sync.AsyncToSync)."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        local = SyncToAsync.threadlocal
        local.main_event_loop = environ["asgi.scope"][_LOOP_KEY]
        local.main_event_loop_pid = os.getpid()
        return self.app(environ, start_response)


class RequestIdScope:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        headers = scope["headers"]
        given = dict(headers).get(_HEADER, b"").decode("latin-1")
        chosen = given if ACCEPTED_ID.fullmatch(given) else uuid.uuid4().hex
        # This task's context: the access line and a2wsgi's threads (a copy) both see it.
        request_id.set(chosen)
        if chosen != given:
            kept = [(name, value) for name, value in headers if name != _HEADER]
            scope = {**scope, "headers": [*kept, (_HEADER, chosen.encode())]}
        await self.app(scope, receive, send)


class LengthedBody:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        headers = dict(scope["headers"])
        if b"transfer-encoding" not in headers or b"content-length" in headers:
            return await self.app(scope, receive, send)
        with tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE) as body:
            length = 0
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return  # the client left, or BodyLimit refused the body
                chunk = message.get("body", b"")
                body.write(chunk)
                length += len(chunk)
                if not message.get("more_body", False):
                    break
            body.seek(0)
            started = False

            async def replay():
                nonlocal started
                if started and body.tell() >= length:
                    return await receive()  # all of it handed on: wait for the disconnect
                started = True
                chunk = body.read(_CHUNK)
                return {"type": "http.request", "body": chunk, "more_body": body.tell() < length}

            scope = {
                **scope,
                "headers": [
                    *(pair for pair in scope["headers"] if pair[0] != b"transfer-encoding"),
                    (b"content-length", str(length).encode()),
                ],
            }
            await self.app(scope, replay, send)
