"""Why an account action was refused: codes that views and tests rely on, never message text."""

from enum import StrEnum


class AccountError(StrEnum):
    FORM = "form"  # the sign-up form itself is incomplete
    DOMAIN = "domain"  # not one of the organisation's e-mail domains
    INVALID_LINK = "invalid_link"  # a verification link that is wrong, used or expired
    RATE_LIMITED = "rate_limited"  # too many e-mails asked for in a short time
    FORBIDDEN = "forbidden"  # the account may not be changed by this actor
    BUSINESS_ID = "business_id"  # not a valid Y-tunnus (check digit)
    COLOUR_FORMAT = "colour_format"  # a brand colour not written as #rrggbb
    COLOUR_CONTRAST = "colour_contrast"  # white header text on it below WCAG AA
    IMPACT_OVERRIDES = "impact_overrides"  # not {category slug: {figure: positive number}}
    DOMAIN_TAKEN = "domain_taken"  # a sign-up domain another organisation already has
    OTHER_ORGANISATION = "other_organisation"  # a unit of another organisation than the address's
    INACTIVE = "inactive"  # a sign-in to an account that is switched off
    SSO_ONLY = "sso_only"  # the organisation signs its staff in only through its provider
