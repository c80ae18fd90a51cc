"""Shared fixtures of the integration tests."""

from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from konsey import audit
from konsey.auth import links
from konsey.auth.api_tokens import create_token
from konsey.auth.sessions import end_all as end_all_sessions
from konsey.auth.sessions import start as start_session
from konsey.extensions import db
from konsey.mail.outbox import queue_email
from konsey.models import User
from konsey.notifications import links as digest_links
from tests import factories as f


@pytest.fixture(autouse=True)
def files_dir(request, tmp_path):
    """Each test keeps its document files (konsey.storage) in its own folder,
    set before the world (which uploads a file) is built."""
    if "app" not in request.fixturenames:
        yield None
        return
    app = request.getfixturevalue("app")
    saved = app.config["FILES_PATH"], app.config["MAX_UPLOAD_BYTES"]
    app.config["FILES_PATH"] = str(tmp_path / "files")
    yield tmp_path / "files"
    app.config["FILES_PATH"], app.config["MAX_UPLOAD_BYTES"] = saved


@pytest.fixture
def world(ctx):
    """A group with one member in every role, an outsider, an admin, and a
    delegate who has been deactivated (with a session and a token from before)."""
    with f.batch():
        return _world()


def _world():
    kz = f.make_state("KZ")
    hu = f.make_state("HU", status="observer", tz="Europe/Budapest")
    group = f.make_group("wg")
    users = {
        "outsider": f.make_user("outsider@kz.example.org", state=kz),
        "observer": f.make_user("observer@hu.example.org", state=hu),
        "expert": f.make_user("expert@kz.example.org", state=kz),
        "delegate": f.make_user("delegate@kz.example.org", state=kz),
        "head": f.make_user("head@kz.example.org", state=kz),
        "coordinator": f.make_user("coordinator@secretariat.example.org"),
        "admin": f.make_user("admin@secretariat.example.org", is_admin=True),
        "deactivated": f.make_user("gone@kz.example.org", state=kz),
    }
    for role in ["observer", "expert", "delegate", "head", "coordinator"]:
        f.add(group, users[role], role)
    target = f.add(group, users["deactivated"], "delegate")
    tokens = {}
    for name, user in users.items():
        token, secret = create_token(audit.SYSTEM, user, "matrix")
        db.session.flush()
        tokens[name] = (token.id, secret)
    db.session.flush()
    # A live server-side session per user, as after a login; the deactivated
    # user's is ended by the deactivation, as the admin page does.
    sessions = {}
    for name, user in users.items():
        start_session(user, ip="127.0.0.1", user_agent="pytest", remember=False)
        sessions[name] = user.get_id()
    users["deactivated"].is_active_account = False
    users["deactivated"].session_nonce = "rotated"
    end_all_sessions(users["deactivated"])
    message = queue_email(users["outsider"], "invitation", "Hello", token="x")
    db.session.flush()
    reset = links.make_token(users["outsider"], "reset")
    world = {
        "group": group,
        "states": {"KZ": kz, "HU": hu},
        "users": users,
        "sessions": sessions,
        "tokens": tokens,
        "params": {
            "slug": group.slug,
            "membership_id": target.id,
            "state_id": kz.id,
            "user_id": users["outsider"].id,
            "session_id": users["outsider"].current_session_id,
            "group_id": group.id,
            "message_id": message.id,
            "token": reset,
            "digest_token": digest_links.make_token(users["delegate"]),
            "unsubscribe_token": digest_links.make_unsubscribe_token(
                users["delegate"].id, "notices"
            ),
        },
    }
    from tests.integration import (
        matrix_actions,
        matrix_documents,
        matrix_meetings,
        matrix_minutes,
        matrix_participants,
        matrix_translations,
    )

    matrix_meetings.extend_world(world)
    matrix_minutes.extend_world(world)
    matrix_documents.extend_world(world)
    matrix_actions.extend_world(world)
    matrix_participants.extend_world(world)
    matrix_translations.extend_world(world)
    db.session.flush()
    return world


def login_as(client, world, who: str) -> None:
    """Put ``who``'s login into the client's session (no password round trip).

    ``world["sessions"][who]`` is "<user id>:<session token>"; a value with no
    token (``user.get_id()`` of a user who never logged in) gets a new
    server-side session first, as a login would.
    """
    value = world["sessions"][who]
    if value.endswith(":"):
        user = db.session.get(User, int(value[:-1]))
        start_session(user, ip="127.0.0.1", user_agent="pytest", remember=False)
        db.session.commit()
        value = world["sessions"][who] = user.get_id()
    with client.http.session_transaction() as session:
        session["_user_id"] = value
        session["_fresh"] = True


@pytest.fixture
def live_url(app):
    """The app on a real threaded HTTP server on loopback, for races sent as
    real parallel requests."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(10)
