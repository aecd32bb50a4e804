"""Who is calling: a service token (`Authorization: Bearer kzt_...`) or a signed-in browser
(the session, with CSRF on every write, REST framework's SessionAuthentication)."""

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from . import selectors, services


class ServiceTokenAuthentication(authentication.BaseAuthentication):
    """Authenticates as the token's account; `request.auth` is the ServiceToken."""

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != b"bearer":
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send the token as: Bearer <token>."))
        try:
            secret = header[1].decode("ascii")
        except UnicodeDecodeError as error:
            raise exceptions.AuthenticationFailed(_("The token is not valid.")) from error
        token = selectors.token_for_secret(secret)
        if token is None:
            raise exceptions.AuthenticationFailed(_("The token is not valid."))
        now = timezone.now()
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("The token has been revoked."))
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed(_("The token has expired."))
        if not token.account.is_active:
            raise exceptions.AuthenticationFailed(_("The token is not valid."))
        services.token_touch(token=token, now=now)
        return token.account, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


# A signed-in person: everything their roles allow, no scopes; CSRF on every write.
SessionAuthentication = authentication.SessionAuthentication
