"""The test OpenID provider itself: what the SSO tests rely on it to do."""

import base64
import hashlib
import http.server
import json
import re
import secrets
import socket
import threading
import time
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from .oidc_provider import ACR_MFA, ID_TOKEN_FAULTS

CALLBACK = "http://127.0.0.1:1/accounts/sso/test/callback/"
SIGNED_OUT = "http://127.0.0.1:1/"
BACKCHANNEL = "http://127.0.0.1:1/accounts/sso/test/backchannel-logout/"


@pytest.fixture
def client_and_user(oidc):
    # With a back-channel logout URI the ID tokens carry the session's sid.
    oidc.add_client(
        "kierratys", "s3cret", redirect_uris=[CALLBACK], backchannel_logout_uri=BACKCHANNEL
    )
    oidc.set_user(
        "varha-1",
        email="hoitaja@varha.fi",
        password="oikea-salasana",
        name="Helmi Hoitaja",
        given_name="Helmi",
        family_name="Hoitaja",
        groups=["kierratys-staff"],
        unit="TE-3110",
        acr=ACR_MFA,
    )
    return oidc


def claims_of(token: str) -> tuple[dict, dict]:
    """Header and claims, unverified."""
    header, payload = (json.loads(base64.urlsafe_b64decode(p + "==")) for p in token.split(".")[:2])
    return header, payload


class Flow:
    """An authorization code flow with PKCE, as a relying party drives it over HTTP."""

    def __init__(self, oidc, client_id="kierratys", secret="s3cret", redirect_uri=CALLBACK):
        self.oidc, self.client_id, self.secret, self.redirect_uri = (
            oidc,
            client_id,
            secret,
            redirect_uri,
        )
        self.config = oidc.discovery()
        self.browser = requests.Session()
        self.verifier = secrets.token_urlsafe(48)
        self.state, self.nonce = secrets.token_urlsafe(8), secrets.token_urlsafe(8)

    def authorize_url(self, **params) -> str:
        challenge = hashlib.sha256(self.verifier.encode()).digest()
        query = {
            "client_id": self.client_id,
            "response_type": "code",
            "redirect_uri": self.redirect_uri,
            "scope": "openid email profile groups",
            "state": self.state,
            "nonce": self.nonce,
            "code_challenge": base64.urlsafe_b64encode(challenge).rstrip(b"=").decode(),
            "code_challenge_method": "S256",
            **params,
        }
        return (
            requests.Request("GET", self.config["authorization_endpoint"], params=query)
            .prepare()
            .url
        )

    def sign_in(self, login="hoitaja@varha.fi", password="oikea-salasana") -> dict:
        """The query the provider sends back to the redirect URI (with a session at the
        provider already, without the login form)."""
        response = self._follow(
            self.browser.get(self.authorize_url(), allow_redirects=False, timeout=10)
        )
        if response.status_code == 200:
            action = re.search(r'<form method="post" action="([^"]+)"', response.text).group(1)
            response = self._follow(
                self.browser.post(
                    self.oidc.issuer + action,
                    data={"login": login, "password": password},
                    allow_redirects=False,
                    timeout=10,
                )
            )
        location = response.headers["location"]
        assert location.startswith(self.redirect_uri), location
        return {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}

    def _follow(self, response):
        """Follows redirects within the provider; stops at a page or at the redirect URI."""
        while response.status_code in (302, 303):
            location = requests.compat.urljoin(response.url, response.headers["location"])
            if location.startswith(self.redirect_uri):
                break
            response = self.browser.get(location, allow_redirects=False, timeout=10)
        return response

    def token(self, code: str, verifier: str | None = None) -> requests.Response:
        return requests.post(
            self.config["token_endpoint"],
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": self.redirect_uri,
                "code_verifier": verifier or self.verifier,
            },
            auth=(self.client_id, self.secret),
            timeout=10,
        )

    def id_token(self) -> str:
        response = self.token(self.sign_in()["code"])
        assert response.status_code == 200, response.text
        return response.json()["id_token"]


def verified(token: str, jwks: dict) -> dict:
    return jwt.decode(token, KeySet.import_key_set(jwks), algorithms=["RS256"]).claims


def test_discovery_describes_the_provider(oidc):
    config = oidc.discovery()

    assert config["issuer"] == oidc.issuer
    assert config["jwks_uri"] == f"{oidc.issuer}/jwks"
    assert config["code_challenge_methods_supported"] == ["S256"]
    assert {"openid", "email", "profile", "groups"} <= set(config["scopes_supported"])
    assert {"urn:kierratys:mfa", "urn:kierratys:password"} <= set(config["acr_values_supported"])
    assert config["backchannel_logout_supported"] is True
    assert config["backchannel_logout_session_supported"] is True
    assert config["end_session_endpoint"] == f"{oidc.issuer}/session/end"
    [key] = oidc.jwks()["keys"]
    assert key["kty"] == "RSA" and key["alg"] == "RS256" and "d" not in key


def test_a_code_flow_with_pkce_gives_a_signed_id_token_with_the_users_claims(client_and_user):
    oidc = client_and_user
    flow = Flow(oidc)

    callback = flow.sign_in()
    assert callback["state"] == flow.state
    assert callback["iss"] == oidc.issuer
    response = flow.token(callback["code"])

    assert response.status_code == 200, response.text
    claims = verified(response.json()["id_token"], oidc.jwks())
    assert claims["iss"] == oidc.issuer
    assert claims["aud"] == "kierratys"
    assert claims["nonce"] == flow.nonce
    assert claims["sub"] == "varha-1"
    assert claims["email"] == "hoitaja@varha.fi" and claims["email_verified"] is True
    assert claims["groups"] == ["kierratys-staff"]
    assert claims["unit"] == "TE-3110"
    assert claims["acr"] == ACR_MFA
    assert claims["sid"]
    assert claims["exp"] > time.time()
    userinfo = requests.get(
        flow.config["userinfo_endpoint"],
        headers={"Authorization": f"Bearer {response.json()['access_token']}"},
        timeout=10,
    ).json()
    assert userinfo["email"] == "hoitaja@varha.fi"
    assert userinfo["given_name"] == "Helmi" and userinfo["groups"] == ["kierratys-staff"]


def test_the_code_is_useless_without_its_verifier(client_and_user):
    flow = Flow(client_and_user)
    code = flow.sign_in()["code"]

    response = flow.token(code, verifier=secrets.token_urlsafe(48))

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_an_authorization_request_without_pkce_is_refused(client_and_user):
    flow = Flow(client_and_user)
    url = flow.authorize_url(code_challenge="", code_challenge_method="")

    response = flow.browser.get(url, allow_redirects=False, timeout=10)

    location = parse_qs(urlparse(response.headers["location"]).query)
    assert location["error"] == ["invalid_request"]
    assert "PKCE" in location["error_description"][0]


def test_a_wrong_password_stays_on_the_login_page_with_an_error(client_and_user):
    flow = Flow(client_and_user)
    page = flow.browser.get(flow.authorize_url(), timeout=10)
    assert '<label for="login">Email or username</label>' in page.text
    assert '<label for="password">Password</label>' in page.text
    action = re.search(r'<form method="post" action="([^"]+)"', page.text).group(1)

    response = flow.browser.post(
        client_and_user.issuer + action,
        data={"login": "hoitaja@varha.fi", "password": "väärä"},
        allow_redirects=False,
        timeout=10,
    )

    assert response.status_code == 401
    assert 'role="alert"' in response.text
    assert "Wrong email, username or password." in response.text
    assert 'value="hoitaja@varha.fi"' in response.text


def test_a_disabled_user_cannot_sign_in(client_and_user):
    client_and_user.set_user("varha-1", email="hoitaja@varha.fi", password="pw", disabled=True)

    response = client_and_user.sign_in(
        requests.Session(),
        Flow(client_and_user).authorize_url(),
        login="hoitaja@varha.fi",
        password="pw",
    )

    assert response.status_code == 401
    assert "This account is disabled." in response.text


def test_sign_in_follows_through_to_the_redirect_uri(client_and_user):
    flow = Flow(client_and_user)
    session = requests.Session()
    session.max_redirects = 5

    with pytest.raises(requests.ConnectionError) as raised:
        client_and_user.sign_in(
            session, flow.authorize_url(), login="Varha-1", password="oikea-salasana"
        )

    # Nothing listens at the callback: the provider sent the browser there with a code.
    assert "/accounts/sso/test/callback/" in str(raised.value)


@pytest.mark.parametrize("kind", ID_TOKEN_FAULTS)
def test_a_fault_spoils_the_id_token(client_and_user, kind):
    oidc = client_and_user
    flow = Flow(oidc)
    jwks = oidc.jwks()
    oidc.set_fault(kind)

    token = flow.id_token()

    header, claims = claims_of(token)
    signed_correctly = kind in (
        "wrong-audience",
        "wrong-issuer",
        "expired",
        "nonce-mismatch",
        "missing-email",
    )
    if signed_correctly:
        assert header["kid"] == jwks["keys"][0]["kid"]
        verified(token, jwks)
    elif kind == "alg-none":
        assert header["alg"] == "none" and token.endswith(".")
    else:
        with pytest.raises(JoseError):
            verified(token, jwks)
    checks = {
        "tampered-signature": claims["aud"] == "kierratys",
        "wrong-audience": claims["aud"] != "kierratys",
        "wrong-issuer": claims["iss"] != oidc.issuer,
        "expired": claims["exp"] < time.time(),
        "nonce-mismatch": claims["nonce"] != flow.nonce,
        "unknown-key": header.get("kid") not in {k["kid"] for k in jwks["keys"]},
        "alg-none": claims["nonce"] == flow.nonce,
        "missing-email": "email" not in claims and claims["sub"] == "varha-1",
    }
    assert checks[kind]

    oidc.set_fault(None)
    verified(flow.id_token(), jwks)


def test_rotated_keys_sign_from_then_on_and_the_old_one_can_be_dropped(client_and_user):
    oidc = client_and_user
    [old] = oidc.jwks()["keys"]

    new_kid = oidc.rotate_keys()

    assert new_kid != old["kid"]
    assert [k["kid"] for k in oidc.jwks()["keys"]] == [new_kid, old["kid"]]
    token = Flow(oidc).id_token()
    assert claims_of(token)[0]["kid"] == new_kid
    verified(token, oidc.jwks())

    oidc.drop_old_keys()
    assert [k["kid"] for k in oidc.jwks()["keys"]] == [new_kid]
    newest = oidc.rotate_keys(keep_previous=False)
    assert [k["kid"] for k in oidc.jwks()["keys"]] == [newest]


def test_a_delay_slows_discovery_jwks_and_token_but_not_the_controls(oidc):
    oidc.set_delay(1.0)

    started = time.monotonic()
    oidc.discovery()
    oidc.jwks()
    slow = time.monotonic() - started
    started = time.monotonic()
    oidc.set_user("x", email="x@varha.fi")
    quick = time.monotonic() - started

    assert slow >= 2.0
    assert quick < 0.9
    oidc.set_delay(0)
    started = time.monotonic()
    oidc.discovery()
    assert time.monotonic() - started < 0.5


def test_a_minted_logout_token_is_signed_by_the_provider(oidc):
    token = oidc.logout_token("kierratys", "varha-1", "sid-1")

    header, _ = claims_of(token)
    claims = verified(token, oidc.jwks())
    assert header["typ"] == "logout+jwt"
    assert claims["iss"] == oidc.issuer and claims["aud"] == "kierratys"
    assert claims["sub"] == "varha-1" and claims["sid"] == "sid-1"
    assert claims["events"] == {"http://schemas.openid.net/event/backchannel-logout": {}}
    assert "nonce" not in claims
    assert (
        claims_of(oidc.logout_token("kierratys", None, "sid-1", fault="wrong-audience"))[1]["aud"]
        != "kierratys"
    )
    assert (
        "events"
        not in claims_of(oidc.logout_token("kierratys", "s", None, fault="missing-events"))[1]
    )


class Receiver:
    """A relying party's back-channel logout endpoint: records the logout tokens."""

    def __init__(self):
        self.tokens = []
        received = self.tokens

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append(parse_qs(body.decode())["logout_token"][0])
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/backchannel-logout/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.close()


def test_logging_a_user_out_posts_a_logout_token_for_their_session(client_and_user, receiver):
    oidc = client_and_user
    oidc.add_client(
        "kierratys", "s3cret", redirect_uris=[CALLBACK], backchannel_logout_uri=receiver.url
    )
    sid = claims_of(Flow(oidc).id_token())[1]["sid"]
    assert oidc.sessions("varha-1") == [
        {"sub": "varha-1", "clients": [{"client_id": "kierratys", "sid": sid}]}
    ]

    sent = oidc.logout_user("varha-1")

    assert sent == [{"client_id": "kierratys", "sid": sid, "ok": True}]
    [token] = receiver.tokens
    claims = verified(token, oidc.jwks())
    assert claims["sid"] == sid and claims["sub"] == "varha-1" and claims["aud"] == "kierratys"
    assert oidc.sessions("varha-1") == []


def test_rp_initiated_logout_returns_to_the_client_and_notifies_it(client_and_user, receiver):
    oidc = client_and_user
    oidc.add_client(
        "kierratys",
        "s3cret",
        redirect_uris=[CALLBACK],
        post_logout_redirect_uris=[SIGNED_OUT],
        backchannel_logout_uri=receiver.url,
    )
    flow = Flow(oidc)
    id_token = flow.id_token()
    end = flow.config["end_session_endpoint"]

    page = flow.browser.get(
        end,
        params={"id_token_hint": id_token, "post_logout_redirect_uri": SIGNED_OUT, "state": "bye"},
        timeout=10,
    )
    assert "Yes, sign me out" in page.text
    xsrf = re.search(r'name="xsrf" value="([^"]+)"', page.text).group(1)
    action = re.search(r'action="([^"]+)"', page.text).group(1)
    response = flow.browser.post(
        requests.compat.urljoin(page.url, action),
        data={"xsrf": xsrf, "logout": "yes"},
        allow_redirects=False,
        timeout=10,
    )

    assert response.headers["location"] == f"{SIGNED_OUT}?state=bye"
    [token] = receiver.tokens
    assert verified(token, oidc.jwks())["sid"] == claims_of(id_token)[1]["sid"]


def test_a_stopped_provider_refuses_connections_and_comes_back_as_it_was(client_and_user):
    oidc = client_and_user
    kid = oidc.signing_kid

    oidc.stop()
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", oidc.port)) != 0
    oidc.start()

    assert oidc.discovery()["issuer"] == oidc.issuer
    assert oidc.signing_kid == kid
    verified(Flow(oidc).id_token(), oidc.jwks())


def test_authlibs_client_completes_the_flow_and_validates_the_id_token(client_and_user):
    from authlib.integrations.requests_client import OAuth2Session
    from authlib.oidc.core import CodeIDToken

    oidc = client_and_user
    config = oidc.discovery()
    verifier = secrets.token_urlsafe(48)
    rp = OAuth2Session(
        "kierratys",
        "s3cret",
        scope="openid email profile groups",
        redirect_uri=CALLBACK,
        code_challenge_method="S256",
    )
    url, state = rp.create_authorization_url(
        config["authorization_endpoint"], code_verifier=verifier, nonce="n-0S6"
    )
    browser = requests.Session()
    with pytest.raises(requests.ConnectionError) as raised:
        oidc.sign_in(browser, url, login="hoitaja@varha.fi", password="oikea-salasana")
    callback = raised.value.request.url

    token = rp.fetch_token(
        config["token_endpoint"],
        authorization_response=callback,
        code_verifier=verifier,
        timeout=10,
    )

    claims = jwt.decode(token["id_token"], KeySet.import_key_set(oidc.jwks())).claims
    id_token = CodeIDToken(
        claims, {}, params={"nonce": "n-0S6", "access_token": token["access_token"]}
    )
    id_token.options = {"iss": {"value": oidc.issuer}, "aud": {"value": "kierratys"}}
    id_token.validate()
    assert parse_qs(urlparse(callback).query)["state"] == [state]
    assert id_token["groups"] == ["kierratys-staff"] and id_token["acr"] == ACR_MFA


def test_a_client_secret_post_client_sends_its_secret_in_the_body(client_and_user):
    oidc = client_and_user
    oidc.add_client(
        "kierratys",
        "s3cret",
        redirect_uris=[CALLBACK],
        token_endpoint_auth_method="client_secret_post",
    )
    flow = Flow(oidc)

    def token(secret):
        form = {"grant_type": "authorization_code", "code": flow.sign_in()["code"]}
        form |= {"redirect_uri": CALLBACK, "code_verifier": flow.verifier}
        form |= {"client_id": "kierratys", "client_secret": secret}
        return requests.post(flow.config["token_endpoint"], data=form, timeout=10)

    assert token("wrong").json()["error"] == "invalid_client"
    response = token("s3cret")
    assert response.status_code == 200, response.text
    assert claims_of(response.json()["id_token"])[1]["aud"] == "kierratys"


def test_a_delayed_token_response_outlasts_a_short_timeout(client_and_user):
    oidc = client_and_user
    flow = Flow(oidc)
    code = flow.sign_in()["code"]
    oidc.set_delay(2)

    with pytest.raises(requests.Timeout):
        requests.post(flow.config["token_endpoint"], data={"code": code}, timeout=0.5)
