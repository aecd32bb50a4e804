"""The production server (`python -m kierratys.server`): pages and the live socket on one
address, pages through Django's WSGI handler in a pool of threads (kierratys/serving.py),
each thread keeping its PostgreSQL connection from one request to the next.

Real processes and sockets. The address and the body checks need no tables, so they run on
both passes on a throwaway SQLite file; the connection checks need PostgreSQL.
"""

import asyncio
import http.client
import re
import socket
from urllib.parse import urlencode

import pytest
import websockets
from django.db import connection
from websockets.exceptions import ConnectionClosed

from ..conftest import needs_postgres
from ..factories import UserFactory
from ..support.servers import AsgiServer, Browserless, session_cookie_for

CLOSE_SIGNED_OUT = 4401  # what the live socket tells an anonymous browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("server")
    with AsgiServer(DATABASE_URL=f"sqlite:///{folder}/empty.sqlite3", REDIS_URL="") as server:
        yield server


def get(server, path, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read().decode()
    finally:
        conn.close()


def test_pages_and_the_live_socket_answer_on_the_same_address(server):
    status, headers, body = get(server, "/accounts/password_reset/")
    assert status == 200
    assert "<form" in body
    assert headers["X-Request-ID"]

    async def open_socket():
        async with websockets.connect(
            f"ws://127.0.0.1:{server.port}/ws/live/", origin=server.base, open_timeout=10
        ) as live:
            await asyncio.wait_for(live.recv(), 10)

    # The handshake is accepted on the page's port and reaches the live consumer, which
    # closes an anonymous browser's socket with its own code.
    with pytest.raises(ConnectionClosed) as closed:
        asyncio.run(open_socket())
    assert closed.value.rcvd.code == CLOSE_SIGNED_OUT


def chunked_post(server, path, body: bytes, cookie: str) -> tuple[int, str]:
    """POST `body` without a Content-Length, in small chunks, as a streaming client does."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        head = [
            f"POST {path} HTTP/1.1",
            "Host: 127.0.0.1",
            "Content-Type: application/x-www-form-urlencoded",
            "Transfer-Encoding: chunked",
            f"Cookie: {cookie}",
            "Connection: close",
        ]
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        for start in range(0, len(body), 7):
            piece = body[start : start + 7]
            sock.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
        sock.sendall(b"0\r\n\r\n")
        answer = b""
        while data := sock.recv(65536):
            answer += data
    head, _, text = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), text.decode(errors="replace")


def test_a_form_sent_without_a_length_still_reaches_the_page(server):
    status, headers, page = get(server, "/accounts/password_reset/")
    assert status == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    csrf_cookie = re.search(r"csrftoken=([^;]+)", headers["Set-Cookie"]).group(1)
    # Not an email address: the form answers with its field error and the value typed, and
    # never looks anyone up (this server has no tables).
    form = urlencode({"csrfmiddlewaretoken": token, "email": "not-an-address-typed"})
    status, text = chunked_post(
        server, "/accounts/password_reset/", form.encode(), f"csrftoken={csrf_cookie}"
    )
    assert status == 200, server.output()[-3000:]
    assert 'value="not-an-address-typed"' in text


APP_NAME = "kierratys-server-test"


def server_backends() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s", [APP_NAME])
        return sorted(row[0] for row in cursor.fetchall())


@pytest.fixture
def postgres_server():
    """The server on the test database, its connections named so they can be told apart."""
    from ..support.servers import database_url

    with AsgiServer(
        DATABASE_URL=f"{database_url()}?application_name={APP_NAME}",
        REDIS_URL="",
        HTTP_THREADS="2",
    ) as server:
        yield server


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_signed_in_pages_reuse_the_threads_connections(postgres_server):
    user = UserFactory()
    browser = Browserless(postgres_server.base, session_cookie_for(user))
    assert browser.get("/listings/")[0] == 200
    first = server_backends()
    assert len(first) == 1  # one page: one thread's connection, kept after the answer
    for _ in range(5):
        assert browser.get("/listings/")[0] == 200
    # Two threads answer pages: at most two connections, and the first is still the one used.
    after = server_backends()
    assert 1 <= len(after) <= 2
    assert set(first) <= set(after)


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_many_browsers_at_once_hold_no_more_connections_than_threads(postgres_server):
    users = UserFactory.create_batch(4)
    browsers = [Browserless(postgres_server.base, session_cookie_for(user)) for user in users]

    async def browse():
        await asyncio.gather(
            *(asyncio.to_thread(b.get, "/listings/") for b in browsers for _ in range(3))
        )

    asyncio.run(browse())
    assert 1 <= len(server_backends()) <= 2
