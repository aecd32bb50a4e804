"""Parsing what users type or put in URLs: never an exception, never a 500.

`str.isdigit()` and `int()` accept any Unicode digit ('²', '٣', '１') and ints of any size,
which the database then refuses (SQLite has no integer above 2**63 - 1, PostgreSQL bigint
neither). So ids are ASCII digits only and bounded, and bad values are simply "no value".
"""

import unicodedata
from datetime import date

from django.urls import register_converter

MAX_ID = 2**63 - 1  # the largest bigint, PostgreSQL's and SQLite's
MAX_ID_DIGITS = len(str(MAX_ID)) - 1  # 18 digits always fit


def positive_id(value) -> int | None:
    """A primary key from user input, or None: ASCII digits only, 1 to the bigint limit."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 1 <= value <= MAX_ID else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > MAX_ID_DIGITS + 1 or not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


def positive_ids(values, *, limit: int) -> list[int]:
    """Valid ids from a list of strings (each may be comma-separated), in order, no repeats."""
    found: dict[int, None] = {}
    for value in values:
        for part in str(value).split(","):
            number = positive_id(part)
            if number is not None:
                found[number] = None
            if len(found) >= limit:
                return list(found)
    return list(found)


def bounded_int(value, *, low: int, high: int, default: int | None = None) -> int | None:
    """A small whole number (a quantity): ASCII digits, an optional minus, clamped to the range."""
    if not isinstance(value, str):
        value = "" if value is None else str(value)
    text = value.strip()
    negative = text.startswith("-")
    digits = text[1:] if negative else text
    if not digits or len(digits) > 6 or not (digits.isascii() and digits.isdigit()):
        return default
    number = -int(digits) if negative else int(digits)
    return max(low, min(number, high))


def iso_date(value) -> date | None:
    """A YYYY-MM-DD date, or None for anything else (other digits, other formats)."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if len(text) != 10 or not text.isascii():
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def plain_text(value, *, max_length: int) -> str:
    """Free text from a form field read without a Django form: no control characters
    (PostgreSQL refuses NUL in text), line breaks and tabs kept, at most max_length."""
    if not isinstance(value, str):
        return ""
    text = "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return text[:max_length]


class IdConverter:
    """`<id:pk>` in URLs: like `<int:pk>`, but never a number the database cannot hold."""

    regex = f"[0-9]{{1,{MAX_ID_DIGITS}}}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))


register_converter(IdConverter, "id")
