"""An ended session's open websockets close with 4401 at once, through the real stack
(session cookie, auth middleware, fan-out), not only at their next periodic re-check."""

import asyncio
import json

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.urls import reverse

from kierratys.accounts import services
from kierratys.accounts.roles import COORDINATOR
from kierratys.asgi import application

from ..conftest import needs_postgres, needs_redis
from ..factories import PASSWORD, UserFactory
from ..support.servers import AsgiServer

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("close_thread_connections"),
]

SIGNED_OUT = {"type": "websocket.close", "code": 4401}


@pytest.fixture(autouse=True)
def _no_periodic_recheck(settings):
    settings.LIVE_RECHECK_SECONDS = 3600  # only the ending itself can close the sockets


def sign_in(user) -> tuple[Client, str]:
    client = Client()
    client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    return client, client.cookies["sessionid"].value


async def open_socket(session_key: str) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(
        application,
        "/ws/live/",
        headers=[
            (b"origin", b"http://127.0.0.1:8000"),
            (b"host", b"127.0.0.1"),
            (b"cookie", f"sessionid={session_key}".encode()),
        ],
    )
    connected, _ = await communicator.connect()
    assert connected
    assert await communicator.receive_nothing(timeout=0.1)  # open while signed in
    return communicator


async def test_ending_one_session_closes_its_socket_and_no_other():
    user = await sync_to_async(UserFactory)()
    (_, ended_key), (_, kept_key) = [await sync_to_async(sign_in)(user) for _ in range(2)]
    bystander_key = (await sync_to_async(sign_in)(await sync_to_async(UserFactory)()))[1]
    ended, kept, bystander = [
        await open_socket(key) for key in (ended_key, kept_key, bystander_key)
    ]
    count = await sync_to_async(services.user_sessions_end)(user=user, session_keys=[ended_key])
    assert count == 1
    assert await ended.receive_output(timeout=2) == SIGNED_OUT
    assert await kept.receive_nothing(timeout=0.5)
    assert await bystander.receive_nothing(timeout=0.1)
    for socket in (kept, bystander):
        await socket.disconnect()


async def test_signing_out_closes_that_browsers_socket_at_once():
    user = await sync_to_async(UserFactory)()
    browser, key = await sync_to_async(sign_in)(user)
    other_key = (await sync_to_async(sign_in)(user))[1]
    socket, other = await open_socket(key), await open_socket(other_key)
    await sync_to_async(browser.post)(reverse("logout"))
    assert await socket.receive_output(timeout=2) == SIGNED_OUT
    assert await other.receive_nothing(timeout=0.5)  # the same person's other browser
    await other.disconnect()


async def test_deactivating_closes_every_socket_of_the_user_as_signed_out():
    user = await sync_to_async(UserFactory)()
    coordinator = await sync_to_async(UserFactory)(roles=[COORDINATOR], unit=user.unit)
    sockets = [await open_socket((await sync_to_async(sign_in)(user))[1]) for _ in range(2)]
    await sync_to_async(services.user_set_active)(actor=coordinator, user=user, active=False)
    for socket in sockets:
        # Not 4000 (reconnect): the page stops and says it is signed out.
        assert await socket.receive_output(timeout=2) == SIGNED_OUT


# --- across processes: the production server, the session ended in this process ----------


@needs_postgres
@needs_redis
async def test_a_session_ended_here_closes_its_socket_on_another_server_process_with_4401():
    import websockets

    user = await sync_to_async(UserFactory)()
    (_, ended_key), (_, kept_key) = [await sync_to_async(sign_in)(user) for _ in range(2)]
    # Long re-check intervals: only the message through Redis can close the socket in time.
    with AsgiServer(LIVE_RECHECK_SECONDS="3600") as server:

        def connect(key):
            return websockets.connect(
                f"ws://127.0.0.1:{server.port}/ws/live/",
                origin=server.base,
                additional_headers={"Cookie": f"sessionid={key}"},
                open_timeout=10,
            )

        async with connect(ended_key) as ended, connect(kept_key) as kept:
            await asyncio.sleep(0.5)  # both joined their groups on the server
            count = await sync_to_async(services.user_sessions_end)(
                user=user, session_keys=[ended_key]
            )
            assert count == 1
            with pytest.raises(websockets.exceptions.ConnectionClosed) as closed:
                await asyncio.wait_for(ended.recv(), 10)
            assert closed.value.rcvd.code == 4401
            await kept.send('{"event": "ping"}')  # the other session's socket is still open
            assert json.loads(await asyncio.wait_for(kept.recv(), 5))["event"] == "pong"
