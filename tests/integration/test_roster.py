"""A working group's roster: delegations per member state, and the rules for
who may sit in which role — enforced with a clear message and nothing changed.
"""

from __future__ import annotations

import html
import re
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from konsey.extensions import db
from konsey.models import AuditEvent, Membership, Role
from tests import factories as f

LOCAL_IP = "127.0.0.1"


# Helpers ------------------------------------------------------------------------
def page_text(response) -> str:
    """The page as a person reads it: no tags, entities decoded, spaces collapsed."""
    text = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def roster_of(group) -> dict[str, Role]:
    """The group's members as the database has them: email → role."""
    db.session.rollback()  # see what the requests committed
    rows = db.session.execute(select(Membership).where(Membership.group_id == group.id)).scalars()
    return {m.user.email: m.role for m in rows}


def audit_count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


def add_form(user, role: str, state=None) -> dict[str, str]:
    """The "add a member" form; the delegation defaults to the person's own state."""
    if state is None:
        state = user.member_state
    return {"email": user.email, "member_state": str(state.id if state else 0), "role": role}


def assert_refused(response, status: int, message: str, group, before: dict[str, Role]):
    assert response.status_code == status, page_text(response)[:2000]
    assert message in page_text(response)
    assert roster_of(group) == before


@pytest.fixture
def w(ctx):
    """A group with a secretariat coordinator, two member-state delegations,
    an observer state's observer, and people not yet in it."""
    with f.batch():
        kz = f.make_state("KZ", "Kazakhstan")
        az = f.make_state("AZ", "Azerbaijan", tz="Asia/Baku")
        hu = f.make_state("HU", "Hungary", status="observer", tz="Europe/Budapest")
        group = f.make_group("cyber", "Cyber Security")
        other = f.make_group("e-gov", "E-Government")
        people = SimpleNamespace(
            admin=f.make_user("admin@secretariat.example.org", name="Admin", is_admin=True),
            coordinator=f.make_user("pd@secretariat.example.org", name="Project Director"),
            clerk=f.make_user("clerk@secretariat.example.org", name="Secretariat Clerk"),
            kz_head=f.make_user("head@kz.example.org", name="Nurlan Head", state=kz),
            kz_delegate=f.make_user("dana@kz.example.org", name="Dana Delegate", state=kz),
            kz_expert=f.make_user("erlan@kz.example.org", name="Erlan Expert", state=kz),
            kz_new=f.make_user("new@kz.example.org", name="Aigerim New", state=kz),
            az_head=f.make_user("head@az.example.org", name="Elvin Head", state=az),
            az_new=f.make_user("new@az.example.org", name="Leyla New", state=az),
            hu_observer=f.make_user("obs@hu.example.org", name="Hanna Observer", state=hu),
            hu_new=f.make_user("new@hu.example.org", name="Istvan New", state=hu),
            guest=f.make_user("guest@example.org", name="Guest Speaker"),
        )
        p = people
        f.add(group, p.coordinator, "coordinator")
        f.add(group, p.kz_head, "head")
        f.add(group, p.kz_delegate, "delegate")
        f.add(group, p.kz_expert, "expert")
        f.add(group, p.az_head, "head")
        f.add(group, p.hu_observer, "observer")
        f.add(group, p.guest, "observer")
        foreign = f.add(other, p.kz_delegate, "delegate")
    return SimpleNamespace(
        kz=kz, az=az, hu=hu, group=group, other=other, foreign=foreign, **vars(people)
    )


def membership(group, user) -> Membership:
    db.session.rollback()
    return db.session.scalar(
        select(Membership).where(Membership.group_id == group.id, Membership.user_id == user.id)
    )


MANAGERS = ["coordinator", "admin"]


# The roster page ----------------------------------------------------------------------
def test_roster_groups_members_by_delegation(client, w):
    client.login(w.kz_delegate.email)  # a member who reads the roster
    response = client.get("/groups/cyber/roster")
    assert response.status_code == 200
    text = page_text(response)

    # Coordinators first, then member states by name, then observer states, then guests.
    captions = [
        "Secretariat coordinators",
        "AZ · Azerbaijan",
        "KZ · Kazakhstan",
        "HU · Hungary (observer state)",
        "Guests",
    ]
    positions = [text.index(c) for c in captions]
    assert positions == sorted(positions), text

    assert "Project Director pd@secretariat.example.org Coordinator" in text
    assert "Elvin Head head@az.example.org Head of delegation" in text
    # Inside a delegation: the head, then delegates, then experts.
    kz_rows = [
        "Nurlan Head head@kz.example.org Head of delegation",
        "Dana Delegate dana@kz.example.org Delegate",
        "Erlan Expert erlan@kz.example.org Expert",
    ]
    kz_positions = [text.index(row) for row in kz_rows]
    assert positions[2] < kz_positions[0] < kz_positions[1] < kz_positions[2] < positions[3]
    assert "Hanna Observer obs@hu.example.org Observer" in text
    assert text.index("Guest Speaker guest@example.org Observer") > positions[4]

    # Not a manager: no forms to change anything.
    assert "Add a member" not in text
    assert "Change role" not in text


def test_group_home_summarises_delegations(client, w):
    client.login(w.kz_delegate.email)
    text = page_text(client.get("/groups/cyber"))
    assert "Your role: Delegate" in text
    assert "Kazakhstan: head: Nurlan Head · 3 people" in text
    assert "Azerbaijan: head: Elvin Head · 1 person" in text
    assert "Hungary: no head of delegation · 1 person" in text


@pytest.mark.parametrize("manager", MANAGERS)
def test_managers_see_the_forms(client, w, manager):
    client.login(getattr(w, manager).email)
    response = client.get("/groups/cyber/roster")
    assert response.status_code == 200
    text = page_text(response)
    assert "Add a member" in text
    assert "Change role" in text
    page = response.get_data(as_text=True)
    [email_input] = re.findall(r'<input[^>]*id="email"[^>]*>', page)
    assert 'type="email"' in email_input and 'list="people"' in email_input
    assert '<label for="email">Email of the person</label>' in page
    # Suggested: people of the group's states and the secretariat not yet in it.
    suggested = dict(re.findall(r'<option value="([^"]+@[^"]+)">([^<]+)</option>', page))
    assert suggested["new@kz.example.org"] == "Aigerim New — KZ"
    assert suggested["clerk@secretariat.example.org"] == "Secretariat Clerk"
    assert "dana@kz.example.org" not in suggested  # already a member


def test_suggestions_are_the_groups_states_only_and_capped(client, w, monkeypatch):
    from konsey.groups import queries

    tr = f.make_state("TR", "Turkey", tz="Europe/Istanbul")
    f.make_user("new@tr.example.org", name="Ayse Outside", state=tr)
    gone = f.make_user("gone@kz.example.org", name="Gone Person", state=w.kz)
    gone.is_active_account = False
    db.session.commit()
    client.login(w.coordinator.email)

    def suggested():
        page = client.get("/groups/cyber/roster").get_data(as_text=True)
        return re.findall(r'<option value="([^"]+@[^"]+)">', page)

    everyone = suggested()
    assert "new@tr.example.org" not in everyone  # Turkey has no delegation here
    assert "gone@kz.example.org" not in everyone
    assert len(everyone) == 5
    monkeypatch.setattr(queries, "SUGGESTIONS", 2)
    assert suggested() == everyone[:2]
    # Someone not suggested can still be added by typing the address.
    before = roster_of(w.group)
    response = client.post("/groups/cyber/roster", add_form(w.kz_new, "delegate"))
    assert response.status_code == 302
    assert roster_of(w.group) == {**before, "new@kz.example.org": Role.DELEGATE}


def test_email_is_matched_whatever_its_case_and_spaces(coordinator_client, w):
    form = {**add_form(w.az_new, "delegate"), "email": "  New@AZ.Example.org "}
    assert coordinator_client.post("/groups/cyber/roster", form).status_code == 302
    assert roster_of(w.group)["new@az.example.org"] == Role.DELEGATE


def test_demo_groups_show_their_delegations(demo, client):
    client.login("admin@secretariat.example.org")
    home = page_text(client.get("/groups/cyber-security"))
    assert "Kazakhstan: head: Head of Delegation of Kazakhstan · 2 people" in home
    for state in ["Azerbaijan", "Kyrgyzstan", "Turkey"]:
        assert f"{state}: head: Head of Delegation of {state} · 1 person" in home

    roster = page_text(client.get("/groups/cyber-security/roster"))
    assert "Project Director (Secretariat) coordinator@secretariat.example.org Coordinator" in (
        roster
    )
    kz = roster.index("KZ · Kazakhstan")
    head = roster.index("Head of Delegation of Kazakhstan head.kz@kz.example.org Head of")
    delegate = roster.index("Delegate of Kazakhstan delegate.kz@kz.example.org Delegate")
    assert kz < head < delegate

    e_gov = page_text(client.get("/groups/e-government/roster"))
    assert "HU · Hungary (observer state)" in e_gov
    assert "Observer of Hungary observer.hu@hu.example.org Observer" in e_gov


# Managing the roster --------------------------------------------------------------------
@pytest.mark.parametrize("manager", MANAGERS)
def test_managers_add_change_and_remove(client, w, manager):
    actor = getattr(w, manager)
    client.login(actor.email)

    response = client.post("/groups/cyber/roster", add_form(w.kz_new, "delegate"))
    assert response.status_code == 302
    assert "Aigerim New is added to the group." in page_text(client.get("/groups/cyber/roster"))
    added = membership(w.group, w.kz_new)
    assert (added.role, added.member_state_id) == (Role.DELEGATE, w.kz.id)

    response = client.post(f"/groups/cyber/roster/{added.id}/role", {"role": "expert"})
    assert response.status_code == 302
    assert "The role is changed." in page_text(client.get("/groups/cyber/roster"))
    assert membership(w.group, w.kz_new).role == Role.EXPERT

    response = client.post(f"/groups/cyber/roster/{added.id}/remove")
    assert response.status_code == 302
    text = page_text(client.get("/groups/cyber/roster"))
    assert "Aigerim New is removed from the group." in text
    assert "new@kz.example.org Expert" not in text
    assert membership(w.group, w.kz_new) is None

    db.session.rollback()
    trail = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action.startswith("membership."))
        .order_by(AuditEvent.id)
    ).all()
    assert [e.action for e in trail] == [
        "membership.add",
        "membership.role_change",
        "membership.remove",
    ]
    for event in trail:
        assert (event.actor_id, event.ip) == (actor.id, LOCAL_IP)
        assert (event.object_type, event.object_id) == ("working_group", str(w.group.id))
        assert event.details["user"] == "new@kz.example.org"
    assert trail[0].details["role"] == "delegate"
    assert (trail[1].details["old"], trail[1].details["new"]) == ("delegate", "expert")


def test_secretariat_coordinator_and_guest_observer_can_be_added(client, w):
    client.login(w.coordinator.email)
    assert client.post("/groups/cyber/roster", add_form(w.clerk, "coordinator")).status_code == 302
    assert client.post("/groups/cyber/roster", add_form(w.hu_new, "observer")).status_code == 302
    members = roster_of(w.group)
    assert members["clerk@secretariat.example.org"] == Role.COORDINATOR
    assert members["new@hu.example.org"] == Role.OBSERVER


def test_members_who_do_not_coordinate_cannot_manage(client, w):
    client.login(w.kz_head.email)
    before = roster_of(w.group)
    head = membership(w.group, w.kz_head)
    assert client.post("/groups/cyber/roster", add_form(w.kz_new, "delegate")).status_code == 403
    assert client.post(f"/groups/cyber/roster/{head.id}/role", {"role": "expert"}).status_code == (
        403
    )
    assert client.post(f"/groups/cyber/roster/{head.id}/remove").status_code == 403
    assert roster_of(w.group) == before


# The rules: refused with a message, nothing changed ------------------------------------
@pytest.fixture
def coordinator_client(client, w):
    client.login(w.coordinator.email)
    client.get("/groups/cyber/roster")
    return client


def test_delegate_only_in_own_states_delegation(coordinator_client, w):
    before, events = roster_of(w.group), audit_count()
    response = coordinator_client.post(
        "/groups/cyber/roster", add_form(w.kz_new, "delegate", state=w.az)
    )
    assert_refused(
        response,
        422,
        "Aigerim New can only be added to the delegation of their own member state.",
        w.group,
        before,
    )
    assert audit_count() == events


def test_member_state_person_cannot_be_added_to_secretariat(coordinator_client, w):
    before = roster_of(w.group)
    response = coordinator_client.post(
        "/groups/cyber/roster", {"email": w.kz_new.email, "member_state": "0", "role": "observer"}
    )
    assert_refused(
        response,
        422,
        "can only be added to the delegation of their own member state.",
        w.group,
        before,
    )


def test_second_head_of_delegation_is_a_conflict(coordinator_client, w):
    before = roster_of(w.group)
    response = coordinator_client.post("/groups/cyber/roster", add_form(w.kz_new, "head"))
    assert_refused(
        response,
        409,
        "Kazakhstan already has a head of delegation in this group: Nurlan Head.",
        w.group,
        before,
    )

    expert = membership(w.group, w.kz_expert)
    response = coordinator_client.post(f"/groups/cyber/roster/{expert.id}/role", {"role": "head"})
    assert_refused(
        response,
        409,
        "Kazakhstan already has a head of delegation in this group: Nurlan Head.",
        w.group,
        before,
    )


def test_head_role_is_free_again_after_the_head_steps_down(coordinator_client, w):
    head = membership(w.group, w.kz_head)
    assert (
        coordinator_client.post(
            f"/groups/cyber/roster/{head.id}/role", {"role": "delegate"}
        ).status_code
        == 302
    )
    assert (
        coordinator_client.post("/groups/cyber/roster", add_form(w.kz_new, "head")).status_code
        == 302
    )
    members = roster_of(w.group)
    assert members["head@kz.example.org"] == Role.DELEGATE
    assert members["new@kz.example.org"] == Role.HEAD


def test_member_state_person_cannot_coordinate(coordinator_client, w):
    before = roster_of(w.group)
    message = "Coordinators come from the secretariat, not from a member state."
    response = coordinator_client.post("/groups/cyber/roster", add_form(w.kz_new, "coordinator"))
    assert_refused(response, 422, message, w.group, before)

    delegate = membership(w.group, w.kz_delegate)
    response = coordinator_client.post(
        f"/groups/cyber/roster/{delegate.id}/role", {"role": "coordinator"}
    )
    assert_refused(response, 422, message, w.group, before)


@pytest.mark.parametrize("role", ["head", "delegate", "expert"])
def test_observer_state_person_only_observes(coordinator_client, w, role):
    before = roster_of(w.group)
    message = "Hungary is an observer state; its people can only be observers."
    response = coordinator_client.post("/groups/cyber/roster", add_form(w.hu_new, role))
    assert_refused(response, 422, message, w.group, before)

    observer = membership(w.group, w.hu_observer)
    response = coordinator_client.post(f"/groups/cyber/roster/{observer.id}/role", {"role": role})
    assert_refused(response, 422, message, w.group, before)


def test_secretariat_person_cannot_sit_in_a_delegation(coordinator_client, w):
    before = roster_of(w.group)
    response = coordinator_client.post("/groups/cyber/roster", add_form(w.clerk, "delegate"))
    assert_refused(
        response, 422, "Only a person of a member state can sit in a delegation.", w.group, before
    )


def test_person_already_in_the_group_is_a_conflict(coordinator_client, w):
    before, events = roster_of(w.group), audit_count()
    response = coordinator_client.post("/groups/cyber/roster", add_form(w.kz_delegate, "expert"))
    assert_refused(response, 409, "Dana Delegate is already in this group.", w.group, before)
    assert audit_count() == events


def test_deactivated_person_cannot_be_added(coordinator_client, w):
    db.session.rollback()
    w.kz_new.is_active_account = False
    db.session.commit()
    before = roster_of(w.group)
    response = coordinator_client.post("/groups/cyber/roster", add_form(w.kz_new, "delegate"))
    assert_refused(response, 422, "This account is deactivated.", w.group, before)


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("nobody@example.org", "No account has this email address."),
        ("somebody", "Enter a valid email address."),
        ("", "This field is required."),
        ("x" * 250 + "@example.org", "Field cannot be longer than 254 characters."),
    ],
)
def test_unknown_person_is_refused(coordinator_client, w, email, message):
    before, events = roster_of(w.group), audit_count()
    response = coordinator_client.post(
        "/groups/cyber/roster", {"email": email, "member_state": "0", "role": "observer"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(r'<p class="error" id="email-error">[^<]*' + re.escape(message), page)
    assert 'aria-invalid="true"' in page
    assert roster_of(w.group) == before
    assert audit_count() == events


def test_unknown_role_is_refused(coordinator_client, w):
    before = roster_of(w.group)
    response = coordinator_client.post("/groups/cyber/roster", add_form(w.kz_new, "chair"))
    assert_refused(response, 422, "Not a valid choice", w.group, before)

    delegate = membership(w.group, w.kz_delegate)
    response = coordinator_client.post(
        f"/groups/cyber/roster/{delegate.id}/role", {"role": "chair"}
    )
    assert_refused(response, 422, "Choose a role.", w.group, before)


def test_membership_of_another_group_is_not_found(coordinator_client, w):
    before_here, before_there = roster_of(w.group), roster_of(w.other)
    foreign = w.foreign.id
    role = coordinator_client.post(f"/groups/cyber/roster/{foreign}/role", {"role": "expert"})
    assert role.status_code == 404
    remove = coordinator_client.post(f"/groups/cyber/roster/{foreign}/remove")
    assert remove.status_code == 404
    missing = coordinator_client.post("/groups/cyber/roster/999999/remove")
    assert missing.status_code == 404
    assert roster_of(w.group) == before_here
    assert roster_of(w.other) == before_there


# Query count ---------------------------------------------------------------------------
def _group_of(size: int, slug: str):
    """A group of ``size`` members across delegations, with a coordinator."""
    with f.batch():
        states = [
            f.make_state("KZ", "Kazakhstan"),
            f.make_state("AZ", "Azerbaijan", tz="Asia/Baku"),
            f.make_state("KG", "Kyrgyzstan", tz="Asia/Bishkek"),
            f.make_state("TR", "Turkey", tz="Europe/Istanbul"),
        ]
        observer_state = f.make_state("HU", "Hungary", status="observer", tz="Europe/Budapest")
        group = f.make_group(slug)
        coordinator = f.make_user(f"pd-{slug}@secretariat.example.org")
        f.add(group, coordinator, "coordinator")
        for i in range(size - 1):
            if i % 5 == 4:
                f.add(group, f.make_user(state=observer_state), "observer")
                continue
            role = "head" if i < 4 else ("delegate", "expert")[i % 2]
            f.add(group, f.make_user(state=states[i % 4]), role)
        f.make_user(state=states[0])  # someone to offer in the "add" form
    return group, coordinator


def test_roster_query_count_does_not_grow_with_members(ctx, make_client, count_queries):
    counts = {}
    for size, slug in [(3, "small"), (60, "large")]:
        group, coordinator = _group_of(size, slug)
        db.session.rollback()
        assert (
            db.session.scalar(
                select(func.count()).select_from(Membership).where(Membership.group_id == group.id)
            )
            == size
        )
        browser = make_client()
        browser.login(coordinator.email)
        browser.get(f"/groups/{slug}/roster")  # warm-up
        with count_queries() as statements:
            response = browser.get(f"/groups/{slug}/roster")
        assert response.status_code == 200
        counts[size] = len(statements)
    assert counts[3] == counts[60], counts
    assert counts[60] <= 10, counts
