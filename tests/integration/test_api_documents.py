"""The documents API: multipart uploads, versions, files, search, errors."""

from __future__ import annotations

import io

import pytest
from openapi_spec_validator import validate as validate_openapi

from konsey.documents import samples
from tests.integration.documents_support import (
    MULTIPART,
    counts,
    run_extraction,
    sha,
    stored,
)

PDF = samples.make_pdf(["Satellite services: annual report"])
DOC_FIELDS = {
    "id",
    "group",
    "title",
    "description",
    "kind",
    "visibility",
    "agenda_item",
    "created_by",
    "created_at",
    "languages",
    "versions",
    # Symbols and lineage (tests/integration/test_symbols.py).
    "symbol",
    "parent",
    "relation",
    "relation_number",
    "original_language",
    "translations",
}
DOC_FIELDS |= {"distribution", "embargo_until", "released_at", "derestrict_at"}
VERSION_FIELDS = {
    "number",
    "size",
    "sha256",
    "media_type",
    "filename",
    "language",
    "uploaded_by",
    "uploaded_at",
    "url",
}


def bearer(world, who):
    return {"Authorization": f"Bearer {world['tokens'][who][1]}"}


def post_document(http, world, who="delegate", content=PDF, name="report.pdf", **fields):
    data = {"kind": "report", "language": "en", "visibility": "council", **fields}
    if content is not None:
        data["file"] = (io.BytesIO(content), name)
    return http.post(
        "/api/v1/groups/wg/documents",
        data=data,
        headers=bearer(world, who),
        content_type=MULTIPART,
    )


def assert_error(response, status, code=None, field=None):
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    body = response.get_json()
    assert set(body) == {"error"}
    assert body["error"]["message"]
    if code:
        assert body["error"]["code"] == code
    if field:
        assert body["error"]["field"] == field, body


def test_upload_answers_the_document_with_its_version(client, world):
    response = post_document(client.http, world, title="Annual report")
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == DOC_FIELDS
    assert body["title"] == "Annual report"
    assert (body["kind"], body["visibility"], body["group"]) == ("report", "council", "wg")
    [version] = body["versions"]
    assert set(version) == VERSION_FIELDS
    assert version == {
        **version,
        "number": 1,
        "size": len(PDF),
        "sha256": sha(PDF),
        "media_type": "application/pdf",
        "filename": "report.pdf",
        "language": "en",
        "uploaded_by": "delegate@kz.example.org",
    }
    assert body["languages"] == [{"language": "en", "version": 1}]
    listed = client.http.get("/api/v1/groups/wg/documents", headers=bearer(world, "head"))
    assert {d["title"] for d in listed.get_json()} == {"Annual report", "Matrix paper"}


def test_versions_languages_and_file_download(client, world):
    doc_id = post_document(client.http, world).get_json()["id"]
    russian = "Годовой отчёт".encode()
    response = client.http.post(
        f"/api/v1/documents/{doc_id}/versions",
        data={"file": (io.BytesIO(russian), "otchet.txt"), "language": "ru"},
        headers=bearer(world, "head"),
        content_type=MULTIPART,
    )
    assert response.status_code == 201
    body = client.http.get(
        f"/api/v1/documents/{doc_id}", headers=bearer(world, "expert")
    ).get_json()
    assert [(v["number"], v["language"]) for v in body["versions"]] == [(1, "en"), (2, "ru")]
    assert body["languages"] == [{"language": "en", "version": 1}, {"language": "ru", "version": 2}]
    versions = client.http.get(
        f"/api/v1/documents/{doc_id}/versions", headers=bearer(world, "expert")
    )
    assert versions.get_json() == body["versions"]
    file = client.http.get(body["versions"][1]["url"], headers=bearer(world, "expert"))
    assert file.data == russian
    assert file.headers["ETag"] == f'"{sha(russian)}"'
    part = client.http.get(
        body["versions"][0]["url"], headers={**bearer(world, "expert"), "Range": "bytes=0-4"}
    )
    assert (part.status_code, part.data) == (206, b"%PDF-")
    same = client.http.get(
        body["versions"][0]["url"],
        headers={**bearer(world, "expert"), "If-None-Match": f'"{sha(PDF)}"'},
    )
    assert same.status_code == 304


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "memo"}, "kind"),
        ({"visibility": "public"}, "visibility"),
        ({"visibility": None}, "visibility"),
        ({"language": "xx"}, "language"),
        ({"agenda_item": "999999"}, "agenda_item"),
        ({"agenda_item": "abc"}, "agenda_item"),
        ({"title": "t" * 301}, "title"),
    ],
)
def test_validation_errors_name_the_field_and_change_nothing(
    client, world, files_dir, fields, field
):
    before, files_before = counts(), stored(files_dir)
    fields = {k: v for k, v in fields.items() if v is not None}
    data = {"kind": "report", "language": "en", "visibility": "group", **fields}
    data = {
        k: v
        for k, v in data.items()
        if not (k == "visibility" and "visibility" not in fields and field == "visibility")
    }
    data["file"] = (io.BytesIO(PDF), "x.pdf")
    response = client.http.post(
        "/api/v1/groups/wg/documents",
        data=data,
        headers=bearer(world, "delegate"),
        content_type=MULTIPART,
    )
    assert_error(response, 422, field=field)
    assert counts() == before and stored(files_dir) == files_before


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (None, None, None),
        (b"", "empty.pdf", "empty"),
        (b"<svg onload=alert(1)/>", "x.svg", "SVG"),
        (PDF, "bad\x01name.pdf", "control"),
        (PDF, "n" * 300 + ".pdf", "too long"),
    ],
)
def test_bad_files_are_422_on_the_file_field(client, world, files_dir, content, name, message):
    before, files_before = counts(), stored(files_dir)
    response = post_document(client.http, world, content=content, name=name)
    assert_error(response, 422, field="file")
    if message:
        assert message in response.get_json()["error"]["message"]
    assert counts() == before and stored(files_dir) == files_before


def test_too_large_is_413_with_a_message(client, world, app, files_dir):
    app.config["MAX_UPLOAD_BYTES"] = 1000
    before, files_before = counts(), stored(files_dir)
    response = post_document(client.http, world, content=b"a" * 5000, name="big.txt")
    assert_error(response, 413, code="too_large", field="file")
    assert "limit is 1,000 bytes" in response.get_json()["error"]["message"]
    response = post_document(client.http, world, content=b"a" * 3_000_000, name="big.txt")
    assert_error(response, 413, code="too_large", field="file")
    assert counts() == before and stored(files_dir) == files_before


def test_who_may_do_what(client, world):
    doc = world["document"]  # visible to the group, not to its observers
    assert_error(post_document(client.http, world, who="observer"), 403)
    assert_error(
        client.http.get(f"/api/v1/documents/{doc.id}", headers=bearer(world, "observer")), 403
    )
    assert_error(
        client.http.get(f"/api/v1/documents/{doc.id}", headers=bearer(world, "outsider")), 403
    )
    assert_error(
        client.http.get("/api/v1/documents/999999", headers=bearer(world, "delegate")), 404
    )
    missing = client.http.get(
        f"/api/v1/documents/{doc.id}/versions/9/file", headers=bearer(world, "delegate")
    )
    assert_error(missing, 404)
    assert "no version 9" in missing.get_json()["error"]["message"]
    assert_error(client.http.get("/api/v1/search?q=x"), 401)


def test_session_writes_need_the_csrf_token(client, world):
    from tests.integration.conftest import login_as

    login_as(client, world, "delegate")
    response = client.http.post(
        "/api/v1/groups/wg/documents",
        data={
            "kind": "report",
            "language": "en",
            "visibility": "group",
            "file": (io.BytesIO(PDF), "x.pdf"),
        },
        content_type=MULTIPART,
    )
    assert response.status_code == 400
    response = client.http.post(
        "/api/v1/groups/wg/documents",
        data={
            "kind": "report",
            "language": "en",
            "visibility": "group",
            "file": (io.BytesIO(PDF), "x.pdf"),
            "csrf_token": client.csrf(),
        },
        content_type=MULTIPART,
    )
    assert response.status_code == 201


def test_search_answers_ranked_highlighted_results(client, world):
    post_document(client.http, world, title="Satellite report")
    run_extraction()
    response = client.http.get("/api/v1/search?q=satellite", headers=bearer(world, "head"))
    body = response.get_json()
    assert body["terms"] == ["satellite"]
    [hit] = body["results"]
    assert hit["title_html"] == "<mark>Satellite</mark> report"
    assert "<mark>Satellite</mark> services" in hit["snippet_html"]
    assert hit["kind"] == "document" and hit["link"].endswith(f"/documents/{hit['id']}")
    assert_error(
        client.http.get("/api/v1/search?page=0", headers=bearer(world, "head")), 422, field="page"
    )


def test_openapi_document_describes_the_documents_api(client):
    spec = client.http.get("/api/v1/openapi.json").get_json()
    validate_openapi(spec)
    paths = spec["paths"]
    upload = paths["/api/v1/groups/{slug}/documents"]["post"]
    form = upload["requestBody"]["content"]["multipart/form-data"]["schema"]
    fields = spec["components"]["schemas"][form["$ref"].rsplit("/", 1)[1]]
    assert {"file", "title", "kind", "language", "visibility", "agenda_item"} <= set(
        fields["properties"]
    )
    assert fields["properties"]["file"] == {**fields["properties"]["file"], "format": "binary"}
    assert "parameters" not in upload or all(p["in"] == "path" for p in upload["parameters"])
    assert "get" in paths["/api/v1/documents/{document_id}"]
    assert "post" in paths["/api/v1/documents/{document_id}/versions"]
    assert "get" in paths["/api/v1/documents/{document_id}/versions/{version_number}/file"]
    assert "get" in paths["/api/v1/search"]
    schema = spec["components"]["schemas"]["Document"]["properties"]
    assert {"id", "title", "kind", "visibility", "versions"} <= set(schema)


def test_a_range_past_the_end_is_a_documented_416(client, world):
    doc = post_document(client.http, world).get_json()
    url = doc["versions"][0]["url"]
    response = client.http.get(
        url, headers={**bearer(world, "expert"), "Range": f"bytes={len(PDF) + 10}-"}
    )
    assert_error(response, 416)
    operation = client.http.get("/api/v1/openapi.json").get_json()["paths"][
        "/api/v1/documents/{document_id}/versions/{version_number}/file"
    ]["get"]
    assert {"200", "206", "304", "416"} <= set(operation["responses"])
    assert {p["name"] for p in operation["parameters"]} >= {"Range", "If-None-Match"}
