"""The coordinator's "Organisation" page: one navigation entry for the tools of running the
organisation, so the main navigation stays on one line."""

import re

import pytest
from django.urls import reverse

from kierratys.accounts.roles import COORDINATOR, WAREHOUSE

from ..factories import UserFactory

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
TOOLS = {
    "warehouses": "inventory:warehouses",
    "partners": "partnerships:list",
    "users": "organisation_users",
    "announcements": "announcements:manage",
    "pauses": "pauses:list",
    "finance": "charges:month",
    "recipients": "listings:recipients",
    "help": "help:manage",
    "privacy": "privacy:log",
}


def nav_keys(page) -> list[str]:
    return re.findall(r'data-nav="([a-z_]+)"', page.text)


def current_nav(page) -> list[str]:
    return re.findall(r'aria-current="page" data-nav="([a-z_]+)"', page.text)


def test_a_coordinator_finds_every_tool_on_one_page_and_each_opens(client):
    client.force_login(UserFactory(roles=[COORDINATOR], is_staff=True))
    page = client.get(reverse("organisation_hub"), **EN)
    assert page.status_code == 200
    for key, url_name in TOOLS.items():
        assert f'data-tool="{key}"' in page.text
        assert f'href="{reverse(url_name)}"' in page.text
        tool = client.get(reverse(url_name), **EN)
        assert tool.status_code == 200, key
        assert current_nav(tool) == ["organisation"], f"{key}: Organisation is the current entry"
    assert current_nav(page) == ["organisation"]
    assert "Tools for running your organisation" in page.text


def test_the_coordinators_navigation_is_short_and_the_tools_are_behind_one_entry(client):
    client.force_login(UserFactory(roles=[COORDINATOR], is_staff=True))
    keys = nav_keys(client.get(reverse("listings:catalogue"), **EN))
    assert "organisation" in keys
    assert not set(TOOLS) & set(keys)
    assert len(keys) <= 7


@pytest.mark.parametrize("roles", [[], [WAREHOUSE]])
def test_others_get_no_entry_and_a_403(client, roles):
    client.force_login(UserFactory(roles=roles))
    assert "organisation" not in nav_keys(client.get(reverse("listings:catalogue"), **EN))
    assert client.get(reverse("organisation_hub"), **EN).status_code == 403


@pytest.mark.parametrize("language, text", [("fi", "Organisaatio"), ("sv", "Organisation")])
def test_the_entry_and_page_speak_the_language(client, language, text):
    client.force_login(UserFactory(roles=[COORDINATOR], is_staff=True))
    page = client.get(reverse("organisation_hub"), HTTP_ACCEPT_LANGUAGE=language)
    assert f'data-nav="organisation">{text}</a>' in page.text
