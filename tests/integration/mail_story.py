"""A story told through the services that makes Konsey send every kind of
email: the nine notices, the meeting and action reminders (due and overdue),
an information mail per event, a digest, an invitation, a password reset
and a password change. Each email is composed for its recipient in every
language given (the recipient's language set for the moment of composing),
with the context the code gives it."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select

from konsey import audit
from konsey.actions import services as actions
from konsey.auth import services as auth_services
from konsey.documents import samples
from konsey.documents import services as document_services
from konsey.documents.services import Upload
from konsey.extensions import db
from konsey.mail import outbox
from konsey.meetings import agenda
from konsey.meetings import services as meeting_services
from konsey.minutes import agreement
from konsey.minutes import services as minutes_services
from konsey.models import DigestFrequency, DigestRun, NoticeMode, User
from konsey.models.base import utcnow
from konsey.notifications import digests, immediate, reminders
from konsey.notifications import notices as n
from tests import factories as f
from tests.integration import minutes_world

# 09:00 in Almaty, where everyone of the story is: reminders are due.
NOW = datetime(2026, 11, 10, 4, 0, tzinfo=UTC)
ZONE = "Asia/Almaty"
KINDS = (
    *(f"notice:{kind}" for kind in n.KINDS),
    "reminder_meeting",
    "reminder_action:due",
    "reminder_action:overdue",
    "event",
    "digest",
    "invitation",
    "password_reset",
    "password_changed",
)
# The story's own words (not the catalog's): names and texts people typed.
TEXTS = {
    "group": "Qorvan Tesh",
    "meeting": "Zelmor Vash",
    "number": "Vex 3",
    "next": "Ulmaq Dorn",
    "venue": "Tashqala",
    "minutes_1": "Qarsu velt ormaq.",
    "minutes_2": "Qarsu velt ormaq zhen.",
    "note": "Zhen ormaq dervish.",
    "comment": "Oltar vesh qaman.",
    "reservation": "Vasht qorum eldar.",
    "action": "Bektash ulmar",
    "late": "Jarqyn tolvash",
    "report": "Ulmaq qesh dorn.",
    "back": "Qeltesh varn.",
    "reference": "NV 12-1/2345",
    "document": "Esker balvash",
    "item": "Orvash keltem",
}


# A digest's lines are written (in the reader's language) before the email
# is composed: it is made once per language, with everyone reading it.
COMPOSED_BEFORE = {"digest"}


def data() -> list[str]:
    return list(TEXTS.values())


def _kind(template: str, context: dict) -> str:
    if template == "notice":
        return f"notice:{context['kind']}"
    if template == "reminder_action":
        return "reminder_action:" + ("overdue" if context["kind"].startswith("overdue") else "due")
    return template


def _recording(real, languages, found):
    def compose(user, template, subject, **kw):
        original = user.locale
        if template in COMPOSED_BEFORE:  # rendered in the language it was made in
            found.append((original, _kind(template, kw), real(user, template, subject, **kw)))
            return found[-1][2]
        try:
            for language in languages:
                user.locale = language
                found.append((language, _kind(template, kw), real(user, template, subject, **kw)))
        finally:
            user.locale = original
        return real(user, template, subject, **kw)

    return compose


def tell(languages) -> list[tuple[str, str, dict]]:
    """(language, kind, composed email) for every email of the story."""
    found: list[tuple[str, str, dict]] = []
    modules = (outbox, digests, immediate, reminders)
    saved = [m.compose for m in modules]
    recording = _recording(outbox.compose, languages, found)
    for module in modules:
        module.compose = recording
    try:
        _story(languages)
    finally:
        for module, real in zip(modules, saved, strict=True):
            module.compose = real
    return found


def _actor(user):
    return audit.Actor(user, "127.0.0.1")


def _run():
    immediate.run(NOW)
    db.session.commit()


def _digests(languages) -> None:
    """A digest for everyone, in each language (the events' time is the
    clock's, not NOW)."""
    users = db.session.scalars(select(User)).all()
    saved = {u.id: u.locale for u in users}
    start = utcnow()
    for second, language in enumerate(languages):
        for user in users:
            user.locale = language
        db.session.execute(delete(DigestRun))  # what was told is news again
        db.session.commit()
        digests.run(start + timedelta(seconds=second), force=True)
    for user in users:
        user.locale = saved[user.id]
    db.session.commit()


def _story(languages) -> None:
    w = minutes_world.build()
    w.group.name = TEXTS["group"]
    w.meeting.title, w.meeting.number = TEXTS["meeting"], TEXTS["number"]
    for user in (w.coordinator, w.signatory, w.kz_head, w.kz_delegate, w.kz_expert, w.az_head):
        user.timezone = ZONE
    w.kz_delegate.notices = NoticeMode.DIGEST  # what needs them, in the digest
    w.kz_expert.digest = DigestFrequency.IMMEDIATELY  # an information mail per event
    db.session.commit()
    immediate.run(NOW)  # the story starts now (as a running beat has it)
    pd = _actor(w.coordinator)

    # Minutes: circulated under a silence procedure, two days to the deadline.
    minutes = minutes_services.add_version(pd, w.meeting, None, TEXTS["minutes_1"], now=NOW).minutes
    minutes_services.circulate(
        pd, minutes, deadline=NOW + timedelta(days=2), silence_procedure=True, now=NOW
    )
    agreement.record_position(
        _actor(w.az_head), minutes, w.az_head, version_number=1, position="agree", now=NOW
    )
    minutes_services.add_comment(
        _actor(w.kz_delegate), minutes, w.kz_delegate, TEXTS["comment"], now=NOW
    )
    _run()
    minutes_services.add_version(
        pd, w.meeting, minutes, TEXTS["minutes_2"], note=TEXTS["note"], now=NOW
    )
    _run()
    reminders.scan(NOW)  # deadline soon: nobody has a position on version 2
    db.session.commit()
    agreement.record_position(
        _actor(w.kz_head), minutes, w.kz_head, version_number=2, position="reservation",
        text=TEXTS["reservation"], now=NOW,
    )  # fmt: skip
    _run()
    for head in (w.kz_head, w.az_head):
        agreement.record_position(
            _actor(head), minutes, head, version_number=2, position="agree", now=NOW
        )
    _run()

    # Actions: assigned, reported done, sent back; one due in a week, one late.
    local_today = NOW.astimezone(ZoneInfo(ZONE)).date()
    item = actions.create_action(
        pd, w.group, title=TEXTS["action"], owner_state=w.kz, priority="high",
        due_date=local_today + timedelta(days=7), now=NOW,
    )  # fmt: skip
    actions.create_action(
        pd, w.group, title=TEXTS["late"], owner_state=w.kz,
        due_date=local_today - timedelta(days=1), now=NOW, confirm_past_due=True,
    )  # fmt: skip
    _run()
    actions.update_action(
        _actor(w.kz_head), item, now=NOW, status="done",
        comment=TEXTS["report"], reference=TEXTS["reference"],
    )  # fmt: skip
    _run()
    actions.update_action(pd, item, now=NOW, status="in_progress", comment=TEXTS["back"])
    _run()

    # A meeting in a week, its agenda, a document.
    starts = NOW + timedelta(days=7, hours=2)
    upcoming = meeting_services.create_meeting(
        pd, w.group,
        {"title": TEXTS["next"], "number": TEXTS["number"], "starts_at": starts,
         "ends_at": starts + timedelta(hours=6), "timezone": ZONE,
         "venue_city": TEXTS["venue"], "status": "planned"},
    )  # fmt: skip
    agenda.add_item(pd, upcoming, {"title": TEXTS["item"]})
    document_services.create_documents(
        pd, w.group,
        [Upload(stream=io.BytesIO(samples.make_pdf([TEXTS["document"]])), filename="vash.pdf")],
        title=TEXTS["document"], kind="working_paper", language="en", visibility="group",
    )  # fmt: skip
    db.session.commit()
    _run()
    reminders.scan(NOW)
    db.session.commit()
    _digests(languages)

    # Account mail.
    newcomer = f.make_user("newcomer@kz.example.org", name="Ulzhan Tesh", password=False)
    auth_services.send_invitation(_actor(w.admin), newcomer)
    db.session.commit()
    auth_services.request_password_reset(audit.SYSTEM, w.kz_delegate.email)
    auth_services.set_password(
        _actor(w.kz_expert), w.kz_expert, "Velmor-qash-2026-zq!", action="user.password_change"
    )
    db.session.commit()
