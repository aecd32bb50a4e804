"""Editable help (issue 21, 7): each organisation's coordinators write its help page, FAQ
and mail footer in fi/sv/en; staff read them in their language; Markdown is rendered
safely (raw HTML shown as text, no javascript: links); other organisations see nothing."""

import pytest
from django.core import mail as django_mail
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse

from kierratys.accounts.help import services
from kierratys.accounts.help.models import FOOTER_MAX_CHARS, HelpText
from kierratys.accounts.roles import COORDINATOR, WAREHOUSE
from kierratys.common import mail
from kierratys.common.errors import ServiceError
from kierratys.common.submissions import new_token

from ..factories import OrganisationFactory, member_of, other_organisation

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
HELP_FI = "# Näin varaat\n\nValitse kaluste ja paina **Varaa**.\n\n- Nouto arkisin\n- [Ohjeet](https://turku.fi/kierratys)"


@pytest.fixture
def turku():
    return OrganisationFactory()


@pytest.fixture
def coordinator(turku):
    return member_of(turku, [COORDINATOR])


def write(actor, kind="help", fi="", sv="", en=""):
    return services.help_text_update(actor=actor, kind=kind, text_fi=fi, text_sv=sv, text_en=en)


def post(client, url, data):
    return client.post(url, {**data, "submission": new_token()}, **EN)


def test_staff_read_the_help_in_their_language_with_finnish_as_fallback(client, turku, coordinator):
    write(coordinator, fi=HELP_FI, sv="# Så reserverar du\n\nVälj en möbel.")
    write(coordinator, kind="faq", fi="## Kuka noutaa?\n\nYksikkö itse.")
    client.force_login(member_of(turku))
    page = client.get(reverse("help:page"), HTTP_ACCEPT_LANGUAGE="sv")
    assert "<h1>Så reserverar du</h1>" in page.text
    assert "<h2>Kuka noutaa?</h2>" in page.text  # no Swedish FAQ: the Finnish one
    page = client.get(reverse("help:page"), HTTP_ACCEPT_LANGUAGE="fi")
    assert "<strong>Varaa</strong>" in page.text
    assert '<a href="https://turku.fi/kierratys">Ohjeet</a>' in page.text
    assert "<li>Nouto arkisin</li>" in page.text


def test_raw_html_is_shown_as_text_and_script_links_are_dropped(client, turku, coordinator):
    write(
        coordinator,
        fi='<script>alert(1)</script>\n\n<img src=x onerror="alert(2)">\n\n'
        "[klikkaa](javascript:alert(3))",
    )
    client.force_login(member_of(turku))
    text = client.get(reverse("help:page"), **EN).text
    assert "<script>alert(1)" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<img src=x" not in text
    assert 'href="javascript:' not in text  # left as plain text, not a link


def test_another_organisations_staff_never_see_it(client, turku, coordinator):
    write(coordinator, fi=HELP_FI)
    client.force_login(member_of(other_organisation()))
    page = client.get(reverse("help:page"), **EN)
    assert "Näin varaat" not in page.text
    assert "Your organisation has not written its help page yet." in page.text


def test_the_coordinator_edits_on_the_page_and_staff_see_it_at_once(client, turku, coordinator):
    client.force_login(coordinator)
    tools = client.get(reverse("organisation_hub"), **EN)
    assert reverse("help:manage") in tools.text
    manage = client.get(reverse("help:manage"), **EN)
    assert manage.status_code == 200 and "Not written yet" in manage.text
    url = reverse("help:edit", args=["faq"])
    assert client.get(url, **EN).status_code == 200
    answer = post(
        client, url, {"text_fi": "## Kysymys\n\nVastaus.", "text_sv": "", "text_en": "## Q\n\nA."}
    )
    assert answer.status_code == 302
    assert "<h2>Q</h2>" in client.get(reverse("help:page"), **EN).text
    assert "Edit the help pages" in client.get(reverse("help:page"), **EN).text
    item = HelpText.objects.get(organisation=turku, kind="faq")
    assert item.updated_by == coordinator


def test_too_long_text_is_refused_under_its_field_and_nothing_saved(client, turku, coordinator):
    client.force_login(coordinator)
    url = reverse("help:edit", args=["email_footer"])
    answer = post(
        client, url, {"text_fi": "x" * (FOOTER_MAX_CHARS + 1), "text_sv": "", "text_en": ""}
    )
    assert answer.status_code == 400
    assert f"at most {FOOTER_MAX_CHARS} characters" in answer.text
    assert not HelpText.objects.exists()
    with pytest.raises(ServiceError):
        write(coordinator, kind="email_footer", sv="x" * (FOOTER_MAX_CHARS + 1))
    assert not HelpText.objects.exists()


def test_an_unknown_kind_is_a_404_and_only_coordinators_edit(client, turku, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("help:edit", args=["nonsense"]), **EN).status_code == 404
    for roles in ([], [WAREHOUSE]):
        someone = member_of(turku, roles)
        client.force_login(someone)
        assert client.get(reverse("help:manage"), **EN).status_code == 403
        assert (
            post(client, reverse("help:edit", args=["help"]), {"text_fi": "Hei"}).status_code == 403
        )
        with pytest.raises(PermissionDenied):
            write(someone, fi="Hei")
    assert not HelpText.objects.exists()
    with pytest.raises(ServiceError):
        write(coordinator, kind="nonsense", fi="Hei")


def test_each_organisation_edits_only_its_own(turku, coordinator):
    other = member_of(other_organisation(), [COORDINATOR])
    write(coordinator, fi="Turun ohje")
    write(other, fi="Toisen ohje")
    texts = dict(HelpText.objects.values_list("organisation_id", "text_fi"))
    assert texts[turku.pk] == "Turun ohje" and len(texts) == 2


def test_the_database_keeps_one_text_of_each_kind(turku, coordinator):
    write(coordinator, fi="Yksi")
    with pytest.raises(IntegrityError), transaction.atomic():
        HelpText.objects.create(organisation=turku, kind="help", text_fi="Kaksi")


def test_mail_to_staff_ends_with_their_organisations_footer(turku, coordinator):
    write(coordinator, kind="email_footer", fi="Turun Kierrätys, puh. 040 123", sv="Åbo återbruk")
    staff = member_of(turku, email="liisa@demo.example")
    outsider = member_of(other_organisation(), email="olli@kunta1.example")
    context = {"user_name": "Liisa", "url": "https://example.com/x"}
    mail.send_now(to=staff.email, template="verify_email", context=context, language="sv")
    mail.send_now(to=staff.email, template="verify_email", context=context, language="en")
    mail.send_now(to=outsider.email, template="verify_email", context=context, language="fi")
    swedish, english, other = django_mail.outbox
    assert swedish.body.endswith("-- \nÅbo återbruk\n")
    assert english.body.endswith("-- \nTurun Kierrätys, puh. 040 123\n")  # Finnish as fallback
    assert "Turun Kierrätys" not in other.body and "-- \n" not in other.body
