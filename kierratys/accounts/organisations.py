"""What makes an organisation's details valid: business ID, brand colour, impact overrides.

A business ID (Y-tunnus) is checked by its check digit with python-stdnum. The brand
colour is the background of the page header, under white text: WCAG AA asks a contrast of
at least 4.5:1 for normal text, so a lighter colour is refused.
"""

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_errors
from stdnum.fi import ytunnus

from .errors import AccountError as Code

HEADER_TEXT = "#ffffff"  # the header's text colour, on the brand colour
MIN_CONTRAST = 4.5  # WCAG 2.2 AA, normal text
_HEX = re.compile(r"#[0-9a-fA-F]{6}\Z")


def business_id_normalise(value: str) -> str:
    """The business ID as written in registers (1234567-8), or ValidationError."""
    try:
        return ytunnus.format(ytunnus.validate(value or ""))
    except stdnum_errors.ValidationError as error:
        raise ValidationError(
            _("Enter a valid business ID (Y-tunnus), for example 0204819-8."),
            code=Code.BUSINESS_ID,
        ) from error


def validate_business_id(value: str) -> None:
    business_id_normalise(value)


def _luminance(colour: str) -> float:
    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours, from 1 to 21."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def validate_brand_colour(value: str) -> None:
    if not _HEX.match(value or ""):
        raise ValidationError(
            _("Give the colour as # and six hexadecimal digits, for example #0b4f6c."),
            code=Code.COLOUR_FORMAT,
        )
    ratio = contrast_ratio(value, HEADER_TEXT)
    if ratio < MIN_CONTRAST:
        raise ValidationError(
            _(
                "White text on this colour has a contrast of %(ratio).1f:1; at least "
                "%(minimum).1f:1 is needed (WCAG AA). Choose a darker colour."
            )
            % {"ratio": ratio, "minimum": MIN_CONTRAST},
            code=Code.COLOUR_CONTRAST,
        )


def domain_normalise(value: str) -> str:
    """A sign-up domain as stored: lower case, without a leading @ or spaces."""
    return (value or "").strip().lstrip("@").lower()


# The category figures an organisation may replace in its reports, as the category names them.
IMPACT_FIGURES = ("typical_weight_kg", "co2e_kg_per_item", "replacement_value_eur")


def validate_impact_overrides(value) -> None:
    """{"<category slug>": {"co2e_kg_per_item": "35.5", ...}}: known figures, positive numbers.

    A slug no category has is allowed: categories come and go, and it simply matches nothing.
    """

    def positive(number) -> bool:
        if isinstance(number, bool) or not isinstance(number, int | float | str):
            return False
        try:
            return Decimal(str(number)).is_finite() and Decimal(str(number)) > 0
        except InvalidOperation:
            return False

    valid = isinstance(value, dict) and all(
        isinstance(slug, str)
        and isinstance(figures, dict)
        and figures
        and all(name in IMPACT_FIGURES and positive(n) for name, n in figures.items())
        for slug, figures in value.items()
    )
    if not valid:
        raise ValidationError(
            _(
                "Write the overrides as category identifiers, each with the figures it replaces "
                "(%(figures)s) as positive numbers, for example "
                '{"office-chairs": {"co2e_kg_per_item": 35}}.'
            )
            % {"figures": ", ".join(IMPACT_FIGURES)},
            code=Code.IMPACT_OVERRIDES,
        )
