"""kierratys/serving.py in-process: what Django code does in a page's thread that must
happen on the server's event loop does happen there."""

import asyncio

import pytest
from asgiref.sync import async_to_sync
from channels.testing import ApplicationCommunicator

from kierratys.serving import django_http


async def answer_page(app):
    page = ApplicationCommunicator(
        app,
        {
            "type": "http",
            "http_version": "1.1",
            "method": "GET",
            "path": "/",
            "query_string": b"",
            "headers": [],
        },
    )
    await page.send_input({"type": "http.request", "body": b""})
    start = await page.receive_output(10)
    await page.receive_output(10)
    return start


@pytest.mark.asyncio
async def test_async_code_called_from_a_page_runs_on_the_servers_loop():
    """asyncio is not thread-safe: the in-memory layer's queues, and the sockets waiting on
    them, may only be touched from the loop they live on (as under Django's ASGI handler)."""
    ran_on = []

    async def send_event():
        ran_on.append(asyncio.get_running_loop())

    def page(environ, start_response):
        async_to_sync(send_event)()
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    await answer_page(django_http(page))
    assert ran_on == [asyncio.get_running_loop()]
