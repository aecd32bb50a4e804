"""The catalogue's department and unit choices name only the organisations whose listings
the viewer can see: their own and its partners (issue 17)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kierratys.accounts.partnerships import Partnership
from listings import audience, choices

from ..factories import (
    DepartmentFactory,
    OrganisationFactory,
    UnitFactory,
    UserFactory,
    other_organisation,
)

pytestmark = pytest.mark.django_db


def test_choices_are_the_viewers_organisations_and_partners(client):
    turku, partner, stranger = OrganisationFactory(), other_organisation(1), other_organisation(2)
    own = UnitFactory(name="Oma koulu", department=DepartmentFactory(organisation=turku))
    theirs = UnitFactory(
        name="Kumppanin koulu", department=DepartmentFactory(organisation=partner, name="K-ala")
    )
    UnitFactory(name="Vieras koulu", department=DepartmentFactory(organisation=stranger))
    viewer = UserFactory(unit=own)
    client.force_login(viewer)
    page = client.get(reverse("listings:catalogue")).text
    assert "Oma koulu" in page
    assert "Kumppanin koulu" not in page and "Vieras koulu" not in page

    Partnership.objects.create(
        proposer=turku,
        partner=partner,
        starts_on=timezone.localdate() - timedelta(days=1),
        proposed_by=UserFactory(),
        proposed_at=timezone.now(),
        accepted_by=UserFactory(unit=theirs),
        accepted_at=timezone.now(),
    )
    choices.forget()  # the partnership's services drop the cached lists (or they expire)
    page = client.get(reverse("listings:catalogue")).text
    assert "Oma koulu" in page and "Kumppanin koulu" in page and "K-ala" in page
    assert "Vieras koulu" not in page
    # The partner sees ours, the stranger only its own; one cache serves all three.
    seen_by_partner = dict(choices.units(audience.viewer_for_unit(theirs)))
    assert own.pk in seen_by_partner and theirs.pk in seen_by_partner
    stranger_viewer = audience.Viewer(None, stranger.pk)
    assert "Oma koulu" not in dict(choices.units(stranger_viewer)).values()


def test_a_filter_by_an_unseen_unit_is_dropped_with_a_note(client):
    OrganisationFactory()
    stranger = UnitFactory(department=DepartmentFactory(organisation=other_organisation(2)))
    client.force_login(UserFactory())
    response = client.get(reverse("listings:catalogue"), {"unit": stranger.pk})
    assert response.status_code == 200
    assert response.context["filter"].form.cleaned_data.get("unit") is None


def test_accepting_a_partnership_refreshes_the_choices_at_once(
    client, django_capture_on_commit_callbacks
):
    from kierratys.accounts.partnership_services import partnership_accept, partnership_propose
    from kierratys.accounts.roles import COORDINATOR

    turku, partner = OrganisationFactory(), other_organisation(1)
    own = UnitFactory(department=DepartmentFactory(organisation=turku))
    theirs = UnitFactory(name="Kumppanin koulu", department=DepartmentFactory(organisation=partner))
    client.force_login(UserFactory(unit=own))
    assert "Kumppanin koulu" not in client.get(reverse("listings:catalogue")).text  # cached
    with django_capture_on_commit_callbacks(execute=True):
        proposal = partnership_propose(
            actor=UserFactory(unit=own, roles=[COORDINATOR]),
            partner_id=partner.pk,
            starts_on=timezone.localdate(),
        )
        partnership_accept(
            actor=UserFactory(unit=theirs, roles=[COORDINATOR]), partnership_id=proposal.pk
        )
    assert "Kumppanin koulu" in client.get(reverse("listings:catalogue")).text


def test_a_saved_search_summary_never_names_another_organisations_department(client):
    OrganisationFactory()
    hidden = DepartmentFactory(organisation=other_organisation(2), name="Vieras toimiala")
    client.force_login(UserFactory())
    page = client.get(reverse("listings:search_new"), {"department": hidden.pk}).text
    assert "Vieras toimiala" not in page
