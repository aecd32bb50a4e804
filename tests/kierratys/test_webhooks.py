"""Webhooks (issue 19, item 4): an organisation's HTTPS endpoint hears of the live events
its people may see. Deliveries are written in the changing transaction, signed by the
Standard Webhooks scheme (verified here by a real HTTPS receiver with the library
receivers use), retried with pauses, logged, and a failing endpoint is paused and its
coordinators told. Each message (version 2) carries its resource as the API shows it to
the endpoint's organisation when first sent, and nothing that organisation may not see."""

import http.server
import json
import ssl
import threading
import time

import pytest
import trustme
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from standardwebhooks import Webhook

from kierratys.accounts.roles import COORDINATOR
from kierratys.webhooks import delivery, services
from kierratys.webhooks.models import Delivery, Endpoint
from kierratys.webhooks.outbox import endpoints_forget, outbox_add
from listings import services as listing_services
from listings.models import Listing

from ..factories import (
    ListingFactory,
    OrganisationFactory,
    UserFactory,
    member_of,
    other_organisation,
    reserve,
    running_partnership,
)
from ..factories.reservations import CONTACT_PHONE

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


class Receiver:
    """An HTTPS server on 127.0.0.1 that keeps what it gets and answers `statuses` in turn
    (the last one from then on), after `delay` seconds."""

    def __init__(self, ca):
        self.received: list[tuple[dict, bytes]] = []
        self.statuses = [204]
        self.delay = 0.0
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                time.sleep(receiver.delay)
                status = (
                    receiver.statuses.pop(0) if len(receiver.statuses) > 1 else receiver.statuses[0]
                )
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def verified(self, secret: str) -> list[dict]:
        """Every body received, each after its signature checked (raises if one is wrong)."""
        return [Webhook(secret).verify(body, headers) for headers, body in self.received]


@pytest.fixture(scope="module")
def ca():
    return trustme.CA()


@pytest.fixture
def receiver(ca, settings, tmp_path):
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.WEBHOOK_CA_BUNDLE = str(bundle)
    settings.WEBHOOK_RETRY_SECONDS = [0, 0, 0]
    endpoints_forget()
    server = Receiver(ca)
    yield server
    server.server.shutdown()
    endpoints_forget()


@pytest.fixture
def coordinator():
    return UserFactory(roles=[COORDINATOR])


def register(coordinator, receiver, events=("reservation.changed",)):
    return services.endpoint_create(actor=coordinator, url=receiver.url, event_types=list(events))


def test_a_reservation_reaches_the_endpoint_signed(
    receiver, coordinator, django_capture_on_commit_callbacks
):
    endpoint = register(coordinator, receiver)
    listing = ListingFactory()
    with django_capture_on_commit_callbacks(execute=True):
        reservation = reserve(listing, quantity=2)
    assert Delivery.objects.get().status == Delivery.Status.PENDING
    assert delivery.deliveries_send_due() == 1
    (message,) = receiver.verified(endpoint.secret)
    assert message["type"] == "reservation.changed"
    assert message["data"]["id"] == reservation.pk and message["data"]["quantity"] == 2
    headers, _body = receiver.received[0]
    assert headers["webhook-id"].startswith("msg_")
    row = Delivery.objects.get()
    assert row.status == Delivery.Status.DELIVERED and row.attempts == 1
    assert row.last_status_code == 204


def test_a_forged_signature_does_not_verify(receiver, coordinator):
    register(coordinator, receiver)
    reserve(ListingFactory())
    delivery.deliveries_send_due()
    with pytest.raises(Exception, match="signature"):
        receiver.verified(services._new_secret())


def test_a_rolled_back_change_sends_nothing(receiver, coordinator):
    register(coordinator, receiver)
    listing = ListingFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        reserve(listing)
        raise RuntimeError("the change fails after its event")
    assert not Delivery.objects.exists()


def test_another_organisations_events_stay_theirs_and_partners_hear_what_they_see(
    receiver, coordinator
):
    endpoint = register(
        coordinator,
        receiver,
        events=["listing.published", "listing.changed", "reservation.changed"],
    )
    elsewhere = other_organisation(2)
    owner = member_of(elsewhere)
    reserve(ListingFactory(owner_unit=owner.unit), user=member_of(elsewhere))
    assert not Delivery.objects.exists()

    running_partnership(OrganisationFactory(), elsewhere)
    draft = ListingFactory(owner_unit=owner.unit, status=Listing.Status.DRAFT, published_at=None)
    listing_services.listing_publish(actor=owner, listing_id=draft.pk)
    assert not Delivery.objects.exists()  # their own organisation's stage: not ours to hear
    listing_services.listing_audience_set(
        actor=owner, listing_id=draft.pk, audience=Listing.Audience.PARTNERS, hold=False
    )
    rows = list(Delivery.objects.filter(endpoint=endpoint))
    assert rows and {row.payload["data"]["id"] for row in rows} == {draft.pk}


def test_a_failed_delivery_is_tried_again_and_logged(receiver, coordinator):
    register(coordinator, receiver)
    receiver.statuses = [500, 204]
    reserve(ListingFactory())
    assert delivery.deliveries_send_due() == 2  # the retry's pause is 0 s here
    row = Delivery.objects.get()
    assert row.status == Delivery.Status.DELIVERED and row.attempts == 2
    assert len(receiver.received) == 2
    # The same message both times: the receiver can tell a retry by webhook-id.
    assert len({headers["webhook-id"] for headers, _ in receiver.received}) == 1


def test_the_retries_wait_and_then_give_up(receiver, coordinator, settings):
    settings.WEBHOOK_RETRY_SECONDS = [3600]
    register(coordinator, receiver)
    receiver.statuses = [503]
    reserve(ListingFactory())
    assert delivery.deliveries_send_due() == 1
    row = Delivery.objects.get()
    assert row.status == Delivery.Status.PENDING and row.last_error == "HTTP 503"
    assert 3590 < (row.next_attempt_at - row.last_attempt_at).total_seconds() <= 3600
    Delivery.objects.update(next_attempt_at=row.last_attempt_at)
    assert delivery.deliveries_send_due() == 1
    assert Delivery.objects.get().status == Delivery.Status.FAILED


def test_an_endpoint_failing_again_and_again_is_paused_and_its_coordinators_told(
    receiver, coordinator, settings, run_tasks
):
    settings.WEBHOOK_PAUSE_AFTER_FAILURES = 3
    endpoint = register(coordinator, receiver)
    receiver.statuses = [500]
    reserve(ListingFactory())
    delivery.deliveries_send_due()
    endpoint.refresh_from_db()
    assert endpoint.paused_at is not None and endpoint.failures_in_a_row == 3
    run_tasks()
    (told,) = [m for m in mail.outbox if receiver.url in m.body]
    assert told.to == [coordinator.email]
    # While paused nothing is sent; resumed, what waited goes out.
    reserve(ListingFactory())
    receiver.statuses = [204]
    assert delivery.deliveries_send_due() == 0
    services.endpoint_resume(actor=coordinator, endpoint_id=endpoint.pk)
    assert delivery.deliveries_send_due() == 2  # both waited: the first had tries left
    assert Delivery.objects.filter(status=Delivery.Status.DELIVERED).count() == 2


def test_a_slow_endpoint_times_out_without_harm(receiver, coordinator, monkeypatch):
    monkeypatch.setattr(delivery, "READ_TIMEOUT", 0.3)
    register(coordinator, receiver)
    receiver.delay = 1.0
    reserve(ListingFactory())
    assert delivery.deliveries_send_due() >= 1
    assert "Timeout" in Delivery.objects.order_by("pk").first().last_error


def test_without_endpoints_publishing_costs_no_query(django_assert_num_queries):
    endpoints_forget()
    outbox_add(groups=["unit-1"], event="reservation.changed", data={"id": 1})  # reads once
    with django_assert_num_queries(0):
        outbox_add(groups=["unit-1"], event="reservation.changed", data={"id": 1})


@pytest.mark.parametrize(
    ("url", "events", "field", "message"),
    [
        ("http://example.fi/hooks", ["task.changed"], "url", "Give the full HTTPS address"),
        ("https://10.1.2.3/hooks", ["task.changed"], "url", "must be a public HTTPS address"),
        ("https://127.0.0.2/hooks", ["task.changed"], "url", "must be a public HTTPS address"),
        ("https://8.8.8.8/hooks", ["search.match"], "event_types", "Select a valid choice"),
        ("https://8.8.8.8/hooks", [], "event_types", "Choose at least one event."),
    ],
)
def test_bad_input_on_the_page_is_refused_with_a_message(
    client, coordinator, url, events, field, message
):
    client.force_login(coordinator)
    response = client.post(reverse("webhooks:list"), {"url": url, "event_types": events}, **EN)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not Endpoint.objects.exists()


def test_the_page_shows_the_secret_once_and_others_may_not_touch_it(client, coordinator, receiver):
    client.force_login(coordinator)
    response = client.post(
        reverse("webhooks:list"),
        {"url": receiver.url, "event_types": ["task.changed"], "description": "Varastojärjestelmä"},
        **EN,
    )
    endpoint = Endpoint.objects.get()
    assert response.status_code == 200 and endpoint.secret in response.text
    again = client.get(reverse("webhooks:list"), **EN)
    assert endpoint.secret not in again.text and "Varastojärjestelmä" in again.text

    client.force_login(UserFactory())
    assert client.get(reverse("webhooks:list")).status_code == 403
    client.force_login(member_of(other_organisation(2), roles=[COORDINATOR]))
    assert client.post(reverse("webhooks:delete", args=[endpoint.pk])).status_code == 404
    assert client.post(reverse("webhooks:resume", args=[endpoint.pk])).status_code == 404
    assert Endpoint.objects.filter(pk=endpoint.pk).exists()

    client.force_login(coordinator)
    client.post(reverse("webhooks:delete", args=[endpoint.pk]))
    assert not Endpoint.objects.exists()


def test_the_message_is_the_events_own_json_and_a_delivered_row_keeps_only_that(
    receiver, coordinator
):
    endpoint = register(coordinator, receiver, events=["reservation.changed"])
    reserve(ListingFactory())
    delivery.deliveries_send_due()
    _headers, body = receiver.received[0]
    message, kept = json.loads(body), Delivery.objects.get(endpoint=endpoint).payload
    assert {name: message[name] for name in ("type", "timestamp")} == {
        name: kept[name] for name in ("type", "timestamp")
    }
    assert {**message["data"], "resource": None, "links": None} == {
        **kept["data"],
        "resource": None,
        "links": None,
    }
    assert "resource" not in kept["data"]  # no copy of the reservation stays in the log


# Version 2 (docs/webhooks.md): the resource as the API shows it, made when first sent.


def _sent(receiver, endpoint) -> list[dict]:
    delivery.deliveries_send_due()
    return receiver.verified(endpoint.secret)


def test_a_reservations_message_carries_it_as_the_api_shows_it_without_contacts(
    receiver, coordinator, client, settings
):
    from kierratys.api import services as api_services

    settings.SITE_URL = "http://testserver"
    endpoint = register(coordinator, receiver)
    listing = ListingFactory()
    reservation = reserve(listing, quantity=2, note="Kolmas kerros")
    (message,) = _sent(receiver, endpoint)
    assert message["version"] == 2 and message["type"] == "reservation.changed"
    data = message["data"]
    assert (data["id"], data["status"], data["quantity"]) == (reservation.pk, "active", 2)
    resource = data["resource"]
    token = api_services.token_create(
        actor=coordinator,
        name="Vertailu",
        unit_id=reservation.unit_id,
        scopes=["reservations"],
        days=1,
    )
    shown = client.get(
        f"/api/v1/reservations/{reservation.pk}/",
        HTTP_AUTHORIZATION=f"Bearer {token.secret}",
    ).json()
    assert shown["contact_phone"] and shown["note"] == "Kolmas kerros"
    private = {"contact_name", "contact_phone", "note"}
    assert resource == {name: value for name, value in shown.items() if name not in private}
    assert data["links"] == {
        "self": f"http://testserver/api/v1/reservations/{reservation.pk}/",
        "listing": f"http://testserver/api/v1/listings/{listing.pk}/",
        "page": f"http://testserver/reservations/{reservation.pk}/",
    }
    assert CONTACT_PHONE not in json.dumps(message)


def test_a_reservation_made_for_another_unit_says_by_whom_but_no_contact_details(
    receiver, coordinator
):
    """Issue 20: the resource says on_behalf and the maker's name, as the API does; neither
    the maker's e-mail or phone nor the reservation's contact details go."""
    organisation = coordinator.unit.department.organisation
    coordinator.phone = "050 765 4321"
    coordinator.save(update_fields=["phone"])
    endpoint = register(coordinator, receiver)
    other_unit = member_of(organisation).unit
    reservation = reserve(ListingFactory(), user=coordinator, for_unit_id=other_unit.pk)
    assert reservation.on_behalf and reservation.unit == other_unit
    (message,) = _sent(receiver, endpoint)
    resource = message["data"]["resource"]
    assert (resource["on_behalf"], resource["unit"]) == (True, other_unit.display_name)
    assert resource["requested_by"] == coordinator.full_name
    sent = json.dumps(message)
    assert coordinator.email not in sent and "@" not in sent
    assert "050 765 4321" not in sent and CONTACT_PHONE not in sent  # the maker's, the contact
    assert not {"contact_name", "contact_phone", "note"} & set(resource)


def test_a_listings_message_carries_the_apis_listing_with_its_links(receiver, coordinator):
    endpoint = register(coordinator, receiver, events=["listing.published"])
    owner = member_of(coordinator.unit.department.organisation)
    draft = ListingFactory(owner_unit=owner.unit, status=Listing.Status.DRAFT, published_at=None)
    listing_services.listing_publish(actor=owner, listing_id=draft.pk)
    (message,) = _sent(receiver, endpoint)
    resource = message["data"]["resource"]
    assert resource["id"] == draft.pk and resource["status"] == "published"
    assert resource["title"] == draft.title and resource["photos"] == []
    assert {"description", "quantity_available", "category", "page"} <= set(resource)
    assert message["data"]["links"]["self"].endswith(f"/api/v1/listings/{draft.pk}/")


def test_a_tasks_message_carries_the_apis_task(receiver, coordinator):
    from inventory import services as inventory_services
    from tests.factories.inventory import WarehouseFactory

    organisation = coordinator.unit.department.organisation
    WarehouseFactory(organisation=organisation)
    endpoint = register(coordinator, receiver, events=["task.changed"])
    owner = member_of(organisation)
    listing = ListingFactory(owner_unit=owner.unit)
    task = inventory_services.intake_request(actor=owner, listing_id=listing.pk)
    (message,) = _sent(receiver, endpoint)
    resource = message["data"]["resource"]
    assert (resource["id"], resource["kind"], resource["status"]) == (task.pk, "intake", "open")
    assert resource["listing_code"] == listing.code and "contact_phone" not in resource
    assert message["data"]["links"]["self"].endswith(f"/api/v1/tasks/{task.pk}/")


def test_what_the_organisation_no_longer_sees_when_sent_is_left_out(receiver, coordinator):
    """A partner hears of a listing at the partners stage; the partnership ends before the
    message goes: the event's ids go, the listing itself does not."""
    from kierratys.accounts.partnerships import Partnership

    endpoint = register(coordinator, receiver, events=["listing.published", "listing.changed"])
    elsewhere = other_organisation(2)
    owner = member_of(elsewhere)
    running_partnership(coordinator.unit.department.organisation, elsewhere)
    listing = ListingFactory(owner_unit=owner.unit)
    listing_services.listing_audience_set(
        actor=owner, listing_id=listing.pk, audience=Listing.Audience.PARTNERS, hold=False
    )
    assert Delivery.objects.filter(endpoint=endpoint).exists()
    Partnership.objects.update(ended_at=timezone.now())
    messages = _sent(receiver, endpoint)
    assert messages and all(m["data"]["id"] == listing.pk for m in messages)
    assert all(m["data"]["resource"] is None for m in messages)
    assert listing.title not in json.dumps(messages)
    assert all(set(m["data"]["links"]) == {"self"} for m in messages)


def test_a_partner_sees_the_listing_while_it_is_shown_to_it(receiver, coordinator):
    endpoint = register(coordinator, receiver, events=["listing.published", "listing.changed"])
    elsewhere = other_organisation(2)
    owner = member_of(elsewhere)
    running_partnership(coordinator.unit.department.organisation, elsewhere)
    listing = ListingFactory(owner_unit=owner.unit)
    listing_services.listing_audience_set(
        actor=owner, listing_id=listing.pk, audience=Listing.Audience.PARTNERS, hold=False
    )
    messages = _sent(receiver, endpoint)
    assert messages and all(m["data"]["resource"]["title"] == listing.title for m in messages)


def test_a_retry_sends_the_same_message_although_the_resource_changed(
    receiver, coordinator, settings
):
    from reservations import services as reservation_services

    settings.WEBHOOK_RETRY_SECONDS = [3600]
    register(coordinator, receiver)
    receiver.statuses = [500, 204]
    reservation = reserve(ListingFactory(), quantity=2)
    assert delivery.deliveries_send_due() == 1  # failed: tried again in an hour
    first = Delivery.objects.get()
    assert first.payload["data"]["resource"]["status"] == "active"  # stored as sent
    reservation_services.reservation_cancel(
        actor=reservation.requested_by, reservation_id=reservation.pk, reason=""
    )
    Delivery.objects.filter(pk=first.pk).update(next_attempt_at=timezone.now())
    assert delivery.deliveries_send_due() == 2  # the retry, and the cancellation's own
    by_id: dict[str, list[bytes]] = {}
    for headers, body in receiver.received:
        by_id.setdefault(headers["webhook-id"], []).append(body)
    tried = by_id.pop(f"msg_{first.message_id.hex}")
    assert len(tried) == 2 and tried[0] == tried[1]  # the same bytes both times
    assert json.loads(tried[0])["data"]["resource"]["status"] == "active"
    ((cancelled,),) = by_id.values()
    assert json.loads(cancelled)["data"]["resource"]["status"] == "cancelled"


def test_the_resource_is_read_once_for_all_the_endpoints_that_hear_of_it(
    receiver, coordinator, django_assert_max_num_queries
):
    from kierratys.webhooks import payloads

    for n in range(5):
        services.endpoint_create(
            actor=coordinator, url=f"{receiver.url}/{n}", event_types=["reservation.changed"]
        )
    reserve(ListingFactory())
    rows = list(Delivery.objects.select_related("endpoint"))
    assert len(rows) == 5
    with django_assert_max_num_queries(4):
        payloads.completed(rows)
    assert len({json.dumps(row.payload, sort_keys=True) for row in rows}) == 1


def test_reservations_made_on_behalf_are_read_in_the_same_one_query(
    receiver, coordinator, django_assert_max_num_queries
):
    """The maker's name comes with the reservation: however many, one query for them all."""
    from kierratys.webhooks import payloads

    register(coordinator, receiver)
    organisation = coordinator.unit.department.organisation
    for _ in range(5):
        reserve(ListingFactory(), user=coordinator, for_unit_id=member_of(organisation).unit.pk)
    rows = list(Delivery.objects.select_related("endpoint"))
    assert len(rows) == 5
    with django_assert_max_num_queries(4):  # as for one reservation: not one more per maker
        payloads.completed(rows)
    assert all(row.payload["data"]["resource"]["requested_by"] for row in rows)


def test_every_kind_of_message_matches_its_component_in_the_openapi_document(
    receiver, coordinator, client
):
    from openapi_schema_validator import OAS30Validator

    from inventory import services as inventory_services
    from tests.factories.inventory import WarehouseFactory

    document = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    organisation = coordinator.unit.department.organisation
    WarehouseFactory(organisation=organisation)
    endpoint = register(
        coordinator, receiver, events=["listing.changed", "reservation.changed", "task.changed"]
    )
    owner = member_of(organisation)
    listing = ListingFactory(owner_unit=owner.unit)
    reserve(listing)
    inventory_services.intake_request(actor=owner, listing_id=listing.pk)
    # A reservation gone before it is sent (or never there): a null resource matches too.
    outbox_add(
        groups=[f"organisation-{organisation.pk}"],
        event="reservation.changed",
        data={"id": 2**31 - 1, "listing": listing.pk, "status": "cancelled", "quantity": 1},
    )
    messages = _sent(receiver, endpoint)
    component = {"listing": "Listing", "reservation": "Reservation", "task": "Task"}
    seen = set()
    for message in messages:
        name = component[message["type"].split(".")[0]]
        schema = {
            "$ref": f"#/components/schemas/Webhook{name}Message",
            "components": document["components"],
        }
        OAS30Validator(schema).validate(message)
        seen.add((name, message["data"]["resource"] is None))
    assert {("Listing", False), ("Reservation", False), ("Task", False)} <= seen
    assert ("Reservation", True) in seen
