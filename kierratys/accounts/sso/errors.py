from django.utils.translation import gettext_lazy as _


class SsoError(Exception):
    """A sign-in through the provider that did not go through: the kind says what to tell
    the person (never the provider's own text, which may hold anything)."""

    UNREACHABLE = "unreachable"
    WRONG_ISSUER = "wrong-issuer"
    UNSUPPORTED = "unsupported"
    STATE = "state"
    DENIED = "denied"
    INVALID_TOKEN = "invalid-token"
    NO_EMAIL = "no-email"
    FOREIGN_EMAIL = "foreign-email"
    ACR = "acr"
    NOT_LET_IN = "not-let-in"
    LINKED_ELSEWHERE = "linked-elsewhere"
    INACTIVE = "inactive"
    DISABLED = "disabled"

    MESSAGES = {
        UNREACHABLE: _(
            "Your organisation's sign-in service did not answer in time. Try again in a moment."
        ),
        WRONG_ISSUER: _("The address does not lead to the identity provider it names."),
        UNSUPPORTED: _("The identity provider does not offer the sign-in this service uses."),
        STATE: _("The sign-in expired or was already used. Start again from the sign-in page."),
        DENIED: _("The sign-in was cancelled at your organisation's sign-in service."),
        INVALID_TOKEN: _(
            "Your organisation's sign-in service sent an answer that could not be verified, "
            "so you were not signed in. Try again; if it keeps happening, contact support."
        ),
        NO_EMAIL: _(
            "Your organisation's sign-in service did not tell us your e-mail address, "
            "so you were not signed in. Contact your organisation's IT support."
        ),
        FOREIGN_EMAIL: _(
            "Your e-mail address does not belong to this organisation, so you were not signed in."
        ),
        ACR: _(
            "Your organisation requires a stronger sign-in (for example multi-factor "
            "authentication). Sign in again with it."
        ),
        NOT_LET_IN: _(
            "Your organisation has not given you access to this service. Ask your "
            "supervisor or IT support to add you to its group."
        ),
        LINKED_ELSEWHERE: _(
            "An account with this e-mail address already exists and is not yours to take "
            "over here. Contact your coordinator."
        ),
        INACTIVE: _("Your account has been switched off. Contact your coordinator."),
        DISABLED: _("This sign-in service is not in use."),
    }

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind

    @property
    def message(self) -> str:
        return str(self.MESSAGES[self.kind])
