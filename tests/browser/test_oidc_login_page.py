"""The test OpenID provider's login page, as the SSO journeys will use it in Chromium."""

import pytest

from ..support.oidc_provider import ACR_PASSWORD

pytestmark = pytest.mark.browser


def test_a_person_signs_in_at_the_provider_and_returns_to_the_client(
    oidc, live_asgi_server, phone_page, axe_check
):
    landing = f"{live_asgi_server}/accounts/login/"
    oidc.add_client("kierratys", "s3cret", redirect_uris=[landing])
    oidc.set_user("varha-1", email="hoitaja@varha.fi", password="oikea", acr=ACR_PASSWORD)
    authorize = (
        f"{oidc.issuer}/auth?client_id=kierratys&response_type=code&scope=openid%20email"
        f"&redirect_uri={landing}&state=s1&nonce=n1&code_challenge_method=S256"
        "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    )

    phone_page.goto(authorize)
    phone_page.get_by_label("Email or username").fill("hoitaja@varha.fi")
    phone_page.get_by_label("Password").fill("väärä")
    phone_page.get_by_role("button", name="Sign in").click()
    alert = phone_page.get_by_role("alert")
    assert alert.inner_text() == "Wrong email, username or password."
    assert phone_page.get_by_label("Email or username").input_value() == "hoitaja@varha.fi"
    axe_check(phone_page)

    phone_page.get_by_label("Password").fill("oikea")
    phone_page.get_by_role("button", name="Sign in").click()

    phone_page.wait_for_url(f"{landing}?code=*")
    assert "state=s1" in phone_page.url
