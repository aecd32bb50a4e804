"""Sign-in through the real test provider with Django's test client on our side and a
`requests` session as the browser at the provider."""

import html
import re
import urllib.parse

import requests

from tests.support.oidc_provider import REQUEST_SECONDS

OURS = "http://testserver"


def callback_uri(provider) -> str:
    return f"{OURS}/accounts/sso/{provider.slug}/callback/"


def register(oidc, provider, **client_fields):
    """The provider knows our client: its callback and the back-channel address."""
    oidc.add_client(
        provider.client_id,
        provider.client_secret,
        redirect_uris=[callback_uri(provider)],
        post_logout_redirect_uris=[f"{OURS}/"],
        backchannel_logout_uri=f"{OURS}/accounts/sso/{provider.slug}/backchannel-logout/",
        **client_fields,
    )


def _follow_at_provider(browser, response, issuer):
    """Follow redirects while they stay at the provider; stop at the first one back."""
    while response.is_redirect:
        location = urllib.parse.urljoin(response.url, response.headers["Location"])
        if not location.startswith(issuer):
            return location
        response = browser.get(location, allow_redirects=False, timeout=REQUEST_SECONDS)
    return response


def provider_round_trip(client, provider, oidc, *, login, password, start="") -> str:
    """Start at our sign-in, sign in at the provider's own login page, and return the
    address the provider sends the browser back to (our callback, with code and state)."""
    started = client.get(f"/accounts/sso/{provider.slug}/start/{start}")
    assert started.status_code == 302, started.content[:500]
    browser = requests.Session()
    page = browser.get(started["Location"], allow_redirects=False, timeout=REQUEST_SECONDS)
    page = _follow_at_provider(browser, page, oidc.issuer)
    assert not isinstance(page, str), "the provider sent us back without a login"
    action = re.search(r'<form method="post" action="([^"]+)"', page.text)
    assert action, page.text[:500]
    submitted = browser.post(
        urllib.parse.urljoin(page.url, html.unescape(action.group(1))),
        data={"login": login, "password": password},
        allow_redirects=False,
        timeout=REQUEST_SECONDS,
    )
    back = _follow_at_provider(browser, submitted, oidc.issuer)
    assert isinstance(back, str), getattr(back, "text", "")[:500]
    assert back.startswith(OURS), back
    return back[len(OURS) :]


def sign_in(client, provider, oidc, *, login, password="pw-1234", start=""):
    """The whole round: our callback's response."""
    back = provider_round_trip(client, provider, oidc, login=login, password=password, start=start)
    return client.get(back)
