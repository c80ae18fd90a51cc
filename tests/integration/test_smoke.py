def test_login_and_pages(demo, client):
    r = client.login("admin@secretariat.example.org")
    assert r.status_code == 302, r.get_data(as_text=True)
    for url in [
        "/groups",
        "/groups/cyber-security",
        "/groups/cyber-security/roster",
        "/account",
        "/admin/",
        "/admin/states",
        "/admin/users",
        "/admin/groups",
        "/admin/audit",
        "/admin/outbox",
        "/admin/users/new",
        "/admin/states/new",
        "/admin/groups/new",
        "/api/v1/me",
        "/api/v1/groups",
        "/api/v1/groups/cyber-security",
        "/api/v1/openapi.json",
        "/healthz",
    ]:
        r = client.get(url)
        assert r.status_code == 200, (url, r.status_code, r.get_data(as_text=True)[:2000])
