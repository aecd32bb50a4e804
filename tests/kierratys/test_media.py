"""Local media (the embedded default): a name the file system cannot even look up is a
plain 404, like any missing file, not a server error. (That it needs signing in is checked
with every other page in test_accounts.)"""

import pytest
from django.http import Http404
from django.test import RequestFactory, override_settings

from kierratys.views import media


def test_a_name_too_long_for_the_file_system_is_a_404(tmp_path):
    request = RequestFactory().get("/media/")
    with override_settings(MEDIA_ROOT=str(tmp_path)):
        (tmp_path / "kuva.jpg").write_bytes(b"jpeg")
        assert media(request, "kuva.jpg").status_code == 200
        with pytest.raises(Http404):
            media(request, "a" * 300)
        with pytest.raises(Http404):
            media(request, "puuttuu.jpg")
