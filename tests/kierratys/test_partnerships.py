"""Partnerships between organisations (issue 17): a coordinator proposes, the other side's
coordinator accepts, either side ends it; regions make their members partners. An ended
partnership hides the partner's items at once, while reservations already made stay."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone, translation

from kierratys import live
from kierratys.accounts import partnership_services as services
from kierratys.accounts.models import Notice
from kierratys.accounts.partnerships import Partnership, Region, RegionMembership
from kierratys.accounts.roles import COORDINATOR
from kierratys.accounts.selectors import partner_ids_of
from kierratys.common.errors import Conflict, NotFound, ServiceError
from kierratys.common.submissions import new_token
from listings.models import Listing

from ..conftest import needs_postgres
from ..factories import (
    DepartmentFactory,
    ListingFactory,
    OrganisationFactory,
    UnitFactory,
    member_of,
    other_organisation,
    reserve,
)
from ..support.threads import race

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
Code = services.PartnershipError


@pytest.fixture
def turku():
    return OrganisationFactory()


@pytest.fixture
def raisio():
    return other_organisation(2, name="Raisio")


@pytest.fixture
def turku_coordinator(turku):
    return member_of(turku, [COORDINATOR], full_name="Tuula Turku")


@pytest.fixture
def raisio_coordinator(raisio):
    return member_of(raisio, [COORDINATOR], full_name="Risto Raisio")


@pytest.fixture
def regrouped(monkeypatch):
    """The organisations whose sockets were told to reconnect."""
    calls = []
    monkeypatch.setattr(live, "regroup_organisation", calls.append)
    return calls


def today():
    return timezone.localdate()


def propose(actor, partner, **dates):
    dates.setdefault("starts_on", today())
    return services.partnership_propose(actor=actor, partner_id=partner.pk, **dates)


def running(proposer_coordinator, partner, partner_coordinator):
    partnership = propose(proposer_coordinator, partner)
    return services.partnership_accept(actor=partner_coordinator, partnership_id=partnership.pk)


def refusal(error) -> tuple[str, str]:
    """The one message and its code, whether under a field or above the form."""
    value = error.value
    if hasattr(value, "error_dict"):
        errors = [e for group in value.error_dict.values() for e in group]
    else:
        errors = value.error_list
    assert len(errors) == 1
    return errors[0].messages[0], errors[0].code


def post(client, url, data=None):
    return client.post(url, {**(data or {}), "submission": new_token()}, **EN)


# --- propose, accept, end -----------------------------------------------------------------


def test_a_proposal_binds_once_the_other_side_accepts_and_ends_when_either_ends_it(
    turku, raisio, turku_coordinator, raisio_coordinator, regrouped
):
    partnership = propose(turku_coordinator, raisio)
    assert partnership.accepted_at is None
    assert list(partner_ids_of(turku.pk)) == []
    # The other side's coordinators are told.
    notice = Notice.objects.get(user=raisio_coordinator)
    assert notice.params["event"] == "proposed"
    assert notice.params["organisation"] == "Turku"
    assert notice.url == reverse("partnerships:list")

    services.partnership_accept(actor=raisio_coordinator, partnership_id=partnership.pk)
    assert list(partner_ids_of(turku.pk)) == [raisio.pk]
    assert list(partner_ids_of(raisio.pk)) == [turku.pk]
    assert Notice.objects.get(user=turku_coordinator).params["event"] == "accepted"
    assert sorted(regrouped) == sorted([turku.pk, raisio.pk])

    ended = services.partnership_end(
        actor=raisio_coordinator, partnership_id=partnership.pk, reason="Sopimus päättyi"
    )
    assert ended.ended_by == raisio_coordinator and ended.ended_at is not None
    assert list(partner_ids_of(turku.pk)) == []
    ended_notice = Notice.objects.filter(user=turku_coordinator, params__event="ended").get()
    assert ended_notice.params["reason"] == "Sopimus päättyi"
    assert sorted(regrouped) == sorted([turku.pk, raisio.pk] * 2)


def test_declining_a_proposal_ends_it_before_acceptance_and_a_new_one_can_follow(
    turku, raisio, turku_coordinator, raisio_coordinator
):
    partnership = propose(turku_coordinator, raisio)
    services.partnership_end(actor=raisio_coordinator, partnership_id=partnership.pk)
    assert Notice.objects.get(user=turku_coordinator).params["event"] == "declined"
    assert list(partner_ids_of(turku.pk)) == []
    again = propose(raisio_coordinator, turku)  # the pair has no open agreement now
    assert again.pk != partnership.pk


def test_an_agreement_with_dates_binds_only_between_them(
    turku, raisio, turku_coordinator, raisio_coordinator
):
    starts = today() + timedelta(days=3)
    partnership = propose(
        turku_coordinator, raisio, starts_on=starts, ends_on=starts + timedelta(days=10)
    )
    services.partnership_accept(actor=raisio_coordinator, partnership_id=partnership.pk)
    assert list(partner_ids_of(turku.pk)) == []
    assert list(partner_ids_of(turku.pk, starts)) == [raisio.pk]
    assert list(partner_ids_of(turku.pk, starts + timedelta(days=11))) == []


# --- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dates", "message", "code"),
    [
        (
            {"starts_on": -1},
            "The start date cannot be in the past.",
            Code.START_PAST,
        ),
        (
            {"starts_on": 5, "ends_on": 4},
            "The end date cannot be before the start date.",
            Code.DATES_ORDER,
        ),
    ],
)
def test_dates_out_of_order_or_in_the_past_are_refused(
    raisio, turku_coordinator, dates, message, code
):
    days = {name: today() + timedelta(days=n) for name, n in dates.items()}
    with translation.override("en"), pytest.raises(ServiceError) as error:
        propose(turku_coordinator, raisio, **days)
    assert refusal(error) == (message, code)
    assert not Partnership.objects.exists()


def test_an_organisation_cannot_partner_with_itself(turku, turku_coordinator):
    with translation.override("en"), pytest.raises(ServiceError) as error:
        propose(turku_coordinator, turku)
    assert refusal(error) == ("Your organisation cannot be its own partner.", Code.ITSELF)


def test_an_organisation_that_no_longer_uses_the_service_is_refused(turku_coordinator):
    gone = other_organisation(3, is_active=False)
    with translation.override("en"), pytest.raises(ServiceError) as error:
        propose(turku_coordinator, gone)
    assert refusal(error) == (
        "Choose an organisation that uses the service.",
        Code.PARTNER_INACTIVE,
    )


def test_a_second_open_agreement_for_the_pair_is_refused_by_name(
    turku, raisio, turku_coordinator, raisio_coordinator
):
    partnership = propose(turku_coordinator, raisio)
    with translation.override("en"):
        with pytest.raises(Conflict) as mine:
            propose(turku_coordinator, raisio)
        with pytest.raises(Conflict) as theirs:
            propose(raisio_coordinator, turku)
        services.partnership_accept(actor=raisio_coordinator, partnership_id=partnership.pk)
        with pytest.raises(Conflict) as running_one:
            propose(raisio_coordinator, turku)
    assert refusal(mine) == (
        "You have already proposed a partnership to Raisio. It is waiting for their "
        "coordinator to accept it.",
        Code.OPEN_EXISTS,
    )
    assert refusal(theirs) == (
        "Turku has already proposed a partnership to you. Accept or decline it on this page.",
        Code.OPEN_EXISTS,
    )
    assert refusal(running_one) == (
        "You already have a partnership with Turku. End it first to make a new agreement.",
        Code.OPEN_EXISTS,
    )
    assert Partnership.objects.count() == 1


def test_the_database_keeps_one_open_agreement_per_pair_whichever_side_proposed(
    turku, raisio, turku_coordinator, raisio_coordinator, monkeypatch
):
    propose(turku_coordinator, raisio)
    # As if the other side's proposal had passed its check at the same moment.
    monkeypatch.setattr(services, "_open_between", lambda *ids: Partnership.objects.none())
    with translation.override("en"), pytest.raises(Conflict) as error:
        propose(raisio_coordinator, turku)
    assert refusal(error) == (
        "There is already an agreement with this organisation.",
        Code.OPEN_EXISTS,
    )
    assert Partnership.objects.count() == 1


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_coordinators_proposing_to_each_other_at_once_make_one_proposal():
    turku, raisio = OrganisationFactory(), other_organisation(2, name="Raisio")
    sides = [(member_of(turku, [COORDINATOR]), raisio), (member_of(raisio, [COORDINATOR]), turku)]

    def proposing(actor, partner):
        def run():
            with translation.override("en"):
                return propose(actor, partner)

        return run

    made, errors = race([proposing(*side) for side in sides * 3])
    assert len(made) == 1 and len(errors) == 5
    assert all(isinstance(e, Conflict) for e in errors)
    assert Partnership.objects.count() == 1


def test_an_agreement_past_its_end_date_makes_room_for_a_new_one(
    turku, raisio, turku_coordinator, raisio_coordinator
):
    old = running(turku_coordinator, raisio, raisio_coordinator)
    Partnership.objects.filter(pk=old.pk).update(
        starts_on=today() - timedelta(days=30), ends_on=today() - timedelta(days=1)
    )
    new = propose(raisio_coordinator, turku)
    old.refresh_from_db()
    assert old.ended_at is not None and old.ended_by is None
    assert new.ended_at is None


def test_only_the_other_side_accepts_and_only_once(
    turku, raisio, turku_coordinator, raisio_coordinator
):
    partnership = propose(turku_coordinator, raisio)
    with translation.override("en"):
        with pytest.raises(ServiceError) as own:
            services.partnership_accept(actor=turku_coordinator, partnership_id=partnership.pk)
        services.partnership_accept(actor=raisio_coordinator, partnership_id=partnership.pk)
        with pytest.raises(Conflict) as twice:
            services.partnership_accept(actor=raisio_coordinator, partnership_id=partnership.pk)
    assert refusal(own) == (
        "Your organisation proposed this partnership: the other side accepts it.",
        Code.OWN_PROPOSAL,
    )
    assert refusal(twice) == ("This partnership is already accepted.", Code.ACCEPTED)


def test_an_ended_proposal_cannot_be_accepted_or_ended_again(
    turku, raisio, turku_coordinator, raisio_coordinator
):
    partnership = propose(turku_coordinator, raisio)
    services.partnership_end(actor=turku_coordinator, partnership_id=partnership.pk)
    with translation.override("en"):
        with pytest.raises(Conflict) as accepting:
            services.partnership_accept(actor=raisio_coordinator, partnership_id=partnership.pk)
        with pytest.raises(Conflict) as ending:
            services.partnership_end(actor=raisio_coordinator, partnership_id=partnership.pk)
    assert refusal(accepting) == (
        "This proposal has ended: it can no longer be accepted.",
        Code.ENDED,
    )
    assert refusal(ending) == ("This partnership has already ended.", Code.ENDED)
    assert Notice.objects.get(user=raisio_coordinator, params__event="withdrawn")


def test_a_proposal_past_its_end_date_cannot_be_accepted(
    raisio, turku_coordinator, raisio_coordinator
):
    partnership = propose(turku_coordinator, raisio, ends_on=today() + timedelta(days=1))
    Partnership.objects.filter(pk=partnership.pk).update(
        starts_on=today() - timedelta(days=5), ends_on=today() - timedelta(days=1)
    )
    with translation.override("en"), pytest.raises(Conflict) as error:
        services.partnership_accept(actor=raisio_coordinator, partnership_id=partnership.pk)
    assert refusal(error) == (
        "This proposal's end date has passed. Propose a new partnership instead.",
        Code.LAPSED,
    )


def test_only_coordinators_propose_accept_or_end(raisio, turku, turku_coordinator):
    staff = member_of(raisio)
    with pytest.raises(PermissionDenied):
        propose(staff, turku)
    partnership = propose(turku_coordinator, raisio)
    with pytest.raises(PermissionDenied):
        services.partnership_accept(actor=staff, partnership_id=partnership.pk)
    with pytest.raises(PermissionDenied):
        services.partnership_end(actor=staff, partnership_id=partnership.pk)
    assert Partnership.objects.get().accepted_at is None


def test_another_organisations_partnership_is_not_found(
    turku, raisio, turku_coordinator, raisio_coordinator
):
    partnership = propose(turku_coordinator, raisio)
    outsider = member_of(other_organisation(4), [COORDINATOR])
    with pytest.raises(NotFound):
        services.partnership_accept(actor=outsider, partnership_id=partnership.pk)
    with pytest.raises(NotFound):
        services.partnership_end(actor=outsider, partnership_id=partnership.pk)


# --- regions ----------------------------------------------------------------------------------


def test_the_members_of_a_region_are_each_others_partners_while_they_belong(turku, raisio):
    kaarina = other_organisation(5, name="Kaarina")
    outside = other_organisation(6, name="Salo")
    region = Region.objects.create(name="Turun seutu", slug="turun-seutu")
    for organisation in (turku, raisio):
        RegionMembership.objects.create(region=region, organisation=organisation, joined_on=today())
    RegionMembership.objects.create(
        region=region,
        organisation=kaarina,
        joined_on=today() - timedelta(days=30),
        left_on=today() - timedelta(days=1),
    )
    assert sorted(partner_ids_of(turku.pk)) == [raisio.pk]
    assert outside.pk not in partner_ids_of(turku.pk)
    assert list(partner_ids_of(kaarina.pk)) == []


def test_the_partners_page_names_regions_and_their_members(
    client, turku, raisio, turku_coordinator
):
    region = Region.objects.create(name="Turun seutu", name_en="Turku region", slug="turku")
    for organisation in (turku, raisio):
        RegionMembership.objects.create(region=region, organisation=organisation, joined_on=today())
    client.force_login(turku_coordinator)
    response = client.get(reverse("partnerships:list"), **EN)
    assert response.status_code == 200
    assert "Turku region" in response.text
    assert "Region: Turku region" in response.text  # how Raisio is a partner
    assert "Raisio" in response.text


# --- an ended partnership: items go, reservations stay ------------------------------------------


def test_an_ended_partnership_hides_the_partners_items_but_keeps_reservations(
    client, turku, raisio, turku_coordinator, raisio_coordinator, django_capture_on_commit_callbacks
):
    partnership = running(turku_coordinator, raisio, raisio_coordinator)
    turku_unit = UnitFactory(department=DepartmentFactory(organisation=turku))
    shared = ListingFactory(
        owner_unit=turku_unit, audience=Listing.Audience.PARTNERS, title="Kirjahylly, tammi"
    )
    kept = ListingFactory(
        owner_unit=turku_unit, audience=Listing.Audience.PARTNERS, title="Sohva, harmaa"
    )
    raisio_staff = member_of(raisio)
    reservation = reserve(kept, user=raisio_staff)
    client.force_login(raisio_staff)
    catalogue = client.get(reverse("listings:catalogue"), **EN)
    assert "Kirjahylly, tammi" in catalogue.text

    with django_capture_on_commit_callbacks(execute=True):  # the catalogue's cache forgets
        services.partnership_end(actor=turku_coordinator, partnership_id=partnership.pk)

    assert turku.pk not in partner_ids_of(raisio.pk)
    catalogue = client.get(reverse("listings:catalogue"), **EN)
    assert "Kirjahylly, tammi" not in catalogue.text
    assert client.get(reverse("listings:detail", args=[shared.pk]), **EN).status_code == 404
    reservations = client.get(reverse("reservations:list"), **EN)
    assert "Sohva, harmaa" in reservations.text
    detail = client.get(reverse("reservations:detail", args=[reservation.pk]), **EN)
    assert detail.status_code == 200
    assert "Sohva, harmaa" in detail.text


# --- the coordinator's page -------------------------------------------------------------------


def test_a_coordinator_proposes_on_the_page_and_the_other_side_accepts_there(
    client, turku, raisio, turku_coordinator, raisio_coordinator
):
    client.force_login(turku_coordinator)
    page = client.get(reverse("partnerships:list"), **EN)
    assert page.status_code == 200
    assert "No partners yet." in page.text
    response = post(
        client,
        reverse("partnerships:list"),
        {"partner": raisio.pk, "starts_on": today().isoformat(), "ends_on": ""},
    )
    assert response.status_code == 302
    page = client.get(response.url, **EN)
    assert "Partnership proposed to Raisio." in page.text
    assert "Waiting for acceptance" in page.text
    partnership = Partnership.objects.get()

    client.force_login(raisio_coordinator)
    page = client.get(reverse("partnerships:list"), **EN)
    assert "Proposals to you" in page.text and "Turku" in page.text
    response = post(client, reverse("partnerships:accept", args=[partnership.pk]))
    assert response.status_code == 302
    page = client.get(reverse("partnerships:list"), **EN)
    assert "Partnership with Turku accepted." in page.text
    assert "Your partners today" in page.text and "Running" in page.text

    confirm = client.get(reverse("partnerships:end", args=[partnership.pk]), **EN)
    assert "End the partnership with Turku?" in confirm.text
    response = post(
        client, reverse("partnerships:end", args=[partnership.pk]), {"reason": "Loppui"}
    )
    assert response.status_code == 302
    page = client.get(reverse("partnerships:list"), **EN)
    assert "The partnership with Turku has ended." in page.text
    assert "Ended by Risto Raisio" in page.text


def test_bad_input_on_the_page_is_answered_with_the_message_and_nothing_saved(
    client, raisio, turku_coordinator
):
    client.force_login(turku_coordinator)
    yesterday = (today() - timedelta(days=1)).isoformat()
    response = post(
        client, reverse("partnerships:list"), {"partner": raisio.pk, "starts_on": yesterday}
    )
    assert response.status_code == 400
    assert "The start date cannot be in the past." in response.text
    assert not Partnership.objects.exists()


def test_the_partner_is_chosen_among_the_other_active_organisations(
    client, turku, raisio, turku_coordinator
):
    other_organisation(7, name="Lakkautettu", is_active=False)
    client.force_login(turku_coordinator)
    form = client.get(reverse("partnerships:list"), **EN).context["form"]
    names = [o.name for o in form.fields["partner"].queryset]
    assert names == ["Raisio"]


def test_people_who_are_not_coordinators_get_the_forbidden_page(client, raisio):
    client.force_login(member_of(raisio))
    assert client.get(reverse("partnerships:list"), **EN).status_code == 403
    partnership_url = reverse("partnerships:end", args=[1])
    assert client.get(partnership_url, **EN).status_code == 403


def test_another_organisations_partnership_is_a_404_on_the_pages(client, raisio, turku_coordinator):
    partnership = propose(turku_coordinator, raisio)
    client.force_login(member_of(other_organisation(8), [COORDINATOR]))
    assert client.get(reverse("partnerships:end", args=[partnership.pk]), **EN).status_code == 404
    accept = post(client, reverse("partnerships:accept", args=[partnership.pk]))
    assert accept.status_code == 404
    assert Partnership.objects.get().accepted_at is None


def test_a_refused_accept_on_the_page_says_why(client, raisio, turku_coordinator):
    partnership = propose(turku_coordinator, raisio)
    client.force_login(turku_coordinator)
    response = post(client, reverse("partnerships:accept", args=[partnership.pk]))
    page = client.get(response.url, **EN)
    assert "the other side accepts it." in page.text
    assert Partnership.objects.get().accepted_at is None


def test_coordinators_find_the_page_among_their_tools(client, turku_coordinator):
    client.force_login(turku_coordinator)
    page = client.get(reverse("organisation_hub"), **EN)
    assert reverse("partnerships:list") in page.text


# --- the admin --------------------------------------------------------------------------------


def test_the_service_administrators_keep_regions_in_the_admin(client, turku, raisio, regrouped):
    admin = member_of(turku, [COORDINATOR], is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(
        reverse("admin:kierratys_region_add"),
        {
            "name": "Turun seutu",
            "name_sv": "Åboregionen",
            "name_en": "Turku region",
            "slug": "turun-seutu",
            "memberships-TOTAL_FORMS": 2,
            "memberships-INITIAL_FORMS": 0,
            "memberships-0-organisation": turku.pk,
            "memberships-0-joined_on": today().isoformat(),
            "memberships-1-organisation": raisio.pk,
            "memberships-1-joined_on": today().isoformat(),
        },
        **EN,
    )
    assert response.status_code == 302, response.text
    assert list(partner_ids_of(turku.pk)) == [raisio.pk]
    assert sorted(regrouped) == sorted([turku.pk, raisio.pk])


def test_a_leaving_date_before_joining_is_refused_in_words(client, turku):
    admin = member_of(turku, [COORDINATOR], is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(
        reverse("admin:kierratys_region_add"),
        {
            "name": "Turun seutu",
            "slug": "turun-seutu",
            "memberships-TOTAL_FORMS": 1,
            "memberships-INITIAL_FORMS": 0,
            "memberships-0-organisation": turku.pk,
            "memberships-0-joined_on": today().isoformat(),
            "memberships-0-left_on": (today() - timedelta(days=1)).isoformat(),
        },
        **EN,
    )
    assert response.status_code == 200
    assert "The leaving date cannot be before the joining date." in response.text
    assert not Region.objects.exists()


def test_coordinators_do_not_keep_regions(client, turku_coordinator):
    turku_coordinator.is_staff = True
    turku_coordinator.save()
    client.force_login(turku_coordinator)
    assert client.get(reverse("admin:kierratys_region_changelist")).status_code == 403


def test_the_notice_names_the_other_organisation_and_the_reason(
    turku, raisio, turku_coordinator, raisio_coordinator
):
    from django.template.loader import render_to_string

    partnership = running(turku_coordinator, raisio, raisio_coordinator)
    services.partnership_end(
        actor=raisio_coordinator, partnership_id=partnership.pk, reason="Hanke päättyi"
    )
    notice = Notice.objects.get(user=turku_coordinator, params__event="ended")
    with translation.override("en"):
        text = render_to_string("partnerships/_notice.html", {"notice": notice})
    assert "Raisio ended the partnership." in text
    assert "Hanke päättyi" in text
    assert reverse("partnerships:list") in text


def test_the_administrators_look_at_partnerships_without_changing_them(
    client, turku, raisio, turku_coordinator, raisio_coordinator
):
    partnership = running(turku_coordinator, raisio, raisio_coordinator)
    client.force_login(member_of(turku, [COORDINATOR], is_staff=True, is_superuser=True))
    listing = client.get(reverse("admin:kierratys_partnership_changelist"), **EN)
    assert listing.status_code == 200 and "Raisio" in listing.text
    page = client.get(reverse("admin:kierratys_partnership_change", args=[partnership.pk]), **EN)
    assert page.status_code == 200 and 'name="_save"' not in page.text
    assert client.get(reverse("admin:kierratys_partnership_add")).status_code == 403
