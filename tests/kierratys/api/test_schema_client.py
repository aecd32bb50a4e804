"""A client driven only by the OpenAPI document (operation ids, paths, request and response
schemas) lists, reserves and cancels: the document says what the API does."""

import json

import pytest

from tests.factories import ListingFactory

pytestmark = pytest.mark.django_db


class DocumentClient:
    """Calls operations by their operationId and checks each answer against its schema."""

    def __init__(self, api, document):
        self.api, self.document = api, document
        self.operations = {
            operation["operationId"]: (path, method, operation)
            for path, item in document["paths"].items()
            for method, operation in item.items()
        }

    def call(self, operation_id, *, path_params=None, query=None, body=None):
        path, method, operation = self.operations[operation_id]
        for name, value in (path_params or {}).items():
            path = path.replace("{" + name + "}", str(value))
        if body is not None:
            request_schema = operation["requestBody"]["content"]["application/json"]["schema"]
            self._check(body, request_schema, request=True)
        response = self.api.get(path, query) if method == "get" else self.api.post(path, body or {})
        status = str(response.status_code)
        assert status in operation["responses"], (operation_id, status)
        documented = operation["responses"][status]
        media_type = response["Content-Type"].split(";")[0]
        assert media_type in documented["content"], (operation_id, media_type)
        data = response.json()
        self._check(data, documented["content"][media_type]["schema"])
        return response.status_code, data

    def _resolve(self, schema):
        while "$ref" in schema:
            schema = self.document["components"]["schemas"][schema["$ref"].split("/")[-1]]
        if "allOf" in schema:
            schema = self._resolve(schema["allOf"][0])
        return schema

    def _check(self, value, schema, request=False):
        schema = self._resolve(schema)
        if value is None:
            assert schema.get("nullable"), schema
            return
        kind = schema.get("type")
        if kind == "object" or "properties" in schema:
            assert isinstance(value, dict)
            properties = schema.get("properties", {})
            assert set(value) <= set(properties), set(value) - set(properties)
            if not request:
                assert set(schema.get("required", [])) <= set(value)
            for name, item in value.items():
                self._check(item, properties[name], request)
        elif kind == "array":
            assert isinstance(value, list)
            for item in value:
                self._check(item, schema["items"], request)
        elif kind == "integer":
            assert isinstance(value, int) and not isinstance(value, bool)
        elif kind == "string":
            assert isinstance(value, str)
            if "enum" in schema:
                assert value in schema["enum"], (value, schema["enum"])
        elif kind == "boolean":
            assert isinstance(value, bool)


def test_a_client_from_the_document_lists_reserves_and_cancels(client, api):
    ListingFactory(quantity=2)
    document = json.loads(
        client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content
    )
    documented = DocumentClient(api, document)
    status, page = documented.call("listings_list", query={"page_size": "5"})
    assert status == 200 and page["results"]
    listing = page["results"][0]
    status, detail = documented.call("listings_retrieve", path_params={"id": listing["id"]})
    assert status == 200
    body = {
        "listing": listing["id"],
        "quantity": 1,
        "contact_name": "Anna Virtanen",
        "contact_phone": "040 123 4567",
        "seen_available": detail["quantity_available"],
    }
    status, reservation = documented.call("reservations_create", body=body)
    assert status == 201
    status, mine = documented.call("reservations_list")
    assert [item["id"] for item in mine["results"]] == [reservation["id"]]
    status, cancelled = documented.call(
        "reservations_cancel", path_params={"id": reservation["id"]}, body={}
    )
    assert status == 200 and cancelled["status"] == "cancelled"
    # A problem is described too.
    status, problem = documented.call("reservations_create", body={**body, "quantity": 0})
    assert status == 400 and problem["errors"]
    status, _categories = documented.call("categories_list")
    status, _impact = documented.call("impact_retrieve")
