"""Names as the reader says them: member states from CLDR in the reader's
language unless an admin gave the council's official name in that language;
time zones typed as a city in any enabled language, stored as IANA names;
bad time-zone input refused with a clear message and nothing changed."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from konsey import audit
from konsey.auth.api_tokens import create_token
from konsey.extensions import db
from konsey.models import Meeting, MemberState, OutboxMessage, User
from konsey.notifications import immediate
from konsey.notifications import notices as n
from tests.integration import minutes_world
from tests.integration.meetings_data import audit_actions, build, count, make_meeting, soon

SEVEN = ("en", "tr", "ru", "az", "kk", "ky", "uz")


@pytest.fixture(autouse=True)
def seven_languages(app):
    saved = app.config["LANGUAGES"]
    app.config["LANGUAGES"] = SEVEN
    yield
    app.config["LANGUAGES"] = saved


@pytest.fixture
def w(ctx):
    world = build(ctx)
    world.kz_head.locale = "kk"
    world.az_head.locale = "tr"
    world.coordinator.locale = "ru"
    world.tokens = {}
    for who in ["coordinator", "kz_delegate"]:
        _token, secret = create_token(audit.SYSTEM, getattr(world, who), "test")
        world.tokens[who] = secret
    db.session.commit()
    return world


def text_of(response) -> str:
    body = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", html.unescape(body)).strip()


def options_of(response, select_id: str) -> list[str]:
    page = response.get_data(as_text=True)
    found = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', page, re.S)
    assert found, f"no select #{select_id}"
    return [html.unescape(o) for o in re.findall(r"<option[^>]*>([^<]*)</option>", found[1])]


def datalist(response) -> list[str]:
    page = response.get_data(as_text=True)
    found = re.search(r'<datalist id="timezones">(.*?)</datalist>', page, re.S)
    assert found, "no time-zone suggestions"
    return [html.unescape(v) for v in re.findall(r'<option value="([^"]*)"', found[1])]


def now_offset(zone: str) -> str:
    minutes = int(datetime.now(UTC).astimezone(ZoneInfo(zone)).utcoffset().total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


# Member states' names --------------------------------------------------------------
def test_readers_see_state_names_from_cldr_in_the_agenda_item_form(client, w):
    meeting = make_meeting(w.group, "Planning", starts=soon())
    expected = {
        "kk": ["—", "Әзірбайжан", "Қазақстан"],
        "ru": ["—", "Азербайджан", "Казахстан"],
        "tr": ["—", "Azerbaycan", "Kazakistan"],
        "en": ["—", "Azerbaijan", "Kazakhstan"],
    }
    for locale, names in expected.items():
        w.coordinator.locale = locale
        db.session.commit()
        client.login(w.coordinator.email)
        page = client.get(f"/meetings/{meeting.id}/agenda/new")
        assert page.status_code == 200
        assert options_of(page, "lead_state") == names, locale
        client.logout()


def test_an_official_name_overrides_cldr_for_its_language_only(client, w):
    admin = w.admin
    client.login(admin.email)
    form = client.get(f"/admin/states/{w.kz.id}")
    text = text_of(form)
    # A field per enabled language but English (whose name is the English name).
    for code in ("tr", "ru", "az", "kk", "ky", "uz"):
        assert f'name="name_{code}"' in form.get_data(as_text=True)
    assert "Usual name: Қазақстан" in text and "Usual name: Казахстан" in text
    answer = client.post(
        f"/admin/states/{w.kz.id}",
        {
            "code": "KZ",
            "name": "Kazakhstan",
            "name_ru": "Республика Казахстан",
            "status": "member",
            "capital_timezone": "Asia/Almaty",
        },
    )
    assert answer.status_code == 302, text_of(answer)[:500]
    db.session.rollback()
    state = db.session.get(MemberState, w.kz.id)
    assert state.names == {"ru": "Республика Казахстан"}
    assert state.display_name("ru") == "Республика Казахстан"
    assert state.display_name("kk") == "Қазақстан"  # CLDR, as before
    assert state.display_name("en") == "Kazakhstan"
    client.logout()

    meeting = make_meeting(w.group, "Planning", starts=soon())
    for locale, name in [("ru", "Республика Казахстан"), ("kk", "Қазақстан")]:
        w.coordinator.locale = locale
        db.session.commit()
        client.login(w.coordinator.email)
        assert name in options_of(client.get(f"/meetings/{meeting.id}/agenda/new"), "lead_state")
        client.logout()

    # Clearing the field brings CLDR's name back.
    client.login(admin.email)
    client.post(
        f"/admin/states/{w.kz.id}",
        {"code": "KZ", "name": "Kazakhstan", "name_ru": "", "status": "member",
         "capital_timezone": "Asia/Almaty"},
    )  # fmt: skip
    db.session.rollback()
    assert db.session.get(MemberState, w.kz.id).display_name("ru") == "Казахстан"


def test_a_bad_official_name_is_refused_and_changes_nothing(client, w):
    client.login(w.admin.email)
    before = audit_actions()
    answer = client.post(
        f"/admin/states/{w.kz.id}",
        {"code": "KZ", "name": "Kazakhstan", "name_kk": "Қазақ\nстан", "status": "member",
         "capital_timezone": "Asia/Almaty"},
    )  # fmt: skip
    assert answer.status_code == 422
    assert "Line breaks, tabs and control characters are not allowed here." in text_of(answer)
    db.session.rollback()
    assert db.session.get(MemberState, w.kz.id).names == {}
    assert audit_actions() == before


def test_emails_name_states_in_the_recipients_language(ctx):
    world = minutes_world.build()
    world.kz_head.locale = "ru"
    world.az_head.locale = "kk"
    db.session.commit()
    immediate.run(datetime(2026, 11, 10, 7, tzinfo=UTC))
    from konsey.minutes import services as minutes_services

    now = datetime(2026, 11, 10, 7, tzinfo=UTC)
    meeting = world.meeting
    actor = audit.Actor(world.coordinator, "127.0.0.1")
    minutes = minutes_world.minutes_of(meeting)
    minutes_services.add_version(actor, meeting, minutes, "Agreed.", now=now)
    minutes = minutes_world.minutes_of(meeting)
    minutes_services.circulate(
        actor, minutes, deadline=datetime(2026, 11, 17, tzinfo=UTC), silence_procedure=True,
        now=now,
    )  # fmt: skip
    immediate.run(now)
    rows = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.dedupe_key.startswith(f"notice:{n.POSITION_NEEDED}:")
        )
    ).all()
    body = {row.recipient: row.body_text for row in rows}
    assert "Казахстан" in body["head@kz.example.org"]
    assert "Әзірбайжан" in body["head@az.example.org"]
    assert "Azerbaijan" not in body["head@az.example.org"]


# Time zones ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Astana", "Asia/Almaty"),
        ("Астана", "Asia/Almaty"),
        ("Бишкек", "Asia/Bishkek"),
        ("бішкек", "Asia/Bishkek"),
        ("Bakü", "Asia/Baku"),
        ("bakı", "Asia/Baku"),
        ("Ташкент", "Asia/Tashkent"),
        ("Toshkent", "Asia/Tashkent"),
        ("ALMATY", "Asia/Almaty"),
        ("asia/almaty", "Asia/Almaty"),
    ],
)
def test_a_city_in_any_language_is_stored_as_its_iana_zone(client, w, typed, stored):
    client.login(w.kz_delegate.email)
    answer = client.post(
        "/account/profile",
        {"name": w.kz_delegate.name, "locale": "ru", "timezone": typed, "digest": "off",
         "notices": "immediately"},
    )  # fmt: skip
    assert answer.status_code in (200, 302), text_of(answer)[:600]
    db.session.rollback()
    assert db.session.get(User, w.kz_delegate.id).timezone == stored


def test_the_api_takes_a_city_and_stores_the_zone(app, w):
    http = app.test_client()
    body = {
        "title": "Ministers",
        "starts_at": "2030-11-09T10:00:00+05:00",
        "ends_at": "2030-11-09T12:00:00+05:00",
        "timezone": "Астана",
    }
    headers = {"Authorization": f"Bearer {w.tokens['coordinator']}"}
    answer = http.post("/api/v1/groups/cyber/meetings", json=body, headers=headers)
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["timezone"] == "Asia/Almaty"
    db.session.rollback()
    assert db.session.get(Meeting, answer.get_json()["id"]).timezone == "Asia/Almaty"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("Kazakhstan", "Several time zones match “Kazakhstan”: Almaty, Kazakhstan (UTC+05:00); "),
        ("x" * 10_000, "A time zone is at most 100 characters"),
        ("Atlantis", "Unknown time zone: give a city, such as Astana, or an IANA name"),
    ],
)
def test_ambiguous_or_huge_zones_are_refused_and_change_nothing(app, client, w, typed, message):
    client.login(w.kz_delegate.email)
    w.kz_delegate.locale = w.coordinator.locale = "en"
    db.session.commit()
    before = audit_actions()
    answer = client.post(
        "/account/profile",
        {"name": w.kz_delegate.name, "locale": "en", "timezone": typed, "digest": "off",
         "notices": "immediately"},
    )  # fmt: skip
    assert answer.status_code == 422
    assert message in text_of(answer)
    db.session.rollback()
    assert db.session.get(User, w.kz_delegate.id).timezone == "Asia/Almaty"
    assert audit_actions() == before

    http = app.test_client()
    headers = {"Authorization": f"Bearer {w.tokens['coordinator']}"}
    body = {"title": "M", "starts_at": "2030-11-09T10:00:00+05:00",
            "ends_at": "2030-11-09T12:00:00+05:00", "timezone": typed}  # fmt: skip
    answer = http.post("/api/v1/groups/cyber/meetings", json=body, headers=headers)
    assert answer.status_code == 422
    assert answer.get_json()["error"]["field"] == "timezone"
    assert message in answer.get_json()["error"]["message"]
    assert count(Meeting) == 0


def test_the_ambiguity_lists_the_choices_in_the_readers_language(client, w):
    w.kz_delegate.locale = "ru"
    db.session.commit()
    client.login(w.kz_delegate.email)
    answer = client.post(
        "/account/profile",
        {"name": w.kz_delegate.name, "locale": "ru", "timezone": "Казахстан", "digest": "off",
         "notices": "immediately"},
    )  # fmt: skip
    assert answer.status_code == 422
    text = text_of(answer)
    assert "Алматы, Казахстан (UTC+05:00)" in text and "Актобе, Казахстан (UTC+05:00)" in text


def test_suggestions_show_cities_with_the_current_offset_and_resolve(client, w):
    w.kz_delegate.locale = "kk"
    db.session.commit()
    client.login(w.kz_delegate.email)
    page = client.get("/account")
    offered = datalist(page)
    assert "Астана, Қазақстан (UTC+05:00)" in offered  # one zone since 2024
    assert f"Бішкек, Қырғызстан ({now_offset('Asia/Bishkek')})" in offered
    assert f"Стамбұл, Түркия ({now_offset('Europe/Istanbul')})" in offered
    # The stored value is shown as itself: the form sent back unchanged is valid.
    assert 'value="Asia/Almaty"' in page.get_data(as_text=True)
    for label, zone in [
        (f"Бішкек, Қырғызстан ({now_offset('Asia/Bishkek')})", "Asia/Bishkek"),
        ("Asia/Bishkek", "Asia/Bishkek"),
    ]:
        answer = client.post(
            "/account/profile",
            {"name": w.kz_delegate.name, "locale": "kk", "timezone": label, "digest": "off",
             "notices": "immediately"},
        )  # fmt: skip
        assert answer.status_code in (200, 302), text_of(answer)[:600]
        db.session.rollback()
        assert db.session.get(User, w.kz_delegate.id).timezone == zone


def test_the_language_switch_names_each_language_in_its_own(client, w):
    page = client.get("/login").get_data(as_text=True)
    for code, name in [("kk", "Қазақ тілі"), ("ru", "Русский"), ("tr", "Türkçe"),
                       ("az", "Azərbaycan"), ("ky", "Кыргызча")]:  # fmt: skip
        assert f'lang="{code}"' in page and f">{name}</option>" in page
    # Elsewhere a language is named in the reader's language.
    w.admin.locale = "ru"
    db.session.commit()
    client.login(w.admin.email)
    assert "Казахский" in options_of(client.get(f"/admin/users/{w.kz_head.id}"), "locale")


def test_capital_zone_of_kazakhstan_is_utc_plus_five():
    # The table of capitals maps Astana to Asia/Almaty: true with tzdata 2024b+.
    offset = datetime(2026, 1, 15, tzinfo=UTC).astimezone(ZoneInfo("Asia/Almaty")).utcoffset()
    assert offset.total_seconds() == 5 * 3600


def test_the_roster_orders_delegations_by_the_readers_names(client, w):
    from tests import factories as f

    tr = f.make_state("TR", "Turkey", tz="Europe/Istanbul")
    uz = f.make_state("UZ", "Uzbekistan", tz="Asia/Tashkent")
    f.add(w.group, f.make_user("head@tr.example.org", name="Ayşe Head", state=tr), "head")
    f.add(w.group, f.make_user("head@uz.example.org", name="Jasur Head", state=uz), "head")
    db.session.commit()
    for locale, first, second in [("en", "Turkey", "Uzbekistan"), ("kk", "Өзбекстан", "Түркия")]:
        w.coordinator.locale = locale
        db.session.commit()
        client.login(w.coordinator.email)
        text = text_of(client.get("/groups/cyber/roster"))
        assert first in text and second in text, locale
        assert text.index(first) < text.index(second), locale  # ө comes before т in Kazakh
        client.logout()
