"""The impact report's "Checked before buying" block: checks made, purchases avoided and
new purchases by reason, within the report's filters (period, unit)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kierratys.api import services
from kierratys.api.models import ReuseCheck
from tests.factories import CategoryFactory, member_of, other_organisation, unit_of

from .conftest import make_token

pytestmark = pytest.mark.django_db


def _checks(account, category, outcomes):
    needed_by = timezone.localdate() + timedelta(days=7)
    for outcome, reason, text in outcomes:
        check = services.reuse_check_create(
            actor=account, category_id=category.pk, quantity=2, needed_by=needed_by
        ).check
        if outcome:
            services.reuse_check_outcome(
                actor=account, check_id=check.pk, outcome=outcome, reason=reason, reason_text=text
            )


def _page(client, user, **params):
    client.force_login(user)
    return client.get(reverse("reports:index"), params, HTTP_ACCEPT_LANGUAGE="en")


def test_the_report_shows_checks_avoided_and_reasons(client, coordinator, school, turku):
    category = CategoryFactory()
    account = make_token(coordinator, school).token.account
    _checks(
        account,
        category,
        [
            ("reserved", "", ""),
            ("reserved", "", ""),
            ("bought_new", "wrong_size", ""),
            ("bought_new", "other", "Paloluokitus"),
            ("", "", ""),
        ],
    )
    stranger = other_organisation(1)
    foreign = make_token(member_of(stranger, roles=["coordinator"]), unit_of(stranger)).token
    _checks(foreign.account, category, [("bought_new", "no_match", "")])

    response = _page(client, coordinator)
    assert response.status_code == 200
    reuse = response.context["reuse"]
    assert (reuse["made"], reuse["avoided"], reuse["bought_new"], reuse["open"]) == (5, 2, 2, 1)
    by_reason = {row["reason"]: row["count"] for row in reuse["reasons"]}
    assert by_reason == {"no_match": 0, "wrong_size": 1, "needed_sooner": 0, "other": 1}
    html = response.content.decode()
    assert "Checked before buying" in html and "Purchases avoided" in html
    assert "Wrong size or model" in html

    last_year = timezone.localdate().replace(month=1, day=1) - timedelta(days=200)
    earlier = _page(
        client,
        coordinator,
        start=last_year.isoformat(),
        end=(last_year + timedelta(days=30)).isoformat(),
    )
    assert earlier.context["reuse"]["made"] == 0
    assert "Checked before buying" not in earlier.content.decode()


def test_a_unit_member_sees_its_own_units_checks_only(client, coordinator, school, turku):
    category = CategoryFactory()
    _checks(make_token(coordinator, school).token.account, category, [("reserved", "", "")])
    other = unit_of(turku)
    _checks(make_token(coordinator, other, name="B").token.account, category, [("", "", "")])
    member = member_of(unit=school)
    reuse = _page(client, member).context["reuse"]
    assert (reuse["made"], reuse["avoided"]) == (1, 1)
    assert ReuseCheck.objects.count() == 2
