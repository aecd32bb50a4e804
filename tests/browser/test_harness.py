"""The harness itself: the live server answers, serves static files and websockets."""

import json
import urllib.request

import pytest
from django.conf import settings

from ..factories import UserFactory
from .helpers import in_worker_thread

pytestmark = pytest.mark.browser

OPEN_LIVE_SOCKET = """async () => {
    const socket = new WebSocket(location.origin.replace(/^http/, 'ws') + '/ws/live/');
    return await new Promise(resolve => {
        const timer = setTimeout(() => resolve({state: 'timeout'}), 5000);
        socket.onopen = () => socket.send(JSON.stringify({event: 'ping'}));
        socket.onmessage = message => {
            clearTimeout(timer);
            socket.close();
            resolve({state: 'message', data: JSON.parse(message.data)});
        };
        socket.onclose = close => {
            clearTimeout(timer);
            resolve({state: 'closed', code: close.code});
        };
    });
}"""


def test_health_reports_every_backend_ok(live_asgi_server, browser_db):
    with urllib.request.urlopen(f"{live_asgi_server}/healthz", timeout=5) as response:
        report = json.load(response)
    assert report == {"database": "ok", "channel_layer": "ok", "storage": "ok", "status": "ok"}


def test_stylesheet_is_served_and_applied(page):
    page.goto("/accounts/login/")
    header_colour = page.locator(".site-header").evaluate(
        "header => getComputedStyle(header).backgroundColor"
    )
    assert header_colour == "rgb(11, 79, 108)"  # --brand in static/css/app.css


def test_signed_in_page_gets_a_live_socket(page, force_login):
    force_login(page, UserFactory())
    page.goto("/")
    assert page.evaluate(OPEN_LIVE_SOCKET) == {
        "state": "message",
        "data": {"event": "pong", "data": {}},
    }


def test_anonymous_live_socket_is_refused(page):
    page.goto("/accounts/login/")
    result = page.evaluate(OPEN_LIVE_SOCKET)
    assert result["state"] == "closed"


@pytest.mark.skipif(
    not settings.REDIS_URL, reason="needs Redis (REDIS_URL); runs in CI's first pass"
)
def test_events_from_the_test_process_reach_the_browser_through_redis(page, force_login):
    """Services in the test process publish through Redis to the server's sockets."""
    from kierratys import live

    user = UserFactory()
    force_login(page, user)
    page.goto("/")
    page.evaluate(
        """() => new Promise((resolve, reject) => {
            const socket = new WebSocket(location.origin.replace(/^http/, 'ws') + '/ws/live/');
            window.liveEvents = [];
            socket.onmessage = message => window.liveEvents.push(JSON.parse(message.data));
            socket.onopen = () => resolve();
            socket.onclose = () => reject(new Error('socket closed'));
        })"""
    )
    in_worker_thread(live.send_events, [([live.user_group(user.pk)], "test.event", {"n": 1})])
    page.wait_for_function("() => window.liveEvents.length > 0", timeout=5000)
    assert page.evaluate("window.liveEvents") == [{"event": "test.event", "data": {"n": 1}}]
