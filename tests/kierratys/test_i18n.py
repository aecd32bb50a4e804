from pathlib import Path

import polib
import pytest
from django.urls import reverse

from kierratys.accounts.models import User

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "text"), [("fi", "Kirjaudu sisään"), ("sv", "Logga in"), ("en", "Sign in")]
)
def test_login_page_in_each_language(client, language, text):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE=language)
    assert f'<html lang="{language}">' in response.text
    assert text in response.text


def test_language_choice_sticks_and_is_remembered_on_the_account(client, staff_user):
    client.force_login(staff_user)
    response = client.post(reverse("set_language"), {"language": "sv", "next": "/"})
    assert response.status_code == 302
    # Not just lang="sv": the language switcher's Svenska button has that on every page.
    page = client.get(reverse("listings:catalogue")).text
    assert '<html lang="sv">' in page
    assert "Våra annonser" in page and "Omat ilmoitukset" not in page  # "Our listings"
    assert User.objects.get(pk=staff_user.pk).language == "sv"


def test_language_switch_works_before_login(client):
    client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert "Sign in" in client.get(reverse("login")).text


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_catalogue_is_complete_and_compiled(language):
    po_path = ROOT / "locale" / language / "LC_MESSAGES" / "django.po"
    catalogue = polib.pofile(str(po_path))
    missing = [e.msgid for e in catalogue if not e.obsolete and (not e.translated() or e.fuzzy)]
    assert missing == [], f"untranslated in {language}: {missing[:10]}"
    compiled = polib.mofile(str(po_path.with_suffix(".mo")))
    compiled_ids = {(e.msgctxt, e.msgid) for e in compiled}
    stale = [
        e.msgid for e in catalogue if not e.obsolete and (e.msgctxt, e.msgid) not in compiled_ids
    ]
    assert stale == [], f"{language}: .mo is older than .po, run make messages"
