"""Why an account action was refused: codes that views and tests rely on, never message text."""

from enum import StrEnum


class AccountError(StrEnum):
    FORM = "form"  # the sign-up form itself is incomplete
    DOMAIN = "domain"  # not one of the organisation's e-mail domains
    INVALID_LINK = "invalid_link"  # a verification link that is wrong, used or expired
    RATE_LIMITED = "rate_limited"  # too many e-mails asked for in a short time
    FORBIDDEN = "forbidden"  # the account may not be changed by this actor
