"""Dates and times in each reader's language, by the locale's CLDR patterns and
to the minute — seconds only where they are evidence (the audit log, a
recorded position, a signature, an agreement). Checked on pages and emails
in Russian, Kazakh and Azerbaijani, and on the rule itself in all seven
languages."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date
from flask_babel import force_locale
from sqlalchemy import select

from konsey import audit, timefmt
from konsey.extensions import db
from konsey.minutes import agreement
from konsey.minutes import services as minutes_services
from konsey.models import AuditEvent, OutboxMessage
from konsey.notifications import immediate
from konsey.notifications import notices as n
from tests import factories as f
from tests.integration import minutes_world
from tests.integration.minutes_world import page_text

SEVEN = ["en", "tr", "ru", "az", "kk", "ky", "uz"]
# An instant with seconds, so that a format showing them is caught.
NOW = datetime(2026, 11, 10, 7, 0, 9, tzinfo=UTC)
DEADLINE = datetime(2026, 11, 17, 12, 30, 41, tzinfo=UTC)  # another clock time than NOW


def actor(user):
    return audit.Actor(user, "127.0.0.1")


def clock(instant: datetime, zone: str, seconds: bool = False) -> str:
    moment = instant.astimezone(ZoneInfo(zone))
    return moment.strftime("%H:%M:%S" if seconds else "%H:%M")


def medium_date(instant: datetime, zone: str, locale: str) -> str:
    """The locale's CLDR medium date, straight from Babel."""
    return format_date(instant.astimezone(ZoneInfo(zone)).date(), "medium", locale=locale)


def as_read(text: str) -> str:
    """Spaces as ``page_text`` gives them (CLDR's narrow no-break space too)."""
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("locale", SEVEN)
def test_every_format_but_precise_is_to_the_minute_in_each_language(app, locale):
    with app.test_request_context("/"), force_locale(locale):
        moment = NOW.astimezone(ZoneInfo("Asia/Bishkek"))  # 13:00:09
        for fmt in ("short", "medium", "long", "full"):
            text = timefmt.format_datetime(moment, fmt, rebase=False)
            assert ":09" not in text, (fmt, text)
            assert "13:00" in text or "1:00" in text, (fmt, text)
        medium = timefmt.format_datetime(moment, "medium", rebase=False)
        assert format_date(moment.date(), "medium", locale=locale) in medium  # the CLDR date
        precise = timefmt.format_datetime(moment, "precise", rebase=False)
        assert "00:09" in precise and format_date(moment.date(), "medium", locale=locale) in precise
        shown = timefmt.show(NOW, "Asia/Bishkek")
        assert shown.endswith("(Asia/Bishkek)") and ":09" not in shown


def test_an_explicit_pattern_still_works(app):
    with app.test_request_context("/"), force_locale("ru"):
        assert timefmt.format_datetime(NOW, "y-MM-dd HH:mm:ss", rebase=False) == (
            "2026-11-10 07:00:09"
        )


@pytest.fixture
def w(ctx):
    world = minutes_world.build()
    with f.batch():
        kg = f.make_state("KG", "Kyrgyzstan", tz="Asia/Bishkek")
        world.kg_head = f.make_user(
            "head@kg.example.org", name="Aibek Head", state=kg, locale="ru",
            timezone="Asia/Bishkek",
        )  # fmt: skip
        f.add(world.group, world.kg_head, "head")
        world.kz_head.locale = "kk"
        world.kz_head.timezone = "Asia/Almaty"
        world.az_head.locale = "az"  # Asia/Baku
        world.admin.locale = "ru"
        world.admin.timezone = "Europe/Istanbul"
    immediate.run(NOW)  # the notice cursor starts before the story
    minutes = minutes_world.minutes_of(w_meeting := world.meeting)
    minutes_services.add_version(
        actor(world.coordinator), w_meeting, minutes, "# Minutes\n\nOpening.", now=NOW
    )
    minutes_services.circulate(
        actor(world.coordinator),
        minutes_world.minutes_of(w_meeting),
        deadline=DEADLINE,
        silence_procedure=False,
        now=NOW,
    )
    return world


def test_position_notices_show_the_deadline_to_the_minute_in_ru_kk_az(w):
    immediate.run(NOW)
    rows = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.dedupe_key.startswith(f"notice:{n.POSITION_NEEDED}:")
        )
    ).all()
    got = {row.recipient: row for row in rows}
    for email, locale, zone in [
        ("head@kg.example.org", "ru", "Asia/Bishkek"),
        ("head@kz.example.org", "kk", "Asia/Almaty"),
        ("head@az.example.org", "az", "Asia/Baku"),
    ]:
        message = got[email]
        for body in (message.body_text, message.body_html):
            assert clock(DEADLINE, zone) in body, (locale, body)
            assert clock(DEADLINE, zone, seconds=True) not in body, (locale, body)
            assert medium_date(DEADLINE, zone, locale) in body, (locale, body)
            assert zone in body


def test_minutes_page_deadline_without_seconds_positions_with_them(w, make_client):
    minutes = minutes_world.minutes_of(w.meeting)
    agreement.record_position(
        actor(w.az_head), minutes, w.az_head, version_number=1, position="agree", now=NOW
    )
    db.session.commit()
    for user, locale, zone in [
        (w.kg_head, "ru", "Asia/Bishkek"),
        (w.kz_head, "kk", "Asia/Almaty"),
        (w.az_head, "az", "Asia/Baku"),
    ]:
        client = make_client()
        assert client.login(user.email).status_code == 302
        response = client.get(f"/meetings/{w.meeting.id}/minutes")
        assert response.status_code == 200
        assert f'<html lang="{locale}">' in response.get_data(as_text=True)
        text = page_text(response)
        assert (
            as_read(medium_date(DEADLINE, zone, locale)) in text
            and f"{clock(DEADLINE, zone)} ({zone})" in text
        ), locale
        assert clock(DEADLINE, zone, seconds=True) not in text, locale
        # Azerbaijan's position: when it was recorded is evidence, to the second.
        assert f"{clock(NOW, zone, seconds=True)} ({zone})" in text, locale


def test_audit_log_shows_seconds(w, make_client):
    db.session.add(
        AuditEvent(action="user.locale", actor_id=w.kz_head.id, created_at=NOW, details={})
    )
    db.session.commit()
    client = make_client()
    assert client.login(w.admin.email).status_code == 302
    response = client.get("/admin/audit?action=user.locale")
    assert response.status_code == 200
    text = page_text(response)
    # 07:00:09 UTC in Istanbul, in Russian ("10 нояб. 2026 г., 10:00:09").
    assert (
        as_read(f"{medium_date(NOW, 'Europe/Istanbul', 'ru')}, 10:00:09 (Europe/Istanbul)") in text
    )


def test_a_meetings_time_by_each_locales_own_patterns(w, make_client):
    # 06:00–12:00 UTC on 8 Nov 2026 is 09:00–15:00 in Istanbul, the venue.
    expected = {
        "kk": "2026 ж. 08 қар., 09:00–15:00 Europe/Istanbul",  # date first by year, ", "
        "az": "8 noy 2026 09:00–15:00 Europe/Istanbul",  # joined by a space
        "ru": "8 нояб. 2026 г., 09:00–15:00 Europe/Istanbul",
    }
    for user, locale in [(w.kz_head, "kk"), (w.az_head, "az"), (w.kg_head, "ru")]:
        client = make_client()
        assert client.login(user.email).status_code == 302
        text = page_text(client.get(f"/meetings/{w.meeting.id}"))
        assert as_read(expected[locale]) in text, (locale, text[:3000])
