"""What one request reads: the session and its user in one query, the current
user's roles once per request (and never a stale answer), and a document
loaded together with the answer to "may this person read it?"."""

from __future__ import annotations

import re

from konsey import audit, policy
from konsey.extensions import db
from konsey.groups import services as roster
from konsey.models import Membership, Role, User
from konsey.policy import Action
from tests import factories as f
from tests.integration.conftest import login_as


def _selects(statements, table: str) -> list[str]:
    return [s for s in statements if re.search(rf"\bFROM {table}\b", s)]


def test_a_request_reads_session_user_and_roles_once(client, world, count_queries):
    login_as(client, world, "head")
    client.get("/groups/wg")  # a first request may refresh last_seen_at
    with count_queries() as statements:
        response = client.get("/groups/wg/meetings")
    assert response.status_code == 200
    [session_query] = [s for s in statements if "user_session" in s]
    assert "JOIN user_account" in session_query
    assert not [s for s in statements if re.search(r"FROM user_account\s+WHERE", s)]
    # The route's check, the page's role line and its buttons: one query.
    assert len(_selects(statements, "membership")) == 1


def test_a_download_reads_the_document_once(client, world, count_queries):
    login_as(client, world, "delegate")
    url = f"/groups/wg/documents/{world['document'].id}/versions/1/file"
    client.get(url)
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200
    assert len(_selects(statements, "document")) == 1


def test_a_document_the_user_may_not_read_is_still_refused(client, world):
    for who in ["observer", "outsider"]:
        login_as(client, world, who)
        doc = world["document"].id
        assert client.get(f"/groups/wg/documents/{doc}").status_code == 403, who
        assert client.get(f"/groups/wg/documents/{doc}/versions/1/file").status_code == 403, who


def test_roles_read_in_a_request_follow_roster_changes_in_that_request(app, world):
    group, outsider = world["group"], world["users"]["outsider"]
    coordinator = world["users"]["coordinator"]
    with app.test_request_context("/"):
        assert policy.role_in(outsider, group) is None
        assert not policy.can(outsider, Action.GROUP_VIEW, group)
        membership = roster.add_member(audit.Actor(user=coordinator), group, outsider, "delegate")
        assert policy.role_in(outsider, group) == Role.DELEGATE
        roster.change_role(audit.Actor(user=coordinator), membership, "expert")
        assert policy.role_in(outsider, group) == Role.EXPERT
        roster.remove_member(audit.Actor(user=coordinator), membership)
        assert policy.role_in(outsider, group) is None
        assert not policy.can(outsider, Action.GROUP_VIEW, group)


def test_roles_are_per_user_and_per_request(app, world, count_queries):
    group, head = world["group"], world["users"]["head"]
    outsider = world["users"]["outsider"]
    with app.test_request_context("/"):
        with count_queries() as statements:
            assert policy.role_in(head, group) == Role.HEAD
            assert policy.role_in(head, group) == Role.HEAD
            assert policy.role_in(outsider, group) is None  # not the head's answer
        assert len(_selects(statements, "membership")) == 2
        # What a caller does with the answer does not change the next one.
        policy.roles_by_group(outsider)[group.id] = Role.COORDINATOR
        assert policy.role_in(outsider, group) is None
    f.add(group, outsider, "observer")
    db.session.commit()
    with app.test_request_context("/"):  # the next request reads afresh
        assert policy.role_in(outsider, group) == Role.OBSERVER


def test_outside_a_request_nothing_is_remembered(world, count_queries):
    group, outsider = world["group"], world["users"]["outsider"]
    with count_queries() as statements:
        policy.role_in(outsider, group)
        policy.role_in(outsider, group)
    assert len(_selects(statements, "membership")) == 2


def test_a_rolled_back_membership_is_forgotten(app, world):
    group, outsider = world["group"], world["users"]["outsider"]
    with app.test_request_context("/"):
        db.session.add(Membership(group=group, user=outsider, role=Role.DELEGATE))
        db.session.flush()  # not committed: a request that then fails
        assert policy.role_in(outsider, group) == Role.DELEGATE
        db.session.rollback()
        outsider = db.session.get(User, outsider.id)
        assert policy.role_in(outsider, group) is None
