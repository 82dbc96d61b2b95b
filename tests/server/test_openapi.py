"""The OpenAPI document is valid and covers every API route."""

from __future__ import annotations

import re

from openapi_spec_validator import validate

from shared_schema.protocol import API_PREFIX


def test_document_valid_and_complete(app, client):
    response = client.get("/openapi.json")
    assert response.status_code == 200
    doc = response.get_json()
    validate(doc)
    documented = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    routed = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API_PREFIX) or rule.endpoint in {"api.openapi", "api.health"}:
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule[len(API_PREFIX) :])
        routed |= {(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert routed == documented
    result = doc["paths"]["/results/{result_id}"]["get"]["responses"]
    assert set(result["200"]["content"]) == {"application/pdf"} and "404" in result
    assert "408" in doc["paths"]["/blobs/{sha256}"]["put"]["responses"]
    schemas = doc["components"]["schemas"]
    assert {"SubmissionManifest", "SubmissionAck", "StatusEvent", "Catalog", "ApiErrorBody"} <= set(schemas)


def test_unknown_route_and_method_are_json(client, kiosk):
    response = client.get("/nowhere", kiosk)
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"
    response = client.call("delete", "/submissions", kiosk)
    assert response.status_code == 405 and response.get_json()["message_zh"]
