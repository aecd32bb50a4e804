"""/ws/live/ against the production server: only the site's own origin, small client frames,
a bounded number of sockets per user.

Real websocket clients (the `websockets` package) against `python -m kierratys.server`.
The origin checks need no database (a refused handshake never reaches authentication), so
they run on both passes; frames and socket counts need a signed-in user and PostgreSQL.
"""

import asyncio
import json

import pytest
import websockets
from asgiref.sync import sync_to_async
from websockets.exceptions import ConnectionClosed, InvalidStatus

from kierratys.consumers import CLOSE_SIGNED_OUT

from ..conftest import needs_postgres
from ..factories import UserFactory
from ..support.servers import AsgiServer, session_cookie_for

pytestmark = pytest.mark.usefixtures("close_thread_connections")

TRUSTED = "https://kierratys.turku.example"
CLOSE_TOO_MANY = 4429  # docs/live-events.md; static/js/live.js knows it


def connect(port, *, origin, cookie=None, **kwargs):
    headers = {"Cookie": f"sessionid={cookie}"} if cookie else {}
    return websockets.connect(
        f"ws://127.0.0.1:{port}/ws/live/",
        origin=origin,
        additional_headers=headers,
        open_timeout=10,
        proxy=None,
        **kwargs,
    )


async def handshake(port, origin) -> str:
    """'refused' when the handshake is turned down, else the close code the server sends
    an anonymous socket (4401): the origin was let through to the consumer."""
    try:
        async with connect(port, origin=origin) as socket:
            await asyncio.wait_for(socket.recv(), 10)
    except InvalidStatus as error:
        assert error.response.status_code == 403
        return "refused"
    except ConnectionClosed as closed:
        return closed.rcvd.code
    raise AssertionError("an anonymous socket was neither refused nor closed")


def sqlite_server(tmp_path_factory, **env):
    folder = tmp_path_factory.mktemp("ws-server")
    return AsgiServer(DATABASE_URL=f"sqlite:///{folder}/db.sqlite3", REDIS_URL="", **env)


@pytest.fixture(scope="module")
def production_server(tmp_path_factory):
    """DEBUG off: the origins are SITE_URL and CSRF_TRUSTED_ORIGINS, nothing else."""
    with sqlite_server(
        tmp_path_factory,
        DEBUG="false",
        SECRET_KEY="test-secret-key-for-a-production-like-server-0123456789abcdef",
        SECURE_SSL_REDIRECT="false",
        CSRF_TRUSTED_ORIGINS=TRUSTED,
    ) as server:  # SITE_URL is the server itself
        yield server


@pytest.fixture(scope="module")
def debug_server(tmp_path_factory):
    """DEBUG on: also http://<each allowed host>:<the port served>, with its scheme."""
    with sqlite_server(tmp_path_factory, DEBUG="true") as server:
        yield server


def test_production_accepts_only_the_sites_own_origins(production_server):
    port = production_server.port
    assert asyncio.run(handshake(port, f"http://127.0.0.1:{port}")) == CLOSE_SIGNED_OUT
    assert asyncio.run(handshake(port, TRUSTED)) == CLOSE_SIGNED_OUT
    assert asyncio.run(handshake(port, TRUSTED + ":443")) == CLOSE_SIGNED_OUT  # same origin


@pytest.mark.parametrize(
    "origin",
    [
        "https://127.0.0.1:{port}",  # wrong scheme
        "http://127.0.0.1:{other}",  # wrong port
        "http://127.0.0.1",  # port 80
        "null",  # sandboxed frame, file:// page
        None,  # no Origin header at all
        "http://127.0.0.1.evil.example:{port}",  # look-alike host
        "http://evil127.0.0.1:{port}",
        "http://localhost:{port}",  # an allowed host, but not the site's origin
        "http://kierratys.turku.example",  # the trusted origin over plain http
        "https://kierratys.turku.example:8443",
        "https://kierratys.turku.example.evil.example",
        "https://evil.example",
        "http://127.0.0.1:{port}/ws/live/",  # not an origin
        "HTTP://127.0.0.1:{port}:{port}",
    ],
)
def test_production_refuses_other_origins(production_server, origin):
    port = production_server.port
    if origin is not None:
        origin = origin.format(port=port, other=port + 1)
    assert asyncio.run(handshake(port, origin)) == "refused"


def test_debug_accepts_each_allowed_host_on_the_served_port(debug_server):
    port = debug_server.port
    for host in ("127.0.0.1", "localhost"):
        assert asyncio.run(handshake(port, f"http://{host}:{port}")) == CLOSE_SIGNED_OUT


@pytest.mark.parametrize(
    "origin",
    [
        "https://127.0.0.1:{port}",  # the server speaks plain http
        "http://127.0.0.1:{other}",
        "http://localhost:{other}",
        "null",
        None,
        "http://127.0.0.1.evil.example:{port}",
        "http://localhost.evil.example:{port}",
        "http://evil.example:{port}",
    ],
)
def test_debug_refuses_other_origins(debug_server, origin):
    port = debug_server.port
    if origin is not None:
        origin = origin.format(port=port, other=port + 1)
    assert asyncio.run(handshake(port, origin)) == "refused"


# --- signed in: frame size and sockets per user -------------------------------------------


@pytest.fixture
def asgi_server():
    with AsgiServer(REDIS_URL="") as server:
        yield server


async def ping(socket) -> bool:
    await socket.send(json.dumps({"event": "ping"}))
    return json.loads(await asyncio.wait_for(socket.recv(), 10))["event"] == "pong"


async def closed_with(socket) -> int:
    try:
        while True:
            await asyncio.wait_for(socket.recv(), 10)
    except ConnectionClosed as closed:
        return (closed.rcvd or closed.sent).code


@needs_postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "frame",
    [
        json.dumps({"event": "ping", "pad": "x" * 4200}),  # just over 4 KiB
        json.dumps({"event": "ping", "pad": "x" * 70_000}),
        json.dumps({"event": "ping", "pad": "ä" * 600_000}),  # about 1.2 MB of UTF-8
        b"\x00" * 5000,  # binary: clients never send any
        b"\x00" * 2_000_000,
    ],
    ids=["4k", "70k", "1m-utf8", "binary-5k", "binary-2m"],
)
async def test_a_big_client_frame_closes_the_socket(asgi_server, frame):
    user = await sync_to_async(UserFactory)()
    session = await sync_to_async(session_cookie_for)(user)
    async with connect(asgi_server.port, origin=asgi_server.base, cookie=session) as socket:
        assert await ping(socket)  # a normal ping is answered
        try:
            await socket.send(frame)
            await asyncio.wait_for(socket.recv(), 10)
        except ConnectionClosed as closed:
            # Message too big / unsupported data. A frame far over the limit may also be
            # cut off by a reset, before the close frame is read: closed all the same.
            assert closed.rcvd is None or closed.rcvd.code in (1009, 1003)
        else:
            raise AssertionError("the server answered the frame instead of closing")


@needs_postgres
@pytest.mark.django_db(transaction=True)
async def test_the_21st_socket_of_one_user_is_refused_with_a_code_the_page_knows(asgi_server):
    user, other = await sync_to_async(UserFactory.create_batch)(2)
    # Several sessions of one user (two browsers, a phone): the cap is per user.
    sessions = [await sync_to_async(session_cookie_for)(user) for _ in range(3)]
    port, origin = asgi_server.port, asgi_server.base
    sockets = []
    try:
        for n in range(20):
            socket = await connect(port, origin=origin, cookie=sessions[n % 3])
            sockets.append(socket)
            assert await ping(socket)
        for session in sessions:
            async with connect(port, origin=origin, cookie=session) as extra:
                assert await closed_with(extra) == CLOSE_TOO_MANY
        # The open ones still work, and another user is not affected.
        assert all([await ping(socket) for socket in sockets])
        others = await sync_to_async(session_cookie_for)(other)
        async with connect(port, origin=origin, cookie=others) as socket:
            assert await ping(socket)
        # One page closed: the next one gets its place.
        await sockets.pop().close()
        for _attempt in range(50):  # until the server has seen that close
            socket = await connect(port, origin=origin, cookie=sessions[0])
            sockets.append(socket)
            try:
                if await ping(socket):
                    break
            except ConnectionClosed:
                await asyncio.sleep(0.1)
        else:
            raise AssertionError("no place for a new socket after one closed")
    finally:
        for socket in sockets:
            await socket.close()
