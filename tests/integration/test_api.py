"""The JSON API under /api/v1: who may read what, how a program authenticates,
and that the answers have exactly the shape the OpenAPI document promises."""

from __future__ import annotations

import re

import pytest
from openapi_spec_validator import validate as validate_openapi

from konsey.extensions import db
from konsey.models import User
from tests import factories as f

ADMIN = "admin@secretariat.example.org"
COORDINATOR = "coordinator@secretariat.example.org"
DELEGATE_KZ = "delegate.kz@kz.example.org"
EXPERT_KG = "expert.kg@kg.example.org"
OBSERVER_HU = "observer.hu@hu.example.org"
HEADS = {
    "AZ": "head.az@az.example.org",
    "KZ": "head.kz@kz.example.org",
    "KG": "head.kg@kg.example.org",
    "TR": "head.tr@tr.example.org",
}
ALL_GROUPS = {
    "cyber-security",
    "tasim-fibre",
    "satellite-services",
    "e-government",
    "ict-ministers",
}

NEW_TOKEN_RE = re.compile(r'id="new-token"[^>]*>\s*([^<\s]+)\s*<')
REVOKE_RE = re.compile(r'action="/account/tokens/(\d+)/revoke"')

# The field names the API promises (and the OpenAPI document declares).
ME_FIELDS = {
    "id",
    "email",
    "name",
    "member_state",
    "locale",
    "timezone",
    "digest",
    "notices",
    "is_admin",
}
SUMMARY_FIELDS = {"slug", "name", "mandate", "role", "member_count"}
GROUP_FIELDS = SUMMARY_FIELDS | {"coordinators", "delegations"}
DELEGATION_FIELDS = {"state", "state_name", "status", "members"}
MEMBER_FIELDS = {"email", "name", "role"}


# --- helpers ---------------------------------------------------------------------------
def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def token_from_account_page(client, email: str, name: str = "my script") -> str:
    """Log in, create a token on the account page, read it where the page shows it."""
    assert client.login(email).status_code == 302
    response = client.post("/account/tokens", {"name": name, "password": f.PASSWORD})
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    match = NEW_TOKEN_RE.search(response.get_data(as_text=True))
    assert match, "the account page does not show the new token"
    return match.group(1)


def token_from_cli(app, email: str) -> str:
    result = app.test_cli_runner().invoke(args=["konsey", "token", "create", email])
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def assert_error(response, status: int, code: str | None = None):
    """A JSON error in Konsey's shape: {"error": {"code": ..., "message": ...}}."""
    assert response.status_code == status, (response.status_code, response.get_data()[:500])
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}, body
    assert {"code", "message"} <= set(body["error"]) <= {"code", "message", "field"}, body
    assert isinstance(body["error"]["code"], str) and body["error"]["code"]
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code, body


def by_slug(groups: list[dict]) -> dict[str, dict]:
    return {g["slug"]: g for g in groups}


def _resolve(doc: dict, node: dict) -> dict:
    while "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), ref
        target = doc
        for part in ref[2:].split("/"):
            target = target[part]
        node = target
    return node


def assert_matches_schema(doc: dict, schema: dict, value, where: str = "$"):
    """``value`` has exactly the fields the OpenAPI schema declares, with their types."""
    schema = _resolve(doc, schema)
    if value is None:
        assert schema.get("nullable"), f"{where} is null but not nullable in the document"
        return
    kind = schema.get("type")
    if kind == "array":
        assert isinstance(value, list), where
        for i, item in enumerate(value):
            assert_matches_schema(doc, schema["items"], item, f"{where}[{i}]")
    elif kind == "object" or "properties" in schema:
        assert isinstance(value, dict), where
        declared = set(schema.get("properties", {}))
        # A schema with a "required" list may leave out its other fields;
        # one without it (every answer the API dumps) has all of them.
        required = set(schema["required"]) if "required" in schema else declared
        assert required <= set(value) <= declared, (
            f"{where}: answer has {sorted(value)}, document declares "
            f"{sorted(declared)} (required: {sorted(required)})"
        )
        for name in value:
            assert_matches_schema(doc, schema["properties"][name], value[name], f"{where}.{name}")
    elif kind == "string":
        assert isinstance(value, str), where
    elif kind == "integer":
        assert isinstance(value, int) and not isinstance(value, bool), where
    elif kind == "boolean":
        assert isinstance(value, bool), where
    if "enum" in schema:
        assert value in schema["enum"], f"{where}={value!r} not in {schema['enum']}"


def response_schema(doc: dict, path: str, status: str, method: str = "get") -> dict:
    responses = doc["paths"][path][method]["responses"]
    response = _resolve(doc, responses[status])
    return response["content"]["application/json"]["schema"]


@pytest.fixture
def openapi(app) -> dict:
    response = app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


@pytest.fixture
def api_client(app):
    """A program: no cookies from a browser login."""
    return app.test_client()


# --- answers for a session user --------------------------------------------------------
def test_me_for_a_delegate(demo, client, openapi):
    client.login(DELEGATE_KZ)
    response = client.get("/api/v1/me")
    assert response.status_code == 200
    me = response.get_json()
    assert set(me) == ME_FIELDS
    assert me["email"] == DELEGATE_KZ
    assert me["name"] == "Delegate of Kazakhstan"
    assert me["member_state"] == "KZ"
    assert me["locale"] == "ru"
    assert me["timezone"] == "Asia/Almaty"
    assert me["is_admin"] is False
    assert_matches_schema(openapi, response_schema(openapi, "/api/v1/me", "200"), me)


def test_me_for_the_secretariat_admin(demo, client, openapi):
    client.login(ADMIN)
    me = client.get("/api/v1/me").get_json()
    assert me["email"] == ADMIN
    assert me["member_state"] is None
    assert me["is_admin"] is True
    assert_matches_schema(openapi, response_schema(openapi, "/api/v1/me", "200"), me)


def test_groups_lists_every_group_with_the_callers_role(demo, client, openapi):
    client.login(DELEGATE_KZ)
    response = client.get("/api/v1/groups")
    assert response.status_code == 200
    groups = by_slug(response.get_json())
    assert set(groups) == ALL_GROUPS
    roles = {slug: g["role"] for slug, g in groups.items()}
    assert roles == {
        "cyber-security": "delegate",
        "e-government": "delegate",
        "satellite-services": None,
        "tasim-fibre": None,
        "ict-ministers": None,
    }
    for group in groups.values():
        assert set(group) == SUMMARY_FIELDS
    assert groups["cyber-security"]["name"] == "Cyber Security"
    # coordinator + four heads + delegate.kz (+ observer.hu in e-government)
    assert groups["cyber-security"]["member_count"] == 6
    assert groups["e-government"]["member_count"] == 7
    assert groups["tasim-fibre"]["member_count"] == 5
    assert_matches_schema(
        openapi, response_schema(openapi, "/api/v1/groups", "200"), response.get_json()
    )


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        (COORDINATOR, dict.fromkeys(ALL_GROUPS, "coordinator")),
        (HEADS["TR"], dict.fromkeys(ALL_GROUPS, "head")),
        (EXPERT_KG, {**dict.fromkeys(ALL_GROUPS), "satellite-services": "expert"}),
        (OBSERVER_HU, {**dict.fromkeys(ALL_GROUPS), "e-government": "observer"}),
        (ADMIN, dict.fromkeys(ALL_GROUPS)),
    ],
)
def test_groups_roles_for_each_demo_role(demo, client, email, expected):
    client.login(email)
    groups = client.get("/api/v1/groups").get_json()
    assert {g["slug"]: g["role"] for g in groups} == expected


def test_group_roster_by_delegation(demo, client, openapi):
    client.login(DELEGATE_KZ)
    response = client.get("/api/v1/groups/e-government")
    assert response.status_code == 200
    group = response.get_json()
    assert set(group) == GROUP_FIELDS
    assert group["slug"] == "e-government"
    assert group["name"] == "E-Government"
    assert group["role"] == "delegate"
    assert group["member_count"] == 7

    assert [c["email"] for c in group["coordinators"]] == [COORDINATOR]
    assert group["coordinators"][0]["role"] == "coordinator"
    assert group["coordinators"][0]["name"] == "Project Director (Secretariat)"

    delegations = {d["state"]: d for d in group["delegations"]}
    assert set(delegations) == {"AZ", "KZ", "KG", "TR", "HU"}
    for delegation in group["delegations"]:
        assert set(delegation) == DELEGATION_FIELDS
        assert re.fullmatch(r"[A-Z]{2}", delegation["state"])
        for member in delegation["members"]:
            assert set(member) == MEMBER_FIELDS
            assert member["email"].endswith(f"@{delegation['state'].lower()}.example.org")
    # A display name, in the caller's language (delegate.kz reads Russian); the
    # code is the stable key.
    assert delegations["KZ"]["state_name"] == "Казахстан"
    assert delegations["KG"]["state_name"] == "Кыргызстан"  # the official name, not CLDR's
    assert delegations["KZ"]["status"] == "member"
    # The head of delegation comes first, then the delegates.
    assert [(m["email"], m["role"]) for m in delegations["KZ"]["members"]] == [
        (HEADS["KZ"], "head"),
        (DELEGATE_KZ, "delegate"),
    ]
    for code in ("AZ", "KG", "TR"):
        assert [(m["email"], m["role"]) for m in delegations[code]["members"]] == [
            (HEADS[code], "head")
        ]
    assert delegations["HU"]["status"] == "observer"
    assert delegations["HU"]["members"] == [
        {"email": OBSERVER_HU, "name": "Observer of Hungary", "role": "observer"}
    ]
    # Observer states come after the member states.
    statuses = [d["status"] for d in group["delegations"]]
    assert statuses == sorted(statuses, key=lambda s: s != "member")
    # No one appears twice, and the count adds up.
    emails = [m["email"] for d in group["delegations"] for m in d["members"]]
    emails += [c["email"] for c in group["coordinators"]]
    assert len(emails) == len(set(emails)) == group["member_count"]

    assert_matches_schema(openapi, response_schema(openapi, "/api/v1/groups/{slug}", "200"), group)


def test_expert_sees_own_group(demo, client):
    client.login(EXPERT_KG)
    group = client.get("/api/v1/groups/satellite-services").get_json()
    assert group["role"] == "expert"
    kg = next(d for d in group["delegations"] if d["state"] == "KG")
    assert [(m["email"], m["role"]) for m in kg["members"]] == [
        (HEADS["KG"], "head"),
        (EXPERT_KG, "expert"),
    ]


def test_admin_sees_any_group_without_a_role(demo, client):
    client.login(ADMIN)
    response = client.get("/api/v1/groups/satellite-services")
    assert response.status_code == 200
    assert response.get_json()["role"] is None


def test_group_outside_membership_is_forbidden(demo, client, openapi):
    client.login(DELEGATE_KZ)
    response = client.get("/api/v1/groups/satellite-services")
    assert_error(response, 403, "forbidden")
    # The answer reveals nothing of the roster.
    assert "expert.kg" not in response.get_data(as_text=True)
    assert_matches_schema(
        openapi, response_schema(openapi, "/api/v1/groups/{slug}", "403"), response.get_json()
    )


def test_unknown_group_is_404(demo, client, openapi):
    client.login(DELEGATE_KZ)
    response = client.get("/api/v1/groups/no-such-group")
    assert_error(response, 404, "not_found")
    assert_matches_schema(
        openapi, response_schema(openapi, "/api/v1/groups/{slug}", "404"), response.get_json()
    )


def test_unknown_api_address_is_a_json_404(demo, client):
    client.login(DELEGATE_KZ)
    assert_error(client.get("/api/v1/no-such-thing"), 404, "not_found")


def test_wrong_method_is_a_json_405(demo, api_client):
    assert_error(api_client.delete("/api/v1/me"), 405)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/me",
        "/api/v1/groups",
        "/api/v1/groups/cyber-security",
        "/api/v1/groups/no-such-group",
    ],
)
def test_anonymous_gets_401_json(demo, api_client, openapi, url):
    response = api_client.get(url)
    assert_error(response, 401, "unauthorized")
    path = "/api/v1/groups/{slug}" if url.startswith("/api/v1/groups/") else url
    assert_matches_schema(openapi, response_schema(openapi, path, "401"), response.get_json())


def test_html_pages_keep_html_errors(demo, client):
    """The API's JSON error handler must not take over the web pages' errors."""
    client.login(DELEGATE_KZ)
    response = client.get("/groups/no-such-group")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    response = client.get("/groups/satellite-services")
    assert response.status_code == 403
    assert response.mimetype == "text/html"


# --- bearer tokens ---------------------------------------------------------------------
def test_token_from_account_page_authenticates_api(demo, client, api_client):
    token = token_from_account_page(client, DELEGATE_KZ)
    assert token.startswith("ksy_")
    # Shown once: the account page does not show the secret again.
    page = client.get("/account").get_data(as_text=True)
    assert token not in page
    assert "my script" in page

    response = api_client.get("/api/v1/me", headers=bearer(token))
    assert response.status_code == 200
    assert response.get_json()["email"] == DELEGATE_KZ

    groups = api_client.get("/api/v1/groups", headers=bearer(token)).get_json()
    assert by_slug(groups)["cyber-security"]["role"] == "delegate"
    assert by_slug(groups)["satellite-services"]["role"] is None

    response = api_client.get("/api/v1/groups/cyber-security", headers=bearer(token))
    assert response.status_code == 200
    assert response.get_json()["role"] == "delegate"
    assert_error(api_client.get("/api/v1/groups/satellite-services", headers=bearer(token)), 403)
    assert_error(api_client.get("/api/v1/groups/no-such-group", headers=bearer(token)), 404)


def test_token_from_cli_authenticates_api(demo, app, api_client):
    token = token_from_cli(app, EXPERT_KG)
    response = api_client.get("/api/v1/me", headers=bearer(token))
    assert response.status_code == 200
    assert response.get_json()["email"] == EXPERT_KG
    group = api_client.get("/api/v1/groups/satellite-services", headers=bearer(token))
    assert group.status_code == 200
    assert group.get_json()["role"] == "expert"


def test_bearer_scheme_is_case_insensitive(demo, app, api_client):
    token = token_from_cli(app, DELEGATE_KZ)
    response = api_client.get("/api/v1/me", headers={"Authorization": f"bearer {token}"})
    assert response.status_code == 200
    assert response.get_json()["email"] == DELEGATE_KZ


def test_revoked_token_is_401(demo, client, api_client):
    token = token_from_account_page(client, DELEGATE_KZ)
    assert api_client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    match = REVOKE_RE.search(client.get("/account").get_data(as_text=True))
    assert match, "the account page offers no way to revoke the token"
    response = client.post(f"/account/tokens/{match.group(1)}/revoke")
    assert response.status_code == 302
    assert_error(api_client.get("/api/v1/me", headers=bearer(token)), 401, "unauthorized")
    # The owner's browser session is not affected.
    assert client.get("/api/v1/me").status_code == 200


def test_token_of_a_deactivated_user_is_401(demo, app, make_client, api_client):
    token = token_from_cli(app, DELEGATE_KZ)
    delegate = make_client()
    delegate.login(DELEGATE_KZ)
    assert api_client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    assert delegate.get("/api/v1/me").status_code == 200

    admin = make_client()
    admin.login(ADMIN)
    with app.app_context():
        user_id = db.session.query(User.id).filter_by(email=DELEGATE_KZ).scalar()
    admin.get(f"/admin/users/{user_id}")
    assert admin.post(f"/admin/users/{user_id}/deactivate").status_code == 302

    assert_error(api_client.get("/api/v1/me", headers=bearer(token)), 401, "unauthorized")
    assert_error(api_client.get("/api/v1/groups", headers=bearer(token)), 401)
    # ... and the session of the deactivated user ends too.
    assert_error(delegate.get("/api/v1/me"), 401)


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer ",
        "Basic xyz",
        "Basic YWRtaW5Ac2VjcmV0YXJpYXQuZXhhbXBsZS5vcmc6cGFzc3dvcmQ=",
        "Token ksy_abc",
        "Bearer ksy_",
        "Bearer ksy_not-a-real-token",
        "Bearer not-even-the-prefix",
        "Bearer " + "x" * 5000,
        "Bearer ksy_" + "a" * 5000,
        "Bearer ksy_\xe9\xe8\xff",
        "Bearer ksy_a b c",
        "x" * 5000,
    ],
    ids=lambda h: h[:30].replace(" ", "_") + (f"...({len(h)})" if len(h) > 30 else ""),
)
def test_malformed_authorization_header_is_401_not_500(demo, api_client, header):
    response = api_client.get("/api/v1/me", headers={"Authorization": header})
    assert_error(response, 401, "unauthorized")


def test_a_token_that_is_almost_right_is_401(demo, app, api_client):
    token = token_from_cli(app, DELEGATE_KZ)
    assert_error(api_client.get("/api/v1/me", headers=bearer(token[:-1])), 401)
    assert_error(api_client.get("/api/v1/me", headers=bearer(token + "x")), 401)
    assert_error(api_client.get("/api/v1/me", headers=bearer(token.upper())), 401)


@pytest.mark.parametrize("url", ["/groups", "/account", "/groups/cyber-security", "/admin/"])
def test_bearer_token_does_not_open_html_pages(demo, app, api_client, url):
    token = token_from_cli(app, ADMIN)
    response = api_client.get(url, headers=bearer(token))
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_bearer_call_leaves_no_session_that_opens_html_pages(demo, app, api_client):
    token = token_from_cli(app, DELEGATE_KZ)
    assert api_client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    # Same client, cookies kept, no header this time.
    response = api_client.get("/groups")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert_error(api_client.get("/api/v1/me"), 401)


# --- the OpenAPI document --------------------------------------------------------------
def test_openapi_document_is_valid_openapi_3(openapi):
    assert openapi["openapi"].startswith("3.")
    validate_openapi(openapi)  # raises on an invalid document


def test_openapi_lists_the_three_paths(openapi):
    paths = set(openapi["paths"])
    assert {"/api/v1/me", "/api/v1/groups", "/api/v1/groups/{slug}"} <= paths
    for path in ("/api/v1/me", "/api/v1/groups", "/api/v1/groups/{slug}"):
        responses = openapi["paths"][path]["get"]["responses"]
        assert "200" in responses and "401" in responses
    slug_responses = openapi["paths"]["/api/v1/groups/{slug}"]["get"]["responses"]
    assert {"403", "404"} <= set(slug_responses)


def test_openapi_declares_bearer_security(openapi):
    schemes = openapi["components"]["securitySchemes"]
    bearer_names = [
        name
        for name, s in schemes.items()
        if s.get("type") == "http" and s.get("scheme", "").lower() == "bearer"
    ]
    assert bearer_names, schemes
    # ... and applies it (globally or per operation).
    requirements = list(openapi.get("security", []))
    for item in openapi["paths"].values():
        requirements += item.get("get", {}).get("security", [])
    assert any(name in req for req in requirements for name in bearer_names)


def test_openapi_documents_the_promised_field_names(openapi):
    def props(path, status="200"):
        schema = _resolve(openapi, response_schema(openapi, path, status))
        if schema.get("type") == "array":
            schema = _resolve(openapi, schema["items"])
        return schema

    me = props("/api/v1/me")
    assert set(me["properties"]) == ME_FIELDS
    summary = props("/api/v1/groups")
    assert set(summary["properties"]) == SUMMARY_FIELDS
    group = props("/api/v1/groups/{slug}")
    assert set(group["properties"]) == GROUP_FIELDS
    delegation = _resolve(openapi, group["properties"]["delegations"]["items"])
    assert set(delegation["properties"]) == DELEGATION_FIELDS
    member = _resolve(openapi, delegation["properties"]["members"]["items"])
    assert set(member["properties"]) == MEMBER_FIELDS
    coordinator = _resolve(openapi, group["properties"]["coordinators"]["items"])
    assert set(coordinator["properties"]) == MEMBER_FIELDS


def test_openapi_error_responses_have_the_real_error_shape(openapi):
    """Every documented error answer is {"error": {code, message}}."""
    for path, item in openapi["paths"].items():
        # Every operation: some paths (e.g. POST /groups/<slug>/actions) have no GET.
        for method in set(item) & {"get", "post", "put", "patch", "delete"}:
            for status in item[method]["responses"]:
                if status.startswith(("2", "3")):  # answers, and a 304 has no body
                    continue
                schema = _resolve(openapi, response_schema(openapi, path, status, method))
                where = (method, path, status)
                assert set(schema["properties"]) == {"error"}, (*where, schema)
                body = _resolve(openapi, schema["properties"]["error"])
                assert {"code", "message"} <= set(body["properties"]), (*where, body)
                assert body["properties"]["code"]["type"] == "string", (*where, body)


def test_openapi_is_public(api_client):
    response = api_client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"


def test_openapi_lists_every_status_an_operation_answers(openapi):
    """No catch-all "default" answer: a client (and tests/integration/test_api_fuzz.py)
    can rely on the listed statuses. A NUL byte or an unreadable body (400) and a
    missing token (401) can happen anywhere; a read-only token (403) and a body
    over the limit (413) on every write."""
    for path, item in openapi["paths"].items():
        for method in set(item) & {"get", "post", "put", "patch", "delete"}:
            statuses = set(item[method]["responses"])
            assert "default" not in statuses, (method, path)
            assert {"400", "401"} <= statuses, (method, path, statuses)
            if method != "get":
                assert {"403", "413"} <= statuses, (method, path, statuses)


def test_a_nul_byte_is_a_documented_400(demo, api_client, openapi):
    token = token_from_cli(demo, DELEGATE_KZ)
    response = api_client.get("/api/v1/groups?x=%00", headers=bearer(token))
    assert_error(response, 400, "bad_request")
    assert "NUL" in response.get_json()["error"]["message"]
    schema = response_schema(openapi, "/api/v1/groups", "400")
    assert_matches_schema(openapi, schema, response.get_json())
