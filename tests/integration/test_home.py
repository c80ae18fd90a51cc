"""The home page ("what needs me?") at ``/``: for every demo account, for
heads and delegates whose state owes a position, across groups, and in a
bounded number of queries."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest

from konsey import audit
from konsey.actions import services as action_services
from konsey.documents import samples
from konsey.documents import services as document_services
from konsey.documents.services import Upload
from konsey.extensions import db
from konsey.minutes import services as minutes_services
from tests import factories as f
from tests.integration.meetings_data import make_meeting, soon


def text_of(html: str) -> str:
    """Markup as a person reads it: no tags, entities decoded, spaces collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def section(html: str, heading_id: str) -> str:
    """The text of the home page's section labelled by ``heading_id``."""
    match = re.search(
        rf'<section aria-labelledby="{heading_id}".*?</section>', html, flags=re.DOTALL
    )
    return text_of(match.group(0)) if match else ""


def home(client, email):
    client.login(email)
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


# The demo accounts ------------------------------------------------------------------
EGOV_MEETING = "2nd Meeting of the Sub-Working Group on E-Government"
EGOV_MINUTES = "Meeting of the Sub-Working Group on E-Government"
TASIM_MINUTES = "Meeting of the Sub-Working Group on TASIM and Fibre-Optic Infrastructure"

# email → {section id: (must contain, must not contain)}
DEMO_EXPECTATIONS = {
    "admin@secretariat.example.org": {
        "home-meetings-h": ([EGOV_MEETING], []),
        "home-sign-h": ([TASIM_MINUTES], []),
        "home-docs-h": (["Cyber Security: working paper"], []),
    },
    "coordinator@secretariat.example.org": {
        "home-meetings-h": ([EGOV_MEETING], []),
        "home-sign-h": ([TASIM_MINUTES], [EGOV_MINUTES]),
        "home-minutes-h": ([], [EGOV_MINUTES]),
        # Kyrgyzstan's overdue items, in every group the coordinator runs.
        "home-chase-h": (["Kyrgyzstan: contribution to the E-Government work plan"], []),
    },
    "secretary.general@secretariat.example.org": {
        # ict-ministers only: its minutes are signed, its next meeting has no date yet.
        "home-meetings-h": ([], [EGOV_MEETING]),
        "home-sign-h": ([], [TASIM_MINUTES]),
        "home-docs-h": (["Meeting of Ministers in charge of ICT: working paper"], ["Cyber"]),
    },
    "head.az@az.example.org": {
        "home-minutes-h": ([], [EGOV_MINUTES]),  # Azerbaijan has agreed
        "home-actions-h": (["Azerbaijan: contribution to the E-Government work plan"], []),
    },
    "head.kz@kz.example.org": {
        "home-meetings-h": ([EGOV_MEETING, "Asia/Almaty"], []),
        "home-minutes-h": ([EGOV_MINUTES], [TASIM_MINUTES]),
        "home-actions-h": (
            ["Kazakhstan: contribution to the E-Government work plan", "KZ"],
            ["Azerbaijan:", "Kyrgyzstan:"],
        ),
    },
    "head.kg@kg.example.org": {
        "home-minutes-h": ([EGOV_MINUTES], []),
        "home-actions-h": (["Kyrgyzstan: contribution to the Cyber Security work plan"], []),
    },
    "head.tr@tr.example.org": {
        "home-minutes-h": ([], [EGOV_MINUTES]),  # Turkey has agreed
        # The venue's time and the viewer's own (Istanbul is not Almaty's clock).
        "home-meetings-h": ([EGOV_MEETING, "Asia/Almaty", "Europe/Istanbul"], []),
        "home-actions-h": ([], ["Turkey: contribution"]),  # done
    },
    "delegate.kz@kz.example.org": {
        "home-minutes-h": ([EGOV_MINUTES], []),
        "home-actions-h": (
            [
                "Delegate of Kazakhstan: national contact point for E-Government",
                "Kazakhstan: contribution to the Cyber Security work plan",
            ],
            ["Satellite Services work plan"],  # not a group of theirs
        ),
    },
    "expert.kg@kg.example.org": {
        "home-meetings-h": ([], [EGOV_MEETING]),
        "home-actions-h": (["Kyrgyzstan: contribution to the Satellite Services work plan"], []),
    },
    "observer.hu@hu.example.org": {
        "home-meetings-h": ([EGOV_MEETING], []),
        "home-actions-h": ([], ["work plan"]),
        "home-docs-h": ([], ["working paper"]),  # group documents are not for observers
    },
}


def test_expectations_cover_every_demo_account():
    from konsey.demo import DEMO_ACCOUNTS

    assert {email for email, _ in DEMO_ACCOUNTS} == set(DEMO_EXPECTATIONS)


@pytest.mark.parametrize("email", sorted(DEMO_EXPECTATIONS))
def test_home_answers_for_every_demo_account(demo, client, email):
    html = home(client, email)
    for heading_id, (present, absent) in DEMO_EXPECTATIONS[email].items():
        text = section(html, heading_id)
        for wanted in present:
            assert wanted in text, f"{email}: {heading_id} lacks {wanted!r}: {text[:600]}"
        for unwanted in absent:
            assert unwanted not in text, f"{email}: {heading_id} shows {unwanted!r}"


def test_overdue_action_is_marked(demo, client):
    html = home(client, "head.kg@kg.example.org")
    row = re.search(r"<tr class=\"action-overdue\">.*?</tr>", html, flags=re.DOTALL)
    assert row and "Kyrgyzstan: contribution" in row.group(0)
    assert "badge-overdue" in row.group(0)


def test_action_due_later_is_counted_not_listed(demo, client):
    # The founding action (owed by Kazakhstan) is due in 20 days: beyond the
    # 14-day window, so it is counted with a link to "My actions".
    text = section(home(client, "head.kz@kz.example.org"), "home-actions-h")
    assert "Inform the Secretariat" not in text
    # head.kz reads Konsey in Russian (the demo's profile).
    assert re.search(r"Ещё \d+ невыполненн\w+ поручени\w+ с более поздним сроком", text)


def test_position_recorded_removes_minutes_from_home(demo, client):
    client.login("head.kz@kz.example.org")
    html = client.get("/").get_data(as_text=True)
    # The E-Government minutes' entry (the demo has other minutes awaiting positions).
    entry = next(
        li
        for li in re.findall(r"<li\b.*?</li>", section_html(html, "home-minutes-h"), re.DOTALL)
        if EGOV_MINUTES in li
    )
    link = re.search(r'href="(/meetings/(\d+)/minutes)#position"', entry)
    minutes_page = client.get(link.group(1)).get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', minutes_page).group(1)
    response = client.post(
        f"/meetings/{link.group(2)}/minutes/positions", {"version": version, "position": "agree"}
    )
    assert response.status_code == 302
    assert EGOV_MINUTES not in section(client.get("/").get_data(as_text=True), "home-minutes-h")


def section_html(html: str, heading_id: str) -> str:
    match = re.search(
        rf'<section aria-labelledby="{heading_id}".*?</section>', html, flags=re.DOTALL
    )
    return match.group(0) if match else ""


def test_anonymous_goes_to_login(client, ctx):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login")


# New documents since the previous login ---------------------------------------------
def _upload(group, title, visibility="group"):
    [doc] = document_services.create_documents(
        audit.SYSTEM,
        group,
        [Upload(stream=io.BytesIO(samples.make_pdf([title])), filename="paper.pdf")],
        title=title,
        kind="working_paper",
        language="en",
        visibility=visibility,
    )
    db.session.commit()
    return doc


def test_new_documents_since_previous_login(ctx, make_client):
    kz = f.make_state("KZ", "Kazakhstan")
    group = f.make_group("wg", "Working Group")
    other = f.make_group("other", "Other Group")
    head = f.make_user("head@kz.example.org", state=kz)
    f.add(group, head, "head")
    _upload(group, "Old paper")
    _upload(other, "Paper of a group I am not in")

    first = make_client()
    text = section(home(first, head.email), "home-docs-h")
    # The first login: the last two weeks.
    assert "Old paper" in text
    assert "Paper of a group I am not in" not in text

    _upload(group, "Paper uploaded between the logins")
    second = make_client()
    text = section(home(second, head.email), "home-docs-h")
    assert "Paper uploaded between the logins" in text
    assert "Old paper" not in text
    # Stable while the session lasts: reading the page does not empty it.
    assert "Paper uploaded between the logins" in section(
        second.get("/").get_data(as_text=True), "home-docs-h"
    )


# A bounded number of queries -----------------------------------------------------
def _populate(kz, head, groups: range, per_group: int):
    now = datetime.now(UTC)
    for g in groups:
        group = f.make_group()
        f.add(group, head, "head")
        for n in range(per_group):
            make_meeting(group, f"Meeting {g}.{n}", starts=soon(5 + n), agenda=["Item"])
            held = make_meeting(
                group,
                f"Held {g}.{n}",
                starts=now - timedelta(days=30 + n),
                status="held",
            )
            version = minutes_services.add_version(audit.SYSTEM, held, None, "Text", now=now)
            db.session.commit()
            minutes_services.circulate(
                audit.SYSTEM,
                version.minutes,
                deadline=now + timedelta(days=5),
                silence_procedure=False,
                now=now,
            )
            for days in (-3, 2, 40):
                action_services.create_action(
                    audit.SYSTEM,
                    group,
                    title=f"Action {g}.{n} {days}",
                    owner_state=kz,
                    due_date=now.date() + timedelta(days=days),
                    now=now,
                    confirm_past_due=True,
                )
            db.session.commit()
            _upload(group, f"Paper {g}.{n}")


def test_home_runs_a_bounded_number_of_queries(ctx, client, count_queries):
    kz = f.make_state("KZ", "Kazakhstan")
    head = f.make_user("head@kz.example.org", state=kz)
    _populate(kz, head, range(1), per_group=1)
    client.login(head.email)
    with count_queries() as little:
        html = client.get("/").get_data(as_text=True)
    assert "Meeting 0.0" in html and "Held 0.0" in html and "Paper 0.0" in html

    _populate(kz, head, range(1, 5), per_group=3)
    with count_queries() as much:
        html = client.get("/").get_data(as_text=True)
    assert "Meeting 4.2" in html and "Action 4.2 -3" in html and "Paper 4.2" in html
    assert len(much) == len(little), "\n".join(much)
    assert len(little) <= 25
