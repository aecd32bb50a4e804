"""Many machines (issue 23): two production server processes and two workers on one
PostgreSQL database and one Redis, as a city runs the service on several machines.

Each test acts through server A and checks what server B (or the workers) make of it:
sessions, the login throttle, the last chair, live events, the shared cache, the task
queue. Nothing here is shared through memory: only the database and Redis connect them.
"""

import json
import re
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import pytest
import redis as redis_py
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from websockets.sync.client import connect

from kierratys.common import tasks
from kierratys.common.submissions import new_token
from listings.models import Listing, SavedSearch
from reservations.models import Reservation

from ..conftest import needs_postgres
from ..factories import CategoryFactory, ListingFactory, UserFactory
from ..factories.accounts import PASSWORD
from ..support.servers import (
    ROOT,
    AsgiServer,
    Browserless,
    RedisServer,
    database_url,
    session_cookie_for,
    stop_process,
)

pytestmark = [
    pytest.mark.postgres,
    needs_postgres,
    pytest.mark.skipif(not RedisServer.available(), reason="needs the redis-server binary"),
    pytest.mark.django_db(transaction=True),
]

WAIT = 20  # seconds for anything to cross from one process to another


class Machines:
    """Servers A and B and workers 1 and 2, their mail in one folder (filemail)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.mail_dir = folder / "mail"
        self.mail_dir.mkdir()
        self.redis = RedisServer()
        self.servers: list[AsgiServer] = []
        self.workers: list = []

    def start(self):
        self.redis.start()
        env = {
            "DATABASE_URL": database_url(),
            "REDIS_URL": self.redis.url,
            "REDIS_PREFIX": "many",
            "EMAIL_URL": f"filemail:///{self.mail_dir}",  # four slashes: an absolute path
            "MEDIA_ROOT": str(self.folder / "media"),
            "RESERVATION_OWNER_NOTIFY_SECONDS": "0",
        }
        self.servers = [AsgiServer(log=self.folder / f"server-{name}.log", **env) for name in "ab"]
        for number in (1, 2):
            with (self.folder / f"worker-{number}.log").open("w") as log:
                self.workers.append(
                    subprocess.Popen(
                        [
                            sys.executable,
                            "manage.py",
                            "worker",
                            "--no-reload",
                            "--no-startup-delay",
                            "--interval",
                            "0.2",
                            "--worker-id",
                            f"worker-{number}",
                        ],
                        cwd=ROOT,
                        env={**self.servers[0].env, **env},
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    )
                )
        with ThreadPoolExecutor(2) as pool:  # both servers start at once
            list(pool.map(AsgiServer.start, self.servers))
        return self

    def stop(self):
        for server in self.servers:
            server.stop()
        for worker in self.workers:
            stop_process(worker)
        self.redis.stop()

    @property
    def a(self) -> AsgiServer:
        return self.servers[0]

    @property
    def b(self) -> AsgiServer:
        return self.servers[1]

    def mails_to(self, address: str) -> int:
        return sum(
            len(re.findall(rf"^To: {re.escape(address)}$", path.read_text(), re.MULTILINE))
            for path in self.mail_dir.iterdir()
        )

    def workers_alive(self) -> bool:
        return all(worker.poll() is None for worker in self.workers)


@pytest.fixture(scope="module")
def machines(django_db_setup, tmp_path_factory):
    """Started once for the module (about 10 s); each test's rows are its own."""
    machines = Machines(tmp_path_factory.mktemp("many-machines"))
    try:
        yield machines.start()
    finally:
        machines.stop()


@pytest.fixture(autouse=True)
def _queue_drained(machines, transactional_db):
    """Each test ends once the workers have done what it queued: the database is emptied
    between tests, and a task's row must not vanish under a worker running it."""
    yield

    def drained():
        tasks = DBTaskResult.objects
        return not (tasks.ready().exists() or tasks.filter(status="RUNNING").exists())

    wait_until(drained, "the workers to finish")
    assert machines.workers_alive()


class Visitor(Browserless):
    """A browser without JavaScript against one server: signs in, posts forms."""

    def __init__(self, server: AsgiServer, session_key: str = ""):
        super().__init__(server.base, session_key)

    def token(self, page: str) -> str:
        _status, html = self.get(page)
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)

    def post(self, path: str, fields: dict, token: str):
        data = urlencode({"csrfmiddlewaretoken": token, **fields}, doseq=True).encode()
        return self._request(path, data)

    def sign_in(self, email: str, password: str = PASSWORD) -> int:
        status, _html = self.post_form(
            "/accounts/login/", "/accounts/login/", {"username": email, "password": password}
        )
        return status

    def move_to(self, server: AsgiServer) -> "Visitor":
        """The same browser, its cookies and all, now talking to another server."""
        other = Visitor(server)
        other.cookies = dict(self.cookies)
        return other


def wait_until(predicate, what: str):
    deadline = time.monotonic() + WAIT
    while not predicate():
        assert time.monotonic() < deadline, f"waited {WAIT} s for {what}"
        time.sleep(0.1)


def test_signed_in_on_a_the_session_works_on_b_and_signing_out_on_b_ends_it(machines):
    user = UserFactory(full_name="Maija Meikäläinen")
    on_a = Visitor(machines.a)
    assert on_a.sign_in(user.email) == 302
    on_b = on_a.move_to(machines.b)
    status, html = on_b.get("/accounts/profile/")
    assert status == 200 and "Maija Meikäläinen" in html

    assert on_b.post("/accounts/logout/", {}, on_b.token("/accounts/profile/"))[0] == 302
    status, _html = on_a.get("/accounts/profile/")
    assert status == 302, "signed out on B is signed out on A"


def test_failed_sign_ins_on_a_and_b_add_up_to_one_lockout_on_both(machines):
    user = UserFactory()
    on_a, on_b = Visitor(machines.a), Visitor(machines.b)
    for visitor in (on_a, on_b, on_a, on_b):
        assert visitor.sign_in(user.email, "not the password") == 200
    assert on_b.sign_in(user.email, "not the password") == 429  # the fifth, wherever it came
    # Locked on both servers, the right password too.
    assert on_a.sign_in(user.email) == 429
    assert on_b.sign_in(user.email) == 429


def reserve_fields() -> dict:
    return {
        "quantity": "1",
        "handover": "pickup",
        "contact_name": "Reserver",
        "contact_phone": "040 123 4567",
        "submission": new_token(),
    }


def next_event(socket, name: str, listing_id: int) -> dict:
    deadline = time.monotonic() + WAIT
    while True:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"no {name} event"
        event = json.loads(socket.recv(timeout=remaining))
        if event["event"] == name and event["data"].get("id") == listing_id:
            return event


def test_the_last_chair_reserved_through_a_and_b_at_once_goes_to_one_and_b_hears_of_it(
    machines,
):
    listing = ListingFactory(title="Satulatuoli", quantity=2)
    first, second, third, watcher = (UserFactory() for _ in range(4))
    on_a = Visitor(machines.a, session_cookie_for(first))
    page, path = f"/listings/{listing.pk}/", f"/listings/{listing.pk}/reserve/"
    with connect(
        f"ws://127.0.0.1:{machines.b.port}/ws/live/",
        origin=machines.b.base,
        additional_headers={"Cookie": f"sessionid={session_cookie_for(watcher)}"},
        open_timeout=10,
    ) as socket:
        # A reservation through A reaches a page open on B.
        assert on_a.post(path, reserve_fields(), on_a.token(page))[0] == 302
        event = next_event(socket, "listing.changed", listing.pk)
        assert event["data"]["quantity_available"] == 1

        # The last chair, through A and B at the same moment.
        racers = [
            Visitor(machines.a, session_cookie_for(second)),
            Visitor(machines.b, session_cookie_for(third)),
        ]
        tokens = [racer.token(page) for racer in racers]
        start = threading.Barrier(2)

        def race(racer, token):
            start.wait()
            return racer.post(path, reserve_fields(), token)[0]

        with ThreadPoolExecutor(2) as pool:
            statuses = sorted(pool.map(race, racers, tokens))
        assert statuses == [302, 409]  # one reservation; the other is told it is gone
        # None left: open catalogues drop it.
        assert next_event(socket, "listing.removed", listing.pk)["data"]["quantity_available"] == 0
    assert Reservation.objects.filter(listing=listing).count() == 2
    listing.refresh_from_db()
    assert listing.quantity_available == 0


def test_a_category_renamed_through_a_shows_renamed_on_b_at_once(machines):
    shared = redis_py.Redis.from_url(machines.redis.url)
    for key in shared.scan_iter("many:cache:*"):  # what earlier tests' pages cached
        shared.delete(key)
    category = CategoryFactory(name_fi="Konttorituolit")
    ListingFactory(category=category)
    viewer = Visitor(machines.b, session_cookie_for(UserFactory()))
    status, html = viewer.get("/listings/")
    assert status == 200 and "Konttorituolit" in html
    assert shared.keys("many:cache:*:listings:choices:*"), "B's filter choices are in Redis"

    admin = Visitor(machines.a, session_cookie_for(UserFactory(is_staff=True, is_superuser=True)))
    change = reverse("admin:listings_category_change", args=[category.pk])
    fields = {
        "parent": "",
        "slug": category.slug,
        "sort_order": "0",
        "name_fi": "Toimistoistuimet",
        "name_sv": category.name_sv,
        "name_en": category.name_en,
        "typical_weight_kg": "10",
        "co2e_kg_per_item": "30",
        "replacement_value_eur": "100",
        "factors_are_estimates": "on",
        "factor_source": "",
        "_save": "Save",
    }
    assert admin.post(change, fields, admin.token(change))[0] == 302

    status, html = viewer.get("/listings/")
    assert status == 200
    assert "Toimistoistuimet" in html and "Konttorituolit" not in html


def test_a_saved_search_alert_queued_through_a_is_mailed_once_by_the_two_workers(machines):
    owner = UserFactory()
    searcher = UserFactory(email="searcher@demo.example")
    SavedSearch.objects.create(user=searcher, name="Nojatuolit", query="q=nojatuoli")
    draft = ListingFactory(
        title="Vihreä nojatuoli",
        owner_unit=owner.unit,
        created_by=owner,
        status=Listing.Status.DRAFT,
        published_at=None,
    )
    lister = Visitor(machines.a, session_cookie_for(owner))
    status, _html = lister.post(
        f"/listings/{draft.pk}/publish/", {}, lister.token(f"/listings/{draft.pk}/")
    )
    assert status == 302
    wait_until(lambda: machines.mails_to(searcher.email) >= 1, "the alert mail")

    # Many more mails at once: the two workers share them out, each sent once.
    addresses = [f"many-{n}@demo.example" for n in range(12)]
    for address in addresses:
        tasks.send_email.enqueue(
            to=address, template="search_match", context={}, language="fi", headers=None
        )
    wait_until(lambda: all(machines.mails_to(a) for a in addresses), "every mail")
    time.sleep(1)  # several worker polls: time for a second copy to appear, if one would
    assert machines.workers_alive()
    assert machines.mails_to(searcher.email) == 1
    assert [machines.mails_to(address) for address in addresses] == [1] * len(addresses)
    results = DBTaskResult.objects.all()
    assert results.exists()
    assert all(len(result.worker_ids) == 1 for result in results), "each task ran once"
    print(
        "\ntasks per worker:",
        {w: sum(r.worker_ids == [w] for r in results) for w in ("worker-1", "worker-2")},
    )
