"""The header on every page (issue 15, items 8 and 17): the basket with its count, the
menu, the live dot's explanation and the favicon, print views included."""

import re

import pytest
from django.urls import reverse

from kierratys.context_processors import service
from reservations.basket import SESSION_KEY, basket_count

from ..factories import ListingFactory

pytestmark = pytest.mark.django_db


def basket_link(html: str) -> str:
    match = re.search(r'<a class="basket-link".*?</a>', html, re.S)
    assert match, "no basket link in the header"
    return match.group(0)


def test_basket_count_counts_listings_not_pieces():
    assert basket_count({}) == 0
    assert basket_count(None) == 0
    assert basket_count({SESSION_KEY: {"3": 5, "7": 1}}) == 2
    assert basket_count({SESSION_KEY: "garbage"}) == 0


def test_the_context_offers_the_basket_to_staff_only(rf, staff_user):
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.backends.db import SessionStore

    request = rf.get("/listings/")
    request.user, request.session = staff_user, SessionStore()
    request.session[SESSION_KEY] = {"1": 2, "2": 1, "3": 1}
    assert service(request)["basket"] == {"url": reverse("reservations:basket"), "count": 3}
    request.user = AnonymousUser()
    assert service(request)["basket"] is None


def test_basket_in_the_header_counts_after_adding_and_on_every_page(staff_client):
    listing, other = ListingFactory(), ListingFactory()
    link = basket_link(staff_client.get("/listings/", HTTP_ACCEPT_LANGUAGE="en").text)
    assert 'data-basket-count="0"' in link and "Basket, 0 items" in link
    assert 'class="badge"' not in link
    for item in (listing, other, listing):  # the same listing twice is still one
        staff_client.post(reverse("reservations:basket_add", args=[item.pk]), {"quantity": "2"})
    for page in ["/listings/", listing.get_absolute_url(), "/reservations/", "/notices/"]:
        link = basket_link(staff_client.get(page, HTTP_ACCEPT_LANGUAGE="en").text)
        assert 'href="/reservations/basket/"' in link, page
        assert 'data-basket-count="2"' in link and "Basket, 2 items" in link, page
        assert re.search(r'class="badge" aria-hidden="true">2<', link), page
    staff_client.post(reverse("reservations:basket_remove", args=[other.pk]))
    link = basket_link(staff_client.get("/listings/", HTTP_ACCEPT_LANGUAGE="en").text)
    assert "Basket, 1 item<" in link


def test_signed_out_pages_have_no_basket(client):
    assert "basket-link" not in client.get("/accounts/login/").text


def test_navigation_is_a_menu_without_javascript(staff_client):
    html = staff_client.get("/listings/", HTTP_ACCEPT_LANGUAGE="en").text
    menu = re.search(r'<details class="site-menu" data-site-menu>(.*?)</details>', html, re.S)
    assert menu, "the navigation is not in a <details> menu"
    assert "<summary>" in menu.group(1) and 'data-nav="catalogue"' in menu.group(1)
    assert 'class="lang-switch"' in menu.group(1)
    assert html.count('class="lang-switch"') == 1


def test_live_dot_says_what_it_means_in_text(staff_client):
    html = staff_client.get("/listings/", HTTP_ACCEPT_LANGUAGE="en").text
    dot = re.search(r"<span class=\"live-indicator\"[^>]*>.*?</span>\s*</span>", html, re.S)
    assert dot and 'tabindex="0"' in dot.group(0)  # focusable: its tooltip shows on focus
    assert "Live updates off: reload the page to see changes." in dot.group(0)
    assert 'data-live="Live updates on: this page updates by itself."' in html


def test_html_lang_follows_the_language(staff_client):
    for language in ["fi", "sv", "en"]:
        html = staff_client.get("/listings/", HTTP_ACCEPT_LANGUAGE=language).text
        assert f'<html lang="{language}">' in html


@pytest.mark.parametrize(
    "template",
    [
        "base.html",
        "500.html",
        "listings/labels.html",
        "reservations/slip.html",
        "inventory/run_sheet.html",
    ],
)
def test_every_page_and_print_view_links_the_favicon(template):
    from django.template.loader import get_template

    source = get_template(template).template.source
    assert '<link rel="icon" href="{% static \'img/favicon.svg\' %}"' in source
