"""Wanted requests (issue 20, item 2): a unit posts what it needs, others answer with a
listing, the poster hears of matching listings, requests expire or close as fulfilled."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from kierratys.accounts.models import Notice
from kierratys.accounts.roles import COORDINATOR
from kierratys.common.errors import Conflict, NotFound, ServiceError
from kierratys.common.submissions import new_token
from listings import services as listing_services
from listings.models import Listing
from listings.wanted import services
from listings.wanted.errors import WantedError
from listings.wanted.models import WantedAnswer, WantedRequest

from ..factories import (
    CategoryFactory,
    DepartmentFactory,
    ListingFactory,
    OrganisationFactory,
    UnitFactory,
    UserFactory,
    member_of,
    other_organisation,
    running_partnership,
)

pytestmark = pytest.mark.django_db

Audience = Listing.Audience


@pytest.fixture
def chairs():
    return CategoryFactory(name_en="Chairs", name_fi="Tuolit", name_sv="Stolar")


@pytest.fixture
def asker(client):
    """Staff of unit A, signed in."""
    user = UserFactory(language="en", email="asker@demo.example")
    client.force_login(user)
    return user


def post(user, **fields):
    return services.wanted_post(
        actor=user,
        unit=user.unit,
        fields={
            "category": fields.pop("category", None),
            "quantity": fields.pop("quantity", 2),
            "details": fields.pop("details", ""),
            "needed_by": fields.pop("needed_by", None),
            "audience": fields.pop("audience", Audience.ORGANISATION),
        },
    )


def form_data(**fields):
    return {
        "category": "",
        "quantity": "2",
        "details": "",
        "needed_by": "",
        "audience": "organisation",
        "submission": new_token(),
        **fields,
    }


def colleague_in_another_department(user, **fields):
    department = DepartmentFactory(organisation=user.unit.department.organisation)
    return UserFactory(unit=UnitFactory(department=department), language="en", **fields)


# --- posting and bad input ------------------------------------------------------------------


def test_posting_a_request_shows_it_to_the_organisation(client, asker, chairs):
    needed_by = timezone.localdate() + timedelta(days=10)
    response = client.post(
        reverse("wanted:new"),
        form_data(category=chairs.pk, details="Stackable, 45 cm seat", needed_by=needed_by),
    )
    assert response.status_code == 302
    wanted = WantedRequest.objects.get()
    assert (wanted.unit, wanted.poster, wanted.category) == (asker.unit, asker, chairs)
    assert wanted.organisation == asker.unit.department.organisation
    assert wanted.status == WantedRequest.Status.OPEN
    assert timezone.localtime(wanted.expires_at).date() == needed_by + timedelta(days=1)

    other = colleague_in_another_department(asker)
    client.force_login(other)
    page = client.get(reverse("wanted:list"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Stackable, 45 cm seat" in page.text
    detail = client.get(reverse("wanted:detail", args=[wanted.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "I have this" in detail.text


def test_a_request_without_needed_by_stays_open_sixty_days(asker, chairs):
    wanted = post(asker, category=chairs)
    assert wanted.expires_at - timezone.now() > timedelta(days=59)


def test_no_category_and_no_text_is_refused_with_a_message(client, asker):
    response = client.post(
        reverse("wanted:new"), form_data(details="   "), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "Choose a category or describe what you need." in response.text
    assert not WantedRequest.objects.exists()
    with pytest.raises(ServiceError) as refused:
        post(asker)
    assert refused.value.error_dict["category"][0].code == WantedError.EMPTY


def test_text_alone_is_enough(asker):
    wanted = post(asker, details="A tall bookshelf for the library corner")
    assert wanted.category is None
    assert wanted.summary == "A tall bookshelf for the library corner"


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"quantity": "0"}, "quantity", "Enter a value of at least 1."),
        ({"quantity": "1000"}, "quantity", "Enter a value of at most 999."),
        ({"needed_by": "2020-01-01"}, "needed_by", "The date has passed."),
        ({"details": "x" * 1001}, "details", "at most 1000 characters"),
        ({"audience": "ended"}, "audience", "Select a valid choice."),
        ({"category": "999999"}, "category", "Choose a category from the list."),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(client, asker, chairs, fields, field, message):
    data = form_data(category=chairs.pk)
    data.update(fields)
    response = client.post(reverse("wanted:new"), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not WantedRequest.objects.exists()


def test_the_service_refuses_what_the_form_would(asker, chairs):
    today = timezone.localdate()
    for fields in (
        {"quantity": 0},
        {"needed_by": today - timedelta(days=1)},
        {"details": "x" * 1001},
        {"audience": Audience.ENDED},
    ):
        with pytest.raises(ServiceError):
            post(asker, category=chairs, **fields)
    assert not WantedRequest.objects.exists()


def test_the_database_refuses_a_request_with_no_category_and_no_text(asker):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        WantedRequest.objects.create(
            organisation=asker.unit.department.organisation,
            department=asker.unit.department,
            unit=asker.unit,
            poster=asker,
            expires_at=timezone.now(),
        )


# --- who sees it ----------------------------------------------------------------------------


def test_another_organisations_request_is_404(client, asker, chairs):
    theirs = post(member_of(other_organisation()), category=chairs, details="Theirs")
    assert client.get(reverse("wanted:detail", args=[theirs.pk])).status_code == 404
    token = {"submission": new_token()}
    assert client.post(reverse("wanted:answer", args=[theirs.pk]), token).status_code == 404
    assert client.post(reverse("wanted:close", args=[theirs.pk])).status_code == 404
    assert "Theirs" not in client.get(reverse("wanted:list")).text
    with pytest.raises(NotFound):
        services.wanted_answer(actor=asker, request_id=theirs.pk)
    assert not Listing.objects.exists()


def test_stages_decide_as_for_listings(client, asker, chairs):
    own_department = post(asker, category=chairs, details="Department only",
                          audience=Audience.DEPARTMENT)  # fmt: skip
    partners = post(asker, category=chairs, details="For partners", audience=Audience.PARTNERS)
    same_department = UserFactory(unit=UnitFactory(department=asker.unit.department))
    elsewhere = colleague_in_another_department(asker)
    partner = member_of(other_organisation())
    stranger = member_of(other_organisation(2))
    running_partnership(asker.unit.department.organisation, partner.unit.department.organisation)

    def sees(user, wanted):
        client.force_login(user)
        return client.get(reverse("wanted:detail", args=[wanted.pk])).status_code == 200

    assert sees(same_department, own_department) and not sees(elsewhere, own_department)
    assert sees(elsewhere, partners) and sees(partner, partners)
    assert not sees(stranger, partners)


def test_only_the_requesting_unit_or_its_coordinator_closes_it(client, asker, chairs):
    wanted = post(asker, category=chairs)
    other = colleague_in_another_department(asker)
    client.force_login(other)
    response = client.post(reverse("wanted:close", args=[wanted.pk]), {"outcome": "fulfilled"})
    assert response.status_code == 403
    wanted.refresh_from_db()
    assert wanted.is_open
    coordinator = member_of(roles=[COORDINATOR])
    services.wanted_close(actor=coordinator, request_id=wanted.pk, fulfilled=False)
    wanted.refresh_from_db()
    assert wanted.status == WantedRequest.Status.CLOSED


# --- answering ------------------------------------------------------------------------------


def test_i_have_this_makes_a_prefilled_draft_linked_to_the_request(client, asker, chairs):
    wanted = post(asker, category=chairs, quantity=4, details="Stackable chairs\n45 cm seat")
    giver = colleague_in_another_department(asker)
    client.force_login(giver)
    response = client.post(reverse("wanted:answer", args=[wanted.pk]), {"submission": new_token()})
    assert response.status_code == 302
    listing = Listing.objects.get()
    assert response["Location"] == reverse("listings:edit", args=[listing.pk])
    assert listing.status == Listing.Status.DRAFT
    assert (listing.owner_unit, listing.category, listing.quantity) == (giver.unit, chairs, 4)
    assert listing.title == "Stackable chairs"
    assert "45 cm seat" in listing.description
    assert WantedAnswer.objects.get().request == wanted
    assert listing.wanted_answer.request == wanted
    # The asker sees no draft of someone else's among the answers.
    client.force_login(asker)
    page = client.get(reverse("wanted:detail", args=[wanted.pk]))
    assert page.context["wanted"].shown_answers == []
    assert reverse("listings:detail", args=[listing.pk]) not in page.text


def test_a_text_only_request_asks_the_category_of_the_answer(client, asker, chairs):
    wanted = post(asker, details="Something to sit on")
    giver = colleague_in_another_department(asker)
    client.force_login(giver)
    url = reverse("wanted:answer", args=[wanted.pk])
    refused = client.post(url, {"submission": new_token()}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400
    assert "Choose the category of what you have." in refused.text
    assert not Listing.objects.exists()
    done = client.post(url, {"submission": new_token(), "category": chairs.pk})
    assert done.status_code == 302
    assert Listing.objects.get().category == chairs


def test_own_unit_cannot_answer_and_a_closed_request_cannot_be_answered(client, asker, chairs):
    wanted = post(asker, category=chairs)
    with pytest.raises(Conflict) as own:
        services.wanted_answer(actor=asker, request_id=wanted.pk)
    assert own.value.code == WantedError.OWN_REQUEST
    services.wanted_close(actor=asker, request_id=wanted.pk, fulfilled=True)
    giver = colleague_in_another_department(asker)
    client.force_login(giver)
    response = client.post(
        reverse("wanted:answer", args=[wanted.pk]),
        {"submission": new_token()},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 409
    assert "This request is no longer open." in response.text
    assert not Listing.objects.exists()


def test_publishing_the_answer_tells_the_poster_and_shows_it_to_their_unit(
    asker, chairs, run_tasks
):
    organisation = asker.unit.department.organisation
    organisation.department_days = 7  # listings start at their own department
    organisation.save()
    wanted = post(asker, category=chairs)
    giver = colleague_in_another_department(asker)
    draft = services.wanted_answer(actor=giver, request_id=wanted.pk)
    listing = listing_services.listing_publish(actor=giver, listing_id=draft.pk)
    listing.refresh_from_db()
    # Its department stage would hide it from the asker: it widens to the organisation.
    assert listing.audience == Audience.ORGANISATION
    run_tasks()
    notice = Notice.objects.get(user=asker)
    assert notice.kind == Notice.Kind.WANTED_ANSWER
    assert notice.url == reverse("listings:detail", args=[listing.pk])
    assert [m.to for m in mail.outbox] == [[asker.email]]
    assert listing.title in mail.outbox[0].body


def test_a_partners_answer_widens_to_the_partners_so_the_asker_can_reserve_it(
    asker, chairs, run_tasks
):
    theirs = other_organisation(department_days=7, organisation_days=7, partner_days=7)
    running_partnership(asker.unit.department.organisation, theirs)
    wanted = post(asker, category=chairs, audience=Audience.PARTNERS)
    giver = member_of(theirs)
    draft = services.wanted_answer(actor=giver, request_id=wanted.pk)
    listing_services.listing_publish(actor=giver, listing_id=draft.pk)
    draft.refresh_from_db()
    assert draft.audience == Audience.PARTNERS
    run_tasks()
    assert Notice.objects.get(user=asker).kind == Notice.Kind.WANTED_ANSWER


# --- matching listings ----------------------------------------------------------------------


def publish(user, category, title="Pinottava tuoli"):
    return listing_services.listing_create(
        actor=user,
        unit=user.unit,
        fields={"title": title, "category": category, "condition": "good", "quantity": 3},
        publish=True,
    )


def test_a_matching_published_listing_notifies_the_poster(client, asker, chairs, run_tasks):
    wanted = post(asker, category=chairs)
    giver = colleague_in_another_department(asker)
    publish(giver, chairs, "Pinottava tuoli")
    publish(giver, CategoryFactory(), "Pöytä")  # another category
    run_tasks()
    notice = Notice.objects.get(user=asker)
    assert notice.kind == Notice.Kind.WANTED_MATCH
    assert notice.params["title"] == "Pinottava tuoli"
    assert notice.params["request_id"] == wanted.pk
    page = client.get(reverse("notices"), HTTP_ACCEPT_LANGUAGE="en")
    assert "New item for your wanted request" in page.text


def test_a_subcategory_listing_matches_a_request_for_its_parent(asker, chairs, run_tasks):
    post(asker, category=chairs)
    office_chairs = CategoryFactory(parent=chairs, depth=1)
    publish(colleague_in_another_department(asker), office_chairs)
    run_tasks()
    assert Notice.objects.filter(user=asker, kind=Notice.Kind.WANTED_MATCH).count() == 1


def test_no_notice_for_invisible_own_closed_or_expired(asker, chairs, run_tasks):
    post(asker, category=chairs)
    closed = post(UserFactory(), category=chairs)
    services.wanted_close(actor=closed.poster, request_id=closed.pk, fulfilled=False)
    expired = post(UserFactory(), category=chairs)
    WantedRequest.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    # Another organisation's listing is not visible to the asker.
    publish(member_of(other_organisation()), chairs)
    # The asker's own unit's listing needs no notice.
    publish(UserFactory(unit=asker.unit), chairs)
    # A listing of another department still at its department stage is not visible either.
    organisation = OrganisationFactory()
    organisation.department_days = 7
    organisation.save()
    publish(colleague_in_another_department(asker), chairs)
    run_tasks()
    assert not Notice.objects.exists()


# --- expiry, closing, reports ---------------------------------------------------------------


def test_requests_expire_in_the_periodic_jobs(asker, chairs):
    from kierratys.management.jobs import periodic_jobs_run

    wanted = post(asker, category=chairs, needed_by=timezone.localdate())
    kept = post(asker, category=chairs)
    assert services.wanted_requests_expire() == 0
    done = periodic_jobs_run()
    assert done["wanted requests expired"] == 0
    WantedRequest.objects.filter(pk=wanted.pk).update(expires_at=timezone.now())
    assert periodic_jobs_run()["wanted requests expired"] == 1
    wanted.refresh_from_db()
    kept.refresh_from_db()
    assert wanted.status == WantedRequest.Status.EXPIRED and wanted.closed_at is not None
    assert kept.is_open
    with pytest.raises(Conflict):
        services.wanted_close(actor=asker, request_id=wanted.pk, fulfilled=True)


def test_close_as_fulfilled_through_the_page(client, asker, chairs):
    wanted = post(asker, category=chairs, details="Chairs for the hall")
    response = client.post(
        reverse("wanted:close", args=[wanted.pk]),
        {"outcome": "fulfilled"},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    assert "The request is closed as fulfilled." in response.text
    wanted.refresh_from_db()
    assert wanted.status == WantedRequest.Status.FULFILLED
    assert wanted.closed_by == asker
    again = client.post(reverse("wanted:close", args=[wanted.pk]), {"outcome": "closed"})
    assert again.status_code == 409
    wanted.refresh_from_db()
    assert wanted.status == WantedRequest.Status.FULFILLED
    # No longer listed for others, still on the unit's own list.
    other = colleague_in_another_department(asker)
    client.force_login(other)
    assert "Chairs for the hall" not in client.get(reverse("wanted:list")).text
    client.force_login(asker)
    assert "Chairs for the hall" in client.get(reverse("wanted:list")).text


# --- the catalogue's note -------------------------------------------------------------------


def test_the_catalogue_filtered_by_category_says_how_many_want_it(client, asker, chairs):
    post(UserFactory(), category=chairs)
    post(UserFactory(), category=chairs, audience=Audience.DEPARTMENT)  # not for the asker
    post(asker, category=chairs)  # the asker's own unit's: not counted
    ListingFactory(category=chairs)
    page = client.get(reverse("listings:catalogue") + f"?category={chairs.pk}",
                      HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    assert "1 wanted request asks for this" in page.text
    assert f"{reverse('wanted:list')}?category={chairs.pk}" in page.text
    plain = client.get(reverse("listings:catalogue"), HTTP_ACCEPT_LANGUAGE="en")
    assert "asks for this" not in plain.text
