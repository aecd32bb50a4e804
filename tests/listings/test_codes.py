"""Item codes as people type them at the door and as cameras read the label's QR."""

import pytest
from django.utils import translation

from listings.codes import code_format, code_normalise, code_parse, code_problem

from ..factories import ListingFactory


@pytest.mark.parametrize(
    "typed",
    [
        "K-000041",
        "k-000041",
        "k-41",
        "K-41",
        "K41",
        "k 41",
        "41",
        "000041",
        "  k-41  ",
        "https://kierratys.turku.fi/listings/41/",
        "http://x/listings/41",
        "https://kierratys.turku.fi/listings/41/?from=label",
    ],
)
def test_a_code_is_read_however_it_is_typed(typed):
    assert code_parse(typed) == 41
    assert code_normalise(typed) == "K-000041"


@pytest.mark.parametrize(
    "typed", ["", "   ", "K-", "K-0", "0", "X-41", "K-41a", "41 42", "https://x/listings/", "-41"]
)
def test_what_is_not_a_code_names_no_item(typed):
    assert code_parse(typed) is None
    assert code_normalise(typed) is None


def test_the_printed_code_has_six_digits():
    assert code_format(7) == "K-000007"
    assert code_format(1234567) == "K-1234567"


@pytest.mark.django_db
def test_the_problem_says_whether_the_code_is_unknown_or_another_items():
    chair, table = ListingFactory(), ListingFactory()
    assert chair.code == code_format(chair.pk)
    assert code_problem(f"k-{chair.pk}", chair) is None
    assert code_problem(str(chair.pk), chair) is None
    assert code_problem(f"https://x/listings/{chair.pk}/", chair) is None
    with translation.override("en"):
        assert "another item" in code_problem(f"k-{table.pk}", chair)
        assert code_problem("K-999999", chair).startswith("No item has this code.")
        assert code_problem("hello", chair).startswith("No item has this code.")
    with translation.override("fi"):
        assert code_problem("K-999999", chair) != code_problem(f"k-{table.pk}", chair)
