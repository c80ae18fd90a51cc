"""The digest reads like a briefing: what needs the reader first, then what
happened in each group, folded, saying what changed; nothing twice, nothing
the reader may not see now, nothing a notice already told; every link opens."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from konsey import audit
from konsey.extensions import db
from konsey.meetings import agenda
from konsey.models import DigestFrequency, NoticeMode, OutboxMessage, User
from konsey.notifications import digests, happened
from tests import factories as f
from tests.integration import digest_world

BASE = "http://konsey.test"
CYBER_MINUTES = "Minutes of Cyber Security Working Group (2nd Meeting)"


@pytest.fixture
def day(ctx):
    return digest_world.build()


def _digests(after_id: int = 0) -> dict[str, OutboxMessage]:
    rows = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.dedupe_key.startswith("digest:user:"), OutboxMessage.id > after_id)
        .order_by(OutboxMessage.id)
    )
    return {m.recipient: m for m in rows}


def _newest_outbox_id() -> int:
    return max(db.session.scalars(select(OutboxMessage.id)), default=0)


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.append(dict(attrs)["href"])


def html_links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.hrefs


def text_links(text: str) -> list[str]:
    return re.findall(r"https?://\S+", text)


def html_text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def _entries(text: str) -> list[str]:
    """The lines of the text part that are entries ("- …")."""
    return [line[2:] for line in text.splitlines() if line.startswith("- ")]


def _run(day, *, force=True, shift=timedelta(seconds=1)):
    return digests.run(day.now + shift, force=force)


def test_a_digest_after_a_busy_day(day, make_client):
    assert _run(day) >= 4
    sent = _digests()
    head = sent["head@kz.example.org"]
    text, html = head.body_text, head.body_html

    # "Needs you" first, most urgent first: the overdue action, the nearest
    # deadline (the minutes, in 5 days), then the action due in 10 days.
    assert text.index("Needs you") < text.index("What happened")
    assert html.index("Needs you") < html.index("What happened")
    needs = text[text.index("Needs you") : text.index("What happened")]
    assert needs.index("Overdue since") < needs.index("Record the position of Kazakhstan")
    assert needs.index("Record the position") < needs.index("Nominate experts")
    assert "(Asia/Almaty)" in needs  # the deadline in the reader's zone
    assert "Silence procedure: if Kazakhstan raises no reservation" in needs
    # The reported action waits for the coordinator now, not for the head.
    assert "Inform the Secretariat" not in needs
    assert "Sign the agreed" not in needs  # a head does not sign
    assert re.search(r"Konsey briefing: 3 need you, \d+ updates", head.subject)

    # Repeats fold into one line, with their titles; every change says what.
    agenda_lines = [e for e in _entries(text) if "agenda item" in e]
    assert agenda_lines == [
        "7 agenda items added to Cyber Security Working Group (3rd Meeting): "
        + "; ".join(digest_world.AGENDA)
    ]
    assert "Meeting changed: Cyber Security Working Group (3rd Meeting)" in text
    assert "Changed: time zone, city." in text
    assert "Asia/Baku" in text  # the venue's local time, and the reader's
    assert "in progress → reported done by Dana Delegate (Kazakhstan), reference " in text
    assert digest_world.REFERENCE in text
    # A notice told the head at once that his state's position is needed.
    assert f"{CYBER_MINUTES} circulated for comments" not in text
    _same_content(text, html)
    _links_open(make_client, "head@kz.example.org", text, html)

    coordinator = sent["pd@secretariat.example.org"]
    ctext = coordinator.body_text
    cneeds = ctext[ctext.index("Needs you") : ctext.index("What happened")]
    assert "Acknowledge: Inform the Secretariat" in cneeds
    assert f"Reference: {digest_world.REFERENCE}." in cneeds
    assert "Reservation of Azerbaijan on the minutes" in cneeds
    assert "name the national CERTs" in cneeds
    assert "Sign the agreed minutes of E-Government Working Group" in cneeds
    # Reported done by the delegation, told in the digest (notices: digest only).
    assert "open → in progress by Dana Delegate (Kazakhstan)" in ctext
    assert "agenda items added" not in ctext  # his own changes are not news
    _same_content(ctext, coordinator.body_html)
    _links_open(make_client, "pd@secretariat.example.org", ctext, coordinator.body_html)

    signatory = sent["sg@secretariat.example.org"]
    assert "Sign the agreed minutes of E-Government" in signatory.body_text
    _links_open(make_client, "sg@secretariat.example.org", signatory.body_text, signatory.body_html)

    # An observer reads what is shared with observers, nothing more.
    observer = sent["obs@hu.example.org"]
    assert "Cyber exercise concept note" in observer.body_text
    assert "Draft CERT cooperation roadmap" not in observer.body_text
    assert "Needs you" not in observer.body_text
    assert "Action updated" not in observer.body_text
    _links_open(make_client, "obs@hu.example.org", observer.body_text, observer.body_html)

    # Someone who left a group reads nothing of it; an outsider, nothing at all.
    leaver = sent.get("leaves@kz.example.org")
    assert leaver is None or "E-Government" not in leaver.body_text
    assert "Satellite" not in text


def test_nothing_twice_forced_or_scheduled(day):
    _run(day)
    first = _digests()
    assert "7 agenda items added" in first["head@kz.example.org"].body_text
    # Forced again 45 seconds later: nothing new, so nothing is sent.
    mark = _newest_outbox_id()
    assert _run(day, shift=timedelta(seconds=45)) == 0
    # One more agenda item: the next digest has that one, not the seven.
    agenda.add_item(audit.Actor(day.coordinator), day.third, {"title": "Closing"})
    assert _run(day, shift=timedelta(seconds=90)) >= 1
    head = _digests(mark)["head@kz.example.org"].body_text
    assert "1 agenda item added to Cyber Security Working Group (3rd Meeting): Closing" in head
    assert "7 agenda items" not in head and "Opening" not in head
    assert "Dana Delegate" not in head  # the action's updates were told already
    # The scheduled digest the next morning repeats no event either, but
    # restates what still needs the reader.
    mark = _newest_outbox_id()
    morning = (day.now + timedelta(days=1)).replace(hour=9, minute=0)
    digests.run(morning)
    later = _digests(mark)
    for message in later.values():
        assert "What happened" not in message.body_text, message.body_text
        assert "Needs you" in message.body_text
    assert "Acknowledge: Inform the Secretariat" in later["pd@secretariat.example.org"].body_text


def test_policy_is_applied_when_the_digest_is_composed(day):
    # After the events: the group document is deleted, the observer document
    # restricted to the group, the delegate leaves the group.
    day.group_doc.deleted_at = day.now
    shared = day.shared_doc
    shared.visibility = "group"
    dana = db.session.scalar(select(User).where(User.email == "dana@kz.example.org"))
    from konsey.models import Membership

    db.session.delete(db.session.scalar(select(Membership).where(Membership.user_id == dana.id)))
    db.session.commit()
    _run(day)
    sent = _digests()
    head = sent["head@kz.example.org"].body_text
    assert "Draft CERT cooperation roadmap" not in head
    assert "Cyber exercise concept note" in head  # the head still reads it
    observer = sent.get("obs@hu.example.org")
    assert observer is None or "Cyber exercise concept note" not in observer.body_text
    assert "dana@kz.example.org" not in sent or "Cyber" not in sent["dana@kz.example.org"].body_text


def test_what_a_notice_told_is_not_repeated(day):
    """The coordinator's notices go to the digest only: the delegation's
    report is in their digest. A head told at once of the circulated minutes
    does not read it again; the delegate, whom no notice told, does."""
    events = happened.load({day.cyber.id}, day.now - timedelta(days=1), day.now + timedelta(1), 0)
    told_users = {uid for _, uid in events.told}
    assert day.kz_head.id in told_users
    assert day.coordinator.id not in told_users
    _run(day)
    sent = _digests()
    assert f"{CYBER_MINUTES} circulated" not in sent["head@kz.example.org"].body_text
    assert f"{CYBER_MINUTES} circulated" in sent["dana@kz.example.org"].body_text


def test_position_need_without_silence_procedure_says_so(day):
    day.cyber_minutes.silence_procedure = False
    db.session.commit()
    _run(day)
    head = _digests()["head@kz.example.org"].body_text
    assert "No silence procedure: silence does not count as agreement." in head


def test_translated_in_the_readers_language(day):
    head = db.session.get(User, day.kz_head.id)
    head.locale = "ru"
    coordinator = db.session.get(User, day.coordinator.id)
    coordinator.locale = "tr"
    db.session.commit()
    _run(day)
    sent = _digests()
    ru = sent["head@kz.example.org"]
    assert "Konsey briefing" not in ru.subject
    assert "Needs you" not in ru.body_text and "agenda items added" not in ru.body_text
    tr = sent["pd@secretariat.example.org"]
    assert "Konsey briefing" not in tr.subject and "Needs you" not in tr.body_text


def _same_content(text: str, html: str) -> None:
    """Both parts carry the same entries and the same links."""
    flat = html_text(html)
    for entry in _entries(text):
        assert re.sub(r"\s+", " ", entry) in flat, entry
    for line in text.splitlines():
        stripped = re.sub(r"\s+", " ", line).strip().rstrip(":")
        if stripped and not stripped.startswith(("http://", "==", "- ")):
            assert stripped in flat, stripped
    assert sorted(set(html_links(html))) == sorted(set(text_links(text)))


def _links_open(make_client, email: str, text: str, html: str) -> None:
    links = set(html_links(html)) | set(text_links(text))
    assert links
    client = make_client()
    assert client.login(email).status_code in (302, 303)
    for url in sorted(links):
        assert url.startswith(BASE), url
        response = client.get(url[len(BASE) :])
        assert response.status_code == 200, (email, url, response.status_code)


# Set-based: the queries of a batch do not grow with its users ------------------
def _crowd(n: int, tag: str, groups, kz):
    with f.batch():
        for i in range(n):
            user = f.make_user(
                f"{tag}{i}@example.org",
                state=kz if i % 2 else None,
                timezone=["Asia/Almaty", "Europe/Istanbul", "Asia/Baku"][i % 3],
                locale=["en", "tr", "ru"][i % 3],
                digest=DigestFrequency.DAILY,
                notices=NoticeMode.DIGEST if i % 2 else NoticeMode.IMMEDIATELY,
            )
            for k, group in enumerate(groups):
                role = ["delegate", "observer", "expert", "coordinator"][(i + k) % 4]
                if role != "coordinator" or i % 2 == 0:  # a coordinator has no state
                    f.add(group, user, role)


def test_query_count_does_not_grow_with_a_batch(day, count_queries):
    groups = [day.cyber, day.egov, day.sat] + [f.make_group(f"extra-{i}") for i in range(3)]
    for user in db.session.scalars(select(User)):
        user.digest = DigestFrequency.OFF
    db.session.commit()
    _crowd(50, "small", groups, day.kz)
    with count_queries() as small:
        assert _run(day) >= 50
    for user in db.session.scalars(select(User).where(User.email.startswith("small"))):
        user.digest = DigestFrequency.OFF
    db.session.commit()
    _crowd(200, "large", groups, day.kz)
    with count_queries() as large:
        assert _run(day, shift=timedelta(minutes=2)) >= 200
    assert len(large) <= len(small), (len(small), len(large))
