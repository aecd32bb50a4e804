"""A client generated from the OpenAPI document by a real generator (openapi-python-client)
lists, reserves and cancels against a running server (issue 19, done when): what the
document says is what the API does, typed models and all."""

import importlib
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from reservations.models import Reservation
from tests.factories import ListingFactory

from .conftest import make_token

pytestmark = pytest.mark.django_db(transaction=True)
GENERATOR = Path(sys.executable).parent / "openapi-python-client"


@pytest.fixture
def generated(tmp_path, monkeypatch):
    schema = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(schema), "--lang", "en")
    config = tmp_path / "config.yaml"
    config.write_text("post_hooks: []\npackage_name_override: kierratys_client\n")
    subprocess.run(
        [str(GENERATOR), "generate", "--path", str(schema), "--config", str(config),
         "--output-path", str(tmp_path / "client" / "kierratys_client"), "--meta", "none"],
        check=True,
        capture_output=True,
        timeout=120,
    )  # fmt: skip
    monkeypatch.syspath_prepend(str(tmp_path / "client"))
    for name in [m for m in sys.modules if m.startswith("kierratys_client")]:
        del sys.modules[name]
    return importlib.import_module("kierratys_client")


def test_a_generated_client_lists_reserves_and_cancels(generated, live_server, coordinator, school):
    from kierratys_client.api.listings import listings_list
    from kierratys_client.api.reservations import (
        reservations_cancel,
        reservations_create,
        reservations_list,
    )
    from kierratys_client.models import ReservationCreateRequest

    listing = ListingFactory(title="Sininen työtuoli", quantity=3)
    secret = make_token(coordinator, school).secret
    # Closed at the end, so no kept-alive connection holds a server thread (and its database
    # connection) open after the test.
    with generated.AuthenticatedClient(base_url=live_server.url, token=secret) as client:
        page = listings_list.sync(client=client, q="työtuoli")
        assert [item.id for item in page.results] == [listing.pk]
        assert page.results[0].quantity_available == 3

        made = reservations_create.sync(
            client=client,
            body=ReservationCreateRequest(
                listing=listing.pk,
                quantity=2,
                contact_name="Anna Virtanen",
                contact_phone="040 123 4567",
                seen_available=3,
            ),
        )
        assert made.quantity == 2 and made.status.value == "active"
        assert [r.id for r in reservations_list.sync(client=client).results] == [made.id]

        cancelled = reservations_cancel.sync(made.id, client=client)
        assert cancelled.status.value == "cancelled"
        assert Reservation.objects.get(pk=made.id).status == Reservation.Status.CANCELLED
        listing.refresh_from_db()
        assert listing.quantity_available == 3

        # An error comes back as the document's problem model, not an exception or a dict.
        again = reservations_cancel.sync(made.id, client=client)
        assert type(again).__name__ == "Problem" and again.status == 409
