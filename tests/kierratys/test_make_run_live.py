"""`make run` on the embedded default: what the worker does reaches an open page live.

The in-memory channel layer reaches only the sockets of its own process. This test runs the
`run` recipe of the Makefile as written (its commands, on a SQLite database of its own, no
Redis), signs in as the demo reserver, opens the live socket, and then, from another
process, publishes a sofa that matches the reserver's saved search. The match is found by
the background worker; its `search.match` event must arrive on the socket. With the worker
in a process of its own beside the server (the design before), it never did. Last, Ctrl-C
(SIGINT to the process group, as a terminal sends it) must stop everything.
"""

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest
import websockets

from ..support.servers import ROOT, Browserless, free_port, listening

DEMO_PASSWORD = "kierratys-demo"
START_SECONDS = 60
EVENT_SECONDS = 20  # the worker looks at its queue every 2 s

# Run from another process, as a user saving a listing would: the match is the worker's job.
PUBLISH_SOFA = """
from django.core.files.uploadedfile import SimpleUploadedFile
from kierratys.accounts.models import User
from listings import services
from listings.demo import COLOURS, _draw
from listings.models import Category

lister = User.objects.get(email="lister@demo.example")
services.listing_create(
    actor=lister,
    unit=lister.unit,
    fields={
        "title": "Kahden istuttava sohva",
        "description": "Siisti sohva opettajainhuoneesta.",
        "category": Category.objects.get(slug="sofas"),
        "condition": "good",
        "material": "fabric",
        "colour": "green",
        "quantity": 1,
        "pickup_instructions": "Kysy vahtimestarilta.",
    },
    uploads=[SimpleUploadedFile("sofa.jpg", _draw("sofa", COLOURS["green"], 1))],
    publish=True,
)
"""


def run_recipe(port: int) -> list[str]:
    """The shell commands of the Makefile's `run` target, for this port and this Python."""
    makefile = (ROOT / "Makefile").read_text()
    found = re.search(r"^run:[^\n]*\n((?:\t[^\n]*\n)+)", makefile, re.MULTILINE)
    assert found, "the Makefile has a run target"
    recipe = found.group(1).replace("\\\n", " ")
    commands = []
    for line in recipe.splitlines():
        line = line.strip().lstrip("@")
        if line:
            line = line.replace("$(PY)", sys.executable).replace("$(PORT)", str(port))
            commands.append(line.replace("$$", "$"))
    return commands


def demo_env(tmp_path) -> dict:
    """The embedded default: SQLite, in-memory channel layer, local media, console mail."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "EMAIL_URL"}
        and not k.startswith("AWS_")
    }
    return {
        **env,
        "DEBUG": "true",
        "DJANGO_SETTINGS_MODULE": "kierratys.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PYTHONUNBUFFERED": "1",
    }


def group_alive(pgid: int) -> bool:
    """Whether any process of the group lives (a zombie counts: reap the leader first)."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def make_run(tmp_path):
    """`make run` (after its `migrate` prerequisite) on a port of its own; yields the port
    and the server's process. Stopped with Ctrl-C if the test did not stop it."""
    port = free_port()
    env = demo_env(tmp_path)
    log = (tmp_path / "make-run.log").open("w")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    *before, serve = run_recipe(port)
    for command in before:
        subprocess.run(command, shell=True, cwd=ROOT, env=env, check=True, stdout=log)
    server = subprocess.Popen(
        serve,
        shell=True,
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, as in a terminal
    )
    deadline = time.monotonic() + START_SECONDS
    while not listening(port) and server.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    try:
        if not listening(port):
            pytest.fail(f"make run did not listen:\n{(tmp_path / 'make-run.log').read_text()}")
        yield port, server, env, tmp_path / "make-run.log"
    finally:
        if group_alive(server.pid):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait()
        log.close()


def sign_in(base: str, email: str) -> str:
    client = Browserless(base, "")
    status, _html = client.post_form(
        "/accounts/login/", "/accounts/login/", {"username": email, "password": DEMO_PASSWORD}
    )
    assert status == 302, "the demo account signs in"
    return client.cookies["sessionid"]


async def next_event(socket, name: str, timeout: float) -> dict:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        left = deadline - asyncio.get_running_loop().time()
        message = json.loads(await asyncio.wait_for(socket.recv(), max(left, 0.01)))
        if message["event"] == name:
            return message["data"]


async def test_a_saved_search_match_found_by_the_worker_reaches_the_open_page(make_run):
    port, server, env, log = make_run
    base = f"http://127.0.0.1:{port}"
    session = await asyncio.to_thread(sign_in, base, "reserver@demo.example")
    async with websockets.connect(
        f"ws://127.0.0.1:{port}/ws/live/",
        origin=base,
        additional_headers={"Cookie": f"sessionid={session}"},
        open_timeout=10,
        proxy=None,
    ) as socket:
        await socket.send(json.dumps({"event": "ping"}))
        await next_event(socket, "pong", 10)  # connected, and joined its groups

        await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "manage.py", "shell", "-c", PUBLISH_SOFA],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        try:
            match = await next_event(socket, "search.match", EVENT_SECONDS)
        except TimeoutError:
            pytest.fail("the worker's saved-search match never reached the open page")
        assert match["title"] == "Kahden istuttava sohva"

    # Ctrl-C in the terminal: SIGINT to every process of the group; all of them end.
    os.killpg(server.pid, signal.SIGINT)
    deadline = time.monotonic() + 20
    while (server.poll() is None or group_alive(server.pid)) and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    assert not group_alive(server.pid), "a process of make run outlived Ctrl-C"
    assert not listening(port)
    # One worker per server process: the reloader's supervisor runs none of its own (each
    # restart on a code change stops the jobs with its server and starts them again).
    lines = log.read_text().splitlines()
    servers = [line for line in lines if "Started server process" in line]
    workers = [line for line in lines if "Starting worker" in line]
    assert servers and len(workers) == len(servers), "\n".join(servers + workers)
