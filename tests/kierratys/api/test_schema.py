"""The OpenAPI document: generated without warnings, every operation with its problem
responses; the documentation page comes from our own static files."""

import pytest
import yaml
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_the_schema_generates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    document = yaml.safe_load(out.read_text())
    assert document["openapi"].startswith("3.")
    assert document["components"]["securitySchemes"]["serviceToken"]["scheme"] == "bearer"


def test_every_operation_lists_its_problems(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    document = response.json()
    assert "Problem" in document["components"]["schemas"]
    operations = [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]
    assert len(operations) == 21
    for path, method, operation in operations:
        responses = operation["responses"]
        for status in ("400", "401", "403", "429"):
            content = responses[status]["content"]
            assert list(content) == ["application/problem+json"], (path, method, status)
        assert "Retry-After" in responses["429"]["headers"]
        if method == "get":
            assert "304" in responses and "ETag" in responses["200"]["headers"]
    reserve = document["paths"]["/api/v1/reservations/"]["post"]["responses"]
    assert {"201", "404", "409", "415"} <= set(reserve)
    create = document["paths"]["/api/v1/listings/"]["post"]
    assert set(create["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    assert {"201", "413", "415"} <= set(create["responses"])
    for path, statuses in {
        "/api/v1/listings/{id}/": {"200", "404"},
        "/api/v1/listings/{id}/publish/": {"200", "404"},
        "/api/v1/listings/{id}/withdraw/": {"200", "404"},
        "/api/v1/tasks/{id}/schedule/": {"200", "404", "409"},
        "/api/v1/reuse-checks/{id}/outcome/": {"200", "404", "409"},
    }.items():
        operation = next(iter(document["paths"][path].values()))
        if path == "/api/v1/listings/{id}/":
            operation = document["paths"][path]["patch"]
        assert statuses <= set(operation["responses"]), path
    assert "201" in document["paths"]["/api/v1/reuse-checks/"]["post"]["responses"]


def test_the_docs_page_uses_our_own_static_files(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()
    assert "<script>" not in html  # the page's script comes from a file (the CSP)
    assert "<style" not in html and "/static/css/api-docs.css" in html  # its rules too


def test_every_path_id_is_an_integer_the_urls_accept(client):
    """`<id:pk>` takes 1-18 digits: a generated client gets an integer parameter, not text."""
    document = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    ids = [
        parameter["schema"]
        for path, item in document["paths"].items()
        if "{id}" in path
        for operation in item.values()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "path" and parameter["name"] == "id"
    ]
    assert len(ids) == 13
    assert all(
        schema == {"type": "integer", "format": "int64", "minimum": 1, "maximum": 10**18 - 1}
        for schema in ids
    )
