"""Every API write of the OpenAPI document, each string field in turn given
what no text may hold (NUL, C0 and C1 controls, a lone surrogate, a line
break), and the whole body nested deeply: a 4xx that the document lists,
never a 500, and nothing written."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select

from konsey.extensions import db
from konsey.models import AuditEvent

BAD_STRINGS = {
    "nul": "a\\u0000b",
    "c0": "a\\u0007b",
    "c1": "a\\u0085b",
    "csi": "a\\u009b31mb",
    "surrogate": "a\\ud800b",
    "low-surrogate": "\\udfffb",
}
DEEP = "[" * 50_000 + "]" * 50_000
PLACEHOLDERS = {"integer": 1, "number": 1, "boolean": True, "array": [], "object": {}}


def _operations(spec: dict):
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method not in ("post", "patch", "put"):
                continue
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                yield path, method, op, body["schema"]


def _resolve(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = spec["components"]["schemas"][name]
    return schema


def _url(path: str, params: dict) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(params.get(m.group(1), 1)), path)


def _audit_count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


@pytest.mark.parametrize("role", ["coordinator", "delegate"])
def test_every_api_write_refuses_bad_text_in_every_string_field(app, world, role):
    http = app.test_client()
    headers = {"Authorization": f"Bearer {world['tokens'][role][1]}"}
    spec = http.get("/api/v1/openapi.json").json
    params = {**world["params"], **{"meeting_id": world["params"].get("meeting_id", 1)}}
    operations = list(_operations(spec))
    assert len(operations) >= 4, [o[:2] for o in operations]
    before = _audit_count()
    tried = 0
    for path, method, op, schema in operations:
        schema = _resolve(spec, schema)
        properties = {k: _resolve(spec, v) for k, v in schema.get("properties", {}).items()}
        base = {
            name: PLACEHOLDERS.get(prop.get("type"), "x")
            for name, prop in properties.items()
            if name in schema.get("required", [])
        }
        listed = {int(s) for s in op["responses"] if s.isdigit()}
        url = _url(path, params)
        bodies = [DEEP]
        for name, prop in properties.items():
            if prop.get("type") == "string":
                for bad in BAD_STRINGS.values():
                    # Written by hand: json.dumps would escape the backslash.
                    fields = {k: v for k, v in base.items() if k != name}
                    rest = json.dumps(fields)[1:-1]
                    bodies.append("{" + f'"{name}": "{bad}"' + (", " + rest if rest else "") + "}")
        for body in bodies:
            response = getattr(http, method)(
                url, data=body, content_type="application/json", headers=headers
            )
            tried += 1
            label = f"{method.upper()} {path} {body[:80]}"
            assert response.status_code < 500, (label, response.get_data(as_text=True)[:300])
            assert response.status_code in listed, (label, response.status_code, listed)
            assert response.status_code in (400, 401, 403, 404, 409, 422), label
    assert tried > 20
    assert _audit_count() == before  # nothing was written
