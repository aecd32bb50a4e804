"""A real OpenID Connect provider for the SSO tests: panva's oidc-provider under Node.

`tests/support/oidc/server.mjs` in a process of its own on a free port, with its
npm packages from the committed lock file (`make oidc-deps`). Tests shape it through its
test-only JSON controls:

    def test_sign_in(oidc):                          # fresh state after every test
        oidc.add_client("kierratys", "s3cret", redirect_uris=[callback])
        oidc.set_user("u1", email="a@varha.fi", password="pw", groups=["kierratys-staff"])
        oidc.set_fault("wrong-audience")             # the next ID tokens are bad
        oidc.set_delay(3)                            # discovery, JWKS and token are slow
        oidc.rotate_keys()                           # a new signing key, the old one published
        oidc.stop(); oidc.start()                    # down, then back on the same port

The login page has the labels "Email or username" and "Password" and the button "Sign in";
a wrong password shows "Wrong email, username or password." (role=alert). Consent is given
at once. `acr` in the ID token is the user's `acr`.
"""

import html
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from .servers import free_port, stop_process, wait_for_port

HERE = Path(__file__).resolve().parent / "oidc"
SERVER = HERE / "server.mjs"
NODE_MODULES = HERE / "node_modules"
DEMO_CONFIG = HERE / "demo.json"
START_SECONDS = 20
REQUEST_SECONDS = 10

ACR_PASSWORD = "urn:kierratys:password"
ACR_MFA = "urn:kierratys:mfa"
ID_TOKEN_FAULTS = (
    "tampered-signature",
    "wrong-audience",
    "wrong-issuer",
    "expired",
    "nonce-mismatch",
    "unknown-key",
    "alg-none",
    "missing-email",
)
LOGOUT_TOKEN_FAULTS = (
    "tampered-signature",
    "wrong-audience",
    "wrong-issuer",
    "expired",
    "unknown-key",
    "alg-none",
    "missing-events",
    "with-nonce",
)


class OidcProviderError(RuntimeError):
    pass


def missing_dependencies() -> str | None:
    """Why the provider cannot run here, or None."""
    if shutil.which("node") is None:
        return "Node.js (`node`) is not installed: the SSO tests need Node 20 or newer"
    if not (NODE_MODULES / "oidc-provider").is_dir() or not (NODE_MODULES / "jose").is_dir():
        return (
            f"the test OpenID provider's npm packages are missing ({NODE_MODULES}): "
            "run `make oidc-deps`"
        )
    return None


class OidcProvider:
    """The provider process and its test controls. `start()` returns self."""

    def __init__(self, *, port: int | None = None, config: dict | None = None):
        self.port = port or free_port()
        self.config = config or {}
        self.process: subprocess.Popen | None = None
        self._log = Path(tempfile.mkstemp(prefix="oidc-provider-", suffix=".log")[1])
        self._saved_state: dict | None = None

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    # --- process ---------------------------------------------------------------------------

    def start(self) -> "OidcProvider":
        """Start on `port`; after `stop()`, with the clients, users, keys, fault and delay
        it had (its sessions are gone, as after a real restart)."""
        if self.running:
            return self
        problem = missing_dependencies()
        if problem:
            raise OidcProviderError(problem)
        config = self._saved_state or self.config
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as file:
            json.dump(config, file)
        self._config_file = Path(file.name)
        with self._log.open("a") as log:
            self.process = subprocess.Popen(
                [
                    *("node", str(SERVER), "--port", str(self.port)),
                    *("--config", file.name, "--with-parent"),
                ],
                cwd=HERE,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, "NODE_ENV": "test"},
            )
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline and self.process.poll() is None:
            if f"READY {self.issuer}" in self.output():
                wait_for_port(self.port, timeout=5)
                return self
            time.sleep(0.05)
        output = "\n".join(self.output().splitlines()[-30:])
        self.stop()
        raise OidcProviderError(f"the test OpenID provider did not start. Its log:\n{output}")

    def stop(self) -> None:
        """Stop the process (the port refuses connections until `start()`)."""
        if not self.process:
            return
        if self.running:
            try:
                self._saved_state = self._control("GET", "/__test/state")
                self._saved_state.pop("issuer", None)
            except OidcProviderError:
                pass
        stop_process(self.process)
        self.process = None
        self._config_file.unlink(missing_ok=True)

    def close(self) -> None:
        self.stop()
        self._log.unlink(missing_ok=True)

    def output(self) -> str:
        return self._log.read_text() if self._log.exists() else ""

    def __enter__(self) -> "OidcProvider":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.close()

    # --- controls --------------------------------------------------------------------------

    def add_client(
        self,
        client_id: str,
        client_secret: str,
        *,
        redirect_uris: list[str],
        post_logout_redirect_uris: list[str] = (),
        backchannel_logout_uri: str | None = None,
        token_endpoint_auth_method: str = "client_secret_basic",
        **metadata,
    ) -> dict:
        """Add or replace a confidential client; other OIDC client metadata by keyword
        (e.g. client_name, backchannel_logout_session_required=False)."""
        return self._control(
            "POST",
            "/__test/clients",
            {
                "client_id": client_id,
                "client_secret": client_secret,
                "redirect_uris": list(redirect_uris),
                "post_logout_redirect_uris": list(post_logout_redirect_uris),
                "backchannel_logout_uri": backchannel_logout_uri,
                "token_endpoint_auth_method": token_endpoint_auth_method,
                **metadata,
            },
        )

    def remove_client(self, client_id: str) -> None:
        self._control("POST", "/__test/clients/delete", {"client_id": client_id})

    def set_user(
        self,
        sub: str,
        *,
        email: str,
        password: str | None = None,
        email_verified: bool = True,
        name: str | None = None,
        given_name: str | None = None,
        family_name: str | None = None,
        username: str | None = None,
        groups: list[str] = (),
        unit: str | None = None,
        acr: str = ACR_PASSWORD,
        disabled: bool = False,
    ) -> dict:
        """Add or replace a user. They sign in with email, username or sub, and password
        (None: cannot sign in). A disabled user cannot sign in, and their tokens no longer
        reach userinfo."""
        return self._control(
            "POST",
            "/__test/users",
            {
                "sub": sub,
                "email": email,
                "password": password,
                "email_verified": email_verified,
                "name": name,
                "given_name": given_name,
                "family_name": family_name,
                "username": username,
                "groups": list(groups),
                "unit": unit,
                "acr": acr,
                "disabled": disabled,
            },
        )

    def remove_user(self, sub: str) -> None:
        self._control("POST", "/__test/users/delete", {"sub": sub})

    def set_fault(self, kind: str | None) -> None:
        """From now on every token response's ID token has this fault (ID_TOKEN_FAULTS);
        None: correct tokens again."""
        if kind is not None and kind not in ID_TOKEN_FAULTS:
            raise ValueError(f"unknown fault {kind!r}; one of {ID_TOKEN_FAULTS}")
        self._control("POST", "/__test/fault", {"kind": kind})

    def set_delay(self, seconds: float) -> None:
        """Discovery, JWKS and token responses wait this long first (0: none)."""
        self._control("POST", "/__test/delay", {"seconds": seconds})

    def rotate_keys(self, *, keep_previous: bool = True) -> str:
        """A new RS256 key signs from now on; the previous keys stay in the JWKS unless
        keep_previous is False. Returns the new key's kid."""
        return self._control("POST", "/__test/rotate-keys", {"keep_previous": keep_previous})[
            "signing_kid"
        ]

    def drop_old_keys(self) -> None:
        """Publish only the current signing key."""
        self._control("POST", "/__test/drop-old-keys", {})

    @property
    def signing_kid(self) -> str:
        return self._control("GET", "/__test/state")["signing_kid"]

    def jwks(self) -> dict:
        """The published JWKS, as a relying party fetches it (honours the delay)."""
        return self._get_json(f"{self.issuer}/jwks")

    def discovery(self) -> dict:
        return self._get_json(self.discovery_url)

    def logout_token(
        self, client_id: str, sub: str | None, sid: str | None, *, fault: str | None = None
    ) -> str:
        """A back-channel logout token for the client, signed with the current key
        (fault: one of LOGOUT_TOKEN_FAULTS), for the test to POST itself."""
        if fault is not None and fault not in LOGOUT_TOKEN_FAULTS:
            raise ValueError(f"unknown fault {fault!r}; one of {LOGOUT_TOKEN_FAULTS}")
        body = {"client_id": client_id, "sub": sub, "sid": sid, "fault": fault}
        return self._control("POST", "/__test/logout-token", body)["logout_token"]

    def sessions(self, sub: str | None = None) -> list[dict]:
        """The provider's live sessions (of sub): [{"sub", "clients": [{"client_id", "sid"}]}]."""
        query = f"?sub={urllib.parse.quote(sub)}" if sub else ""
        return self._control("GET", f"/__test/sessions{query}")["sessions"]

    def logout_user(self, sub: str) -> list[dict]:
        """End the user's sessions at the provider: each client with a back-channel logout
        URI is sent a logout token, as after end_session. Returns
        [{"client_id", "sid", "ok", "error"?}] (ok: the client answered 200 or 204)."""
        return self._control("POST", "/__test/logout-user", {"sub": sub})["sent"]

    def sign_in(self, session, start_url: str, *, login: str, password: str):
        """Sign in without a browser: GET start_url with the `requests` session (following
        redirects to this provider's login page), then submit the form and follow the
        redirects back (to the relying party's callback and beyond). Returns the last
        response; a wrong password stays on the login page (status 401)."""
        page = session.get(start_url, timeout=REQUEST_SECONDS)
        action = re.search(r'<form method="post" action="([^"]+)"', page.text)
        if not page.url.startswith(self.issuer) or not action:
            raise OidcProviderError(f"no login form at {page.url} ({page.status_code})")
        return session.post(
            urllib.parse.urljoin(page.url, html.unescape(action.group(1))),
            data={"login": login, "password": password},
            timeout=REQUEST_SECONDS,
        )

    def reset(self) -> None:
        """Back to the clients and users it was started with; no fault, delay or sessions;
        the keys stay."""
        self.start()
        self._control(
            "POST",
            "/__test/reset",
            {"clients": self.config.get("clients", []), "users": self.config.get("users", [])},
        )

    # --- HTTP ------------------------------------------------------------------------------

    def _control(self, method: str, path: str, body: dict | None = None) -> dict:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.issuer + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=REQUEST_SECONDS) as response:
                return json.load(response)
        except urllib.error.HTTPError as error:
            detail = error.read().decode(errors="replace")
            raise OidcProviderError(f"{method} {path}: {error.code} {detail}") from None
        except OSError as error:
            raise OidcProviderError(
                f"{method} {path}: the provider is not reachable ({error})"
            ) from error

    def _get_json(self, url: str) -> dict:
        with urllib.request.urlopen(url, timeout=REQUEST_SECONDS + 60) as response:
            return json.load(response)


def _provider_or_fail(**kwargs) -> OidcProvider:
    problem = missing_dependencies()
    if problem:
        pytest.fail(problem, pytrace=False)
    return OidcProvider(**kwargs).start()


@pytest.fixture(scope="session")
def oidc_provider():
    """One test OpenID provider for the run (no clients or users until a test adds them).
    Prefer `oidc`, which also gives each test a clean provider."""
    provider = _provider_or_fail()
    yield provider
    provider.close()


@pytest.fixture
def oidc(oidc_provider):
    """The session's provider, running, reset after the test (clients, users, fault, delay,
    sessions; a stopped provider is started again)."""
    if not oidc_provider.running:
        oidc_provider.start()
    yield oidc_provider
    oidc_provider.reset()
