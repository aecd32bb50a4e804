"""Request bodies over REQUEST_BODY_MAX_BYTES are refused by the server itself, before it
reads them: a declared length at once with 413, a chunked body once it passes the limit.

Raw sockets against the production server (`python -m kierratys.server`); the refusal
needs no database, so both passes run these on a throwaway SQLite file.
"""

import socket
import threading

import pytest
from django.conf import settings

from ..support.servers import AsgiServer

LIMIT = 2_000_000  # the test server's limit: small, so the chunked case is quick


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("body-cap")
    with AsgiServer(
        DATABASE_URL=f"sqlite:///{folder}/db.sqlite3",
        REDIS_URL="",
        REQUEST_BODY_MAX_BYTES=str(LIMIT),
    ) as server:
        yield server


def open_request(port, path, headers: dict) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", *(f"{k}: {v}" for k, v in headers.items())]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    return sock


def read_status(sock) -> int:
    """The response's status code; raises socket.timeout if the server says nothing."""
    head = b""
    while b"\r\n" not in head:
        data = sock.recv(4096)
        if not data:
            raise ConnectionError(f"closed without a response: {head!r}")
        head += data
    return int(head.split(b" ", 2)[1])


def closed_by_server(sock) -> bool:
    """Reads to the end; True when the server closed (EOF or reset) within the timeout."""
    try:
        while sock.recv(65536):
            pass
    except ConnectionResetError:
        pass
    return True


@pytest.mark.parametrize("length", [300 * 1024 * 1024, LIMIT + 1, 10**15])
@pytest.mark.parametrize("path", ["/accounts/login/", "/listings/new/", "/nowhere/", "/healthz"])
def test_a_declared_body_over_the_limit_is_refused_before_it_is_sent(server, length, path):
    sock = open_request(
        server.port,
        path,
        {"Content-Type": "application/x-www-form-urlencoded", "Content-Length": length},
    )
    with sock:
        # Not one byte of the body was sent: the answer comes from the headers alone.
        assert read_status(sock) == 413
        assert closed_by_server(sock)


def test_a_body_within_the_limit_still_reaches_the_application(server):
    body = b"a=" + b"x" * (LIMIT - 2)
    sock = open_request(
        server.port,
        "/accounts/login/",
        {"Content-Type": "application/x-www-form-urlencoded", "Content-Length": len(body)},
    )
    with sock:
        sock.sendall(body)
        assert read_status(sock) == 403  # Django's own answer: no CSRF token


class Sender(threading.Thread):
    """Sends a chunked body without end (up to a safety cap) until the server stops it."""

    def __init__(self, sock, chunk=64 * 1024, cap=200 * 1024 * 1024):
        super().__init__(daemon=True)
        self.sock, self.chunk, self.cap = sock, chunk, cap
        self.sent = 0
        self.error = None

    def run(self):
        frame = f"{self.chunk:x}\r\n".encode() + b"x" * self.chunk + b"\r\n"
        try:
            while self.sent < self.cap:
                self.sock.sendall(frame)
                self.sent += self.chunk
            self.sock.sendall(b"0\r\n\r\n")
        except OSError as error:  # broken pipe, reset: the server hung up
            self.error = error


@pytest.mark.parametrize("path", ["/accounts/login/", "/listings/new/", "/nowhere/"])
def test_a_chunked_body_is_cut_off_once_it_passes_the_limit(server, path):
    sock = open_request(
        server.port,
        path,
        {"Content-Type": "application/octet-stream", "Transfer-Encoding": "chunked"},
    )
    with sock:
        sender = Sender(sock)
        sender.start()
        assert read_status(sock) == 413
        assert closed_by_server(sock)
        sender.join(30)
        assert not sender.is_alive()
        assert sender.error is not None  # the stream was cut, not read to its end
        assert sender.sent < sender.cap


def test_the_limit_agrees_with_the_upload_limits():
    """A listing form with a photo at its own size limit always fits under the cap."""
    from listings.photos import MAX_UPLOAD_BYTES

    fields = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert MAX_UPLOAD_BYTES + fields <= settings.REQUEST_BODY_MAX_BYTES
    assert settings.REQUEST_BODY_MAX_BYTES < 300 * 1024 * 1024
