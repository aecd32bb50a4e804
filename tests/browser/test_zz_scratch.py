import pytest
from .test_accessibility import data, main_pages, signed_in_pages  # noqa

pytestmark = pytest.mark.browser

def test_scan(new_page, force_login, data):
    page_for = signed_in_pages(new_page, force_login, data["users"], "phone")
    pages = main_pages(data) + [("label", "lister@demo.example", f"/listings/{data['chairs'].pk}/label/"), ("reports", "coordinator@demo.example", "/reports/")]
    for name, who, path in pages:
        page = page_for(who)
        page.goto(path)
        print(name, page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]"))
