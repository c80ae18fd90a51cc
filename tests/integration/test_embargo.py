"""Distribution and embargo: who sees an embargoed document before and after
its instant (pages, lists, API, search, digests), the worker's release, the
derestriction, the marking in the file's name, and bad input refused."""

from __future__ import annotations

import io
import itertools
from datetime import timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from konsey import audit, policy
from konsey.auth.api_tokens import create_token
from konsey.documents import embargo
from konsey.documents import services as document_services
from konsey.documents.services import Upload
from konsey.errors import ValidationError
from konsey.extensions import db
from konsey.models import AuditEvent, Distribution, Document, Role, User, Visibility
from konsey.models.base import utcnow
from konsey.notifications import events as event_rules
from konsey.notifications import happened
from konsey.policy import DocumentAudience
from konsey.search import query as search
from tests import factories as f

TITLE = "Zephyrine broadband memorandum"
READERS = ["coordinator", "uploader", "tr_expert", "kz_delegate", "kz_other", "observer", "admin"]
READERS += ["outsider"]
# Under embargo: the group's coordinators, the uploading delegation (Turkey), admins.
BEFORE = {"coordinator", "uploader", "tr_expert", "admin"}
# Released: its audience (shared with the council and this group's observers).
AFTER = BEFORE | {"kz_delegate", "kz_other", "observer"}


def _upload(actor_user, group, title=TITLE, **kw):
    values = {"kind": "working_paper", "language": "en", "visibility": "observers"} | kw
    [document] = document_services.create_documents(
        audit.Actor(user=actor_user),
        group,
        [Upload(io.BytesIO(f"{title}\n".encode()), "memo.txt")],
        title=title,
        **values,
    )
    return document


@pytest.fixture
def emb(ctx):
    tr, kz = f.make_state("TR", name="Turkey", tz="Europe/Istanbul"), f.make_state("KZ")
    hu = f.make_state("HU", status="observer", tz="Europe/Budapest")
    egov = f.make_group("egov", name="E-Government")
    other = f.make_group("other", name="Transport")
    users = {
        "coordinator": f.make_user("coord@secretariat.example.org", timezone="Europe/Istanbul"),
        "uploader": f.make_user("deniz@tr.example.org", state=tr),
        "tr_expert": f.make_user("ece@tr.example.org", state=tr),
        "kz_delegate": f.make_user("aru@kz.example.org", state=kz),
        "kz_other": f.make_user("bolat@kz.example.org", state=kz),
        "observer": f.make_user("obs@hu.example.org", state=hu),
        "admin": f.make_user("admin@secretariat.example.org", is_admin=True),
        "outsider": f.make_user("nobody@kz.example.org", state=kz),
    }
    f.add(egov, users["coordinator"], "coordinator")
    f.add(egov, users["uploader"], "delegate")
    f.add(egov, users["tr_expert"], "expert")
    f.add(egov, users["kz_delegate"], "delegate")
    f.add(other, users["kz_other"], "head")
    f.add(egov, users["observer"], "observer")
    db.session.commit()
    now = utcnow().replace(microsecond=0)
    until = now + timedelta(minutes=30)
    document = _upload(
        users["uploader"],
        egov,
        distribution="restricted",
        embargo_until=until,
        derestrict_at=until + timedelta(minutes=30),
    )
    return SimpleNamespace(
        users=users, group=egov, other=other, doc=document, now=now, until=until, tr=tr
    )


def _audience(user) -> DocumentAudience:
    return DocumentAudience.of(db.session.get(User, user.id))


def _readable(user, now) -> bool:
    audience = _audience(user)
    query = select(Document.id).where(Document.title == TITLE, audience.condition(now))
    return db.session.scalar(query) is not None


def test_upload_records_the_uploading_delegation_and_the_dates(emb):
    doc = db.session.get(Document, emb.doc.id)
    assert doc.origin_state_id == emb.tr.id
    assert doc.distribution == Distribution.RESTRICTED
    assert doc.embargo_until == emb.until
    assert doc.released_at is None


@pytest.mark.parametrize("moment", ["before", "after"])
def test_who_reads_it_before_and_after_the_instant_sql_and_python(emb, moment):
    now = emb.until - timedelta(seconds=1) if moment == "before" else emb.until
    expected = BEFORE if moment == "before" else AFTER
    doc = db.session.get(Document, emb.doc.id)
    for name in READERS:
        user = emb.users[name]
        assert _readable(user, now) == (name in expected), (name, moment)
        assert _audience(user).admits(doc, now) == (name in expected), (name, moment)


def test_pages_lists_api_and_search_before_and_after(emb, make_client, app):
    """Through HTTP, as each reader, with the clock frozen on either side of the
    instant: the page, the library (title and count), the API list, search."""
    doc = emb.doc
    tokens = {}
    for name in READERS:
        _token, secret = create_token(audit.SYSTEM, emb.users[name], "t")
        tokens[name] = secret
    db.session.commit()
    page = f"/groups/egov/documents/{doc.id}"
    for moment, at in (
        ("before", emb.until - timedelta(seconds=5)),
        ("after", emb.until + timedelta(seconds=1)),
    ):
        expected = BEFORE if moment == "before" else AFTER
        with freeze_time(at):
            for name in READERS:
                auth = {"Authorization": f"Bearer {tokens[name]}"}
                http = app.test_client()
                sees = name in expected
                answer = http.get(f"/api/v1/documents/{doc.id}", headers=auth)
                assert (answer.status_code == 200) == sees, (name, moment, answer.status_code)
                listed = http.get("/api/v1/groups/egov/documents", headers=auth)
                if listed.status_code == 200:
                    titles = [d["title"] for d in listed.get_json()]
                    assert (TITLE in titles) == sees, (name, moment)
                found = http.get("/api/v1/search?q=Zephyrine", headers=auth)
                hits = [h["document"]["title"] for h in found.get_json()["results"]]
                assert (TITLE in hits) == sees, (name, moment)
                # The SQL search too, with the reader's condition (no count, no snippet).
                results = search.search(emb.users[name], "Zephyrine")
                assert bool(results.hits) == sees and (results.total > 0) == sees
            client = make_client()
            client.login("aru@kz.example.org")
            library = client.get("/groups/egov/documents").get_data(as_text=True)
            assert (TITLE in library) == (moment == "after")
            assert (client.get(page).status_code == 200) == (moment == "after")


def test_why_can_i_see_this_for_each_audience(emb, app):
    doc = db.session.get(Document, emb.doc.id)
    users = emb.users
    with app.test_request_context():
        before = emb.until - timedelta(minutes=1)
        assert policy.why_visible(users["uploader"], doc, before) == (
            f"Under embargo until {_local(emb.until, 'UTC')} (your time): you see it as a "
            "member of the uploading delegation (Turkey)."
        )
        assert policy.why_visible(users["coordinator"], doc, before) == (
            f"Under embargo until {_local(emb.until, 'Europe/Istanbul')} (your time): you see "
            "it as a coordinator of E-Government."
        )
        assert policy.why_visible(users["admin"], doc, before) == (
            "You are an administrator: you see every document."
        )
        after = emb.until
        assert policy.why_visible(users["kz_delegate"], doc, after) == (
            "Shared with the council: you are in State KZ's delegation in E-Government."
        )
        assert policy.why_visible(users["kz_other"], doc, after) == (
            "Shared with the council: you are in State KZ's delegation in Transport."
        )
        assert policy.why_visible(users["coordinator"], doc, after) == (
            "Shared with the council: you coordinate E-Government."
        )
        assert policy.why_visible(users["observer"], doc, after) == (
            "Shared with this group's observers: you observe it."
        )
        doc.visibility = Visibility.GROUP
        assert policy.why_visible(users["coordinator"], doc, after) == (
            "Shared with this group: you coordinate it."
        )
        assert policy.why_visible(users["kz_delegate"], doc, after) == (
            "Shared with this group: you are in State KZ's delegation."
        )
        db.session.rollback()


def _local(instant, zone) -> str:
    from konsey import timefmt

    return timefmt.format_datetime(timefmt.local(instant, zone), "long", rebase=False)


def test_the_page_shows_the_line_and_the_marking(emb, make_client):
    client = make_client()
    client.login("deniz@tr.example.org")
    html = client.get(f"/groups/egov/documents/{emb.doc.id}").get_data(as_text=True)
    assert "you see it as a member of the uploading delegation (Turkey)" in html
    assert "Restricted" in html and "Under embargo" in html
    library = client.get("/groups/egov/documents").get_data(as_text=True)
    assert "marking-restricted" in library and "marking-embargo" in library


def _releases(doc_id) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "document.release", AuditEvent.object_id == str(doc_id))
    )


def test_the_worker_releases_once_and_derestricts_at_the_instants(emb):
    from workers.documents import release_embargoes

    with freeze_time(emb.until - timedelta(seconds=1)):
        assert release_embargoes() == {"released": 0, "derestricted": 0}
    with freeze_time(emb.until):
        assert release_embargoes() == {"released": 1, "derestricted": 0}
        assert release_embargoes() == {"released": 0, "derestricted": 0}  # idempotent
    doc = db.session.get(Document, emb.doc.id)
    assert doc.released_at == emb.until
    assert _releases(doc.id) == 1
    derestrict = doc.derestrict_at
    assert embargo.distribution_at(doc, derestrict - timedelta(seconds=1)) == "restricted"
    assert embargo.distribution_at(doc, derestrict) == "general"  # before the worker, too
    with freeze_time(derestrict):
        assert release_embargoes() == {"released": 0, "derestricted": 1}
        assert release_embargoes() == {"released": 0, "derestricted": 0}
    db.session.expire_all()
    doc = db.session.get(Document, emb.doc.id)
    assert (doc.distribution, doc.derestricted_at) == (Distribution.GENERAL, derestrict)


def _news_for(user, start, end) -> list[str]:
    """The digest lines ("what happened") the reader gets for [start, end)."""
    user = db.session.get(User, user.id)
    roles = policy.roles_by_group(user)
    news = happened.load(set(roles) or {0}, start, end, 0)
    folds, _newest = happened.for_user(news, user, roles, SimpleNamespace(start=start, end=end), 0)
    return [e.action for group in folds.values() for _key, evs in group for e in evs]


def test_digests_tell_the_release_as_news_and_nothing_before(emb, app):
    from workers.documents import release_embargoes

    start = emb.now - timedelta(hours=1)
    users = emb.users
    with app.test_request_context(), freeze_time(emb.until - timedelta(minutes=1)):
        # Composed under embargo: only those who see it hear of the upload.
        assert _news_for(users["tr_expert"], start, utcnow()) == ["document.create"]
        assert _news_for(users["coordinator"], start, utcnow()) == ["document.create"]
        for name in ("kz_delegate", "observer"):
            assert _news_for(users[name], start, utcnow()) == [], name
    with freeze_time(emb.until + timedelta(seconds=30)):
        release_embargoes()
    with app.test_request_context(), freeze_time(emb.until + timedelta(minutes=5)):
        end = utcnow()
        # Composed after the release: the others hear of it as a new document...
        for name in ("kz_delegate", "observer"):
            assert _news_for(users[name], start, end) == ["document.release"], name
        # ...those who saw it under embargo are not told again.
        assert _news_for(users["tr_expert"], start, end) == ["document.create"]
        news = happened.load({emb.group.id}, start, end, 0)
        release = [e for e in news.events if e.action == "document.release"]
        line = happened.line(news, release, users["kz_delegate"])
        assert line.headline == f"Released from embargo: {TITLE}"


def test_immediate_notices_follow_the_same_rule(emb):
    from workers.documents import release_embargoes

    with freeze_time(emb.until):
        release_embargoes()
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.in_(["document.create", "document.release"]))
    ).all()
    objects = event_rules.load_objects(events)
    users = emb.users
    with freeze_time(emb.until + timedelta(seconds=1)):
        told = {
            (name, e.action)
            for e in events
            for name, role in (
                ("tr_expert", Role.EXPERT),
                ("kz_delegate", Role.DELEGATE),
                ("observer", Role.OBSERVER),
            )
            if event_rules.describe(e, users[name], role, objects) is not None
        }
    assert told == {
        ("tr_expert", "document.create"),
        ("kz_delegate", "document.release"),
        ("observer", "document.release"),
    }


def test_the_downloaded_file_is_named_with_its_marking(emb, make_client):
    client = make_client()
    client.login("coord@secretariat.example.org")
    response = client.get(f"/groups/egov/documents/{emb.doc.id}/versions/1/file")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert 'filename="memo.RESTRICTED.txt"' in disposition
    assert "filename*=UTF-8''memo.RESTRICTED.txt" in disposition
    assert embargo.marked_filename(emb.doc, "Отчёт.pdf") == "Отчёт.RESTRICTED.pdf"
    assert embargo.marked_filename(emb.doc, "README") == "README.RESTRICTED"


def _bad(emb, **kw):
    before = db.session.scalar(select(func.count()).select_from(Document))
    with pytest.raises(ValidationError) as caught:
        _upload(emb.users["uploader"], emb.group, title="Bad one", **kw)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Document)) == before
    return caught.value


def test_bad_dates_are_refused_with_the_reason_and_nothing_written(emb):
    past = _bad(emb, embargo_until=utcnow() - timedelta(minutes=1))
    assert past.field == "embargo_until" and "already passed" in past.message
    early = _bad(
        emb,
        distribution="restricted",
        embargo_until=utcnow() + timedelta(days=2),
        derestrict_at=utcnow() + timedelta(days=1),
    )
    assert early.field == "derestrict_at" and "after the embargo ends" in early.message
    general = _bad(emb, distribution="general", derestrict_at=utcnow() + timedelta(days=1))
    assert general.field == "derestrict_at" and "Only a restricted" in general.message
    wrong = _bad(emb, distribution="secret")
    assert wrong.field == "distribution"


def test_an_embargo_before_its_meeting_was_created_is_refused(emb):
    from konsey.models import AgendaItem, Meeting

    meeting = Meeting(group=emb.group, title="Fifth meeting", timezone="UTC")
    meeting.created_at = utcnow() + timedelta(hours=3)
    item = AgendaItem(meeting=meeting, position=1, title="Broadband")
    db.session.add_all([meeting, item])
    db.session.commit()
    error = _bad(emb, agenda_item=item.id, embargo_until=utcnow() + timedelta(hours=1))
    assert "before its meeting was created" in error.message


def test_coordinators_change_the_marking_on_the_page(emb, make_client):
    client = make_client()
    client.login("coord@secretariat.example.org")
    url = f"/groups/egov/documents/{emb.doc.id}/distribution"
    # A derestriction before the embargo: refused with the reason, nothing changed.
    until = emb.until.astimezone(ZoneInfo("Europe/Istanbul"))
    form = {
        "distribution": "restricted",
        "embargo_until": until.date().isoformat(),
        "embargo_until_time": until.strftime("%H:%M"),
        "derestrict_at": until.date().isoformat(),
        "derestrict_at_time": (until - timedelta(minutes=10)).strftime("%H:%M"),
    }
    page = client.get(f"/groups/egov/documents/{emb.doc.id}").get_data(as_text=True)
    assert "Change distribution or embargo" in page
    refused = client.post(url, form)
    assert refused.status_code == 422
    assert "after the embargo ends" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Document, emb.doc.id).derestrict_at == emb.until + timedelta(minutes=30)
    # Lifting the embargo releases it now, with its event.
    lifted = client.post(url, {"distribution": "limited"})
    assert lifted.status_code == 302, lifted.get_data(as_text=True)[:800]
    db.session.expire_all()
    doc = db.session.get(Document, emb.doc.id)
    assert doc.distribution == Distribution.LIMITED and doc.derestrict_at is None
    assert doc.released_at is not None and not policy.under_embargo(doc)
    assert _releases(doc.id) == 1
    # A delegate may not.
    other = make_client()
    other.login("aru@kz.example.org")
    page = other.get(f"/groups/egov/documents/{emb.doc.id}").get_data(as_text=True)
    assert "Change distribution or embargo" not in page
    assert other.post(url, {"distribution": "general"}).status_code == 403


def test_api_upload_and_change(emb, app):
    http = app.test_client()
    _t, coordinator = create_token(audit.SYSTEM, emb.users["coordinator"], "t")
    db.session.commit()
    auth = {"Authorization": f"Bearer {coordinator}"}
    until = (utcnow() + timedelta(days=3)).replace(microsecond=0)
    answer = http.post(
        "/api/v1/groups/egov/documents",
        data={
            "file": (io.BytesIO(b"Roadmap\n"), "roadmap.txt"),
            "kind": "report",
            "language": "en",
            "visibility": "council",
            "distribution": "limited",
            "embargo_until": until.isoformat(),
        },
        headers=auth,
    )
    assert answer.status_code == 201, answer.get_data(as_text=True)
    body = answer.get_json()
    assert body["distribution"] == "limited"
    assert body["embargo_until"].startswith(until.strftime("%Y-%m-%dT%H:%M:%S"))
    assert body["released_at"] is None and body["derestrict_at"] is None
    url = f"/api/v1/documents/{body['id']}/distribution"
    bad = http.patch(
        url, json={"derestrict_at": (until + timedelta(days=1)).isoformat()}, headers=auth
    )
    assert bad.status_code == 422 and bad.get_json()["error"]["field"] == "derestrict_at"
    past = http.patch(url, json={"embargo_until": "2020-01-01T10:00:00+03:00"}, headers=auth)
    assert past.status_code == 422 and "already passed" in past.get_json()["error"]["message"]
    good = http.patch(
        url,
        json={
            "distribution": "restricted",
            "derestrict_at": (until + timedelta(days=1)).isoformat(),
        },
        headers=auth,
    )
    assert good.status_code == 200, good.get_data(as_text=True)
    assert good.get_json()["distribution"] == "restricted"
    spec = http.get("/api/v1/openapi.json").get_json()
    props = spec["components"]["schemas"]["Document"]["properties"]
    assert {"distribution", "embargo_until", "released_at", "derestrict_at"} <= set(props)


def test_admits_agrees_with_the_sql_condition_under_embargo(emb):
    """Every reader × (no embargo, embargo ahead, embargo passed) × visibility."""
    uploader = emb.users["uploader"]
    documents = []
    for visibility, state in itertools.product(list(Visibility), ("none", "ahead", "passed")):
        doc = _upload(uploader, emb.group, title=f"{visibility} {state}", visibility=visibility)
        doc.embargo_until = {
            "none": None,
            "ahead": emb.now + timedelta(hours=1),
            "passed": emb.now - timedelta(hours=1),
        }[state]
        documents.append(doc)
    db.session.commit()
    for name in READERS:
        audience = _audience(emb.users[name])
        readable = set(db.session.scalars(select(Document.id).where(audience.condition())))
        assert {d.id for d in [*documents, emb.doc] if audience.admits(d)} == readable, name


def test_the_demo_has_a_restricted_and_an_embargoed_paper_once(demo):
    from konsey.demo import load_demo
    from konsey.demo.embargo import EMBARGOED_TITLE, RESTRICTED_TITLE
    from workers.documents import release_embargoes

    restricted = db.session.scalar(select(Document).where(Document.title == RESTRICTED_TITLE))
    embargoed = db.session.scalar(select(Document).where(Document.title == EMBARGOED_TITLE))
    assert restricted.distribution == Distribution.RESTRICTED and restricted.derestrict_at
    assert embargoed.embargo_until > utcnow() and embargoed.origin_state.code == "TR"
    assert not load_demo()  # a second load adds nothing
    # A few minutes after `make run`, the worker releases it.
    with freeze_time(embargoed.embargo_until + timedelta(seconds=30)):
        assert release_embargoes()["released"] == 1


def test_home_lists_a_released_paper_as_new_to_its_audience_only_then(emb):
    from konsey.home.queries import new_documents

    reader = db.session.get(User, emb.users["kz_delegate"].id)
    since = emb.now - timedelta(hours=1)
    with freeze_time(emb.until - timedelta(seconds=1)):
        assert TITLE not in [n.document.title for n in new_documents(reader, None, since)]
    with freeze_time(emb.until + timedelta(seconds=1)):
        [new] = [n for n in new_documents(reader, None, since) if n.document.title == TITLE]
        assert new.is_new and new.latest_upload == emb.until


def test_an_embargoed_paper_is_not_offered_or_attached_as_evidence(emb):
    from datetime import date

    from konsey.actions import closeout
    from konsey.actions import services as action_services
    from konsey.models import MemberState

    kz = db.session.scalar(select(MemberState).where(MemberState.code == "KZ"))
    item = action_services.create_action(
        audit.Actor(user=emb.users["coordinator"]),
        emb.group,
        title="Send the broadband figures",
        due_date=date.today() + timedelta(days=30),
        now=utcnow(),
        owner_state=kz,
    )
    db.session.commit()
    kz_delegate = audit.Actor(user=emb.users["kz_delegate"])
    with pytest.raises(ValidationError):
        closeout.update_action(
            kz_delegate, item, now=utcnow(), comment="Figures", document_id=emb.doc.id
        )
    db.session.rollback()
    with freeze_time(emb.until + timedelta(seconds=1)):
        update = closeout.update_action(
            kz_delegate, item, now=utcnow(), comment="Figures", document_id=emb.doc.id
        )
        assert update.document_id == emb.doc.id


def test_the_emailed_digest_before_and_after_the_release(emb):
    """Through the digest run itself: the uploading delegation's digest names the
    paper while it is under embargo, another delegation's does not; the next
    day's digest brings the release to the other delegation."""
    from konsey.models import DigestFrequency, OutboxMessage
    from konsey.notifications import digests
    from workers.documents import release_embargoes

    for name in ("tr_expert", "kz_delegate"):
        emb.users[name].digest = DigestFrequency.DAILY
    db.session.commit()

    def bodies(after: int) -> dict[str, str]:
        rows = db.session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.dedupe_key.startswith("digest:user:"), OutboxMessage.id > after
            )
        )
        return {m.recipient: m.body_text for m in rows}

    with freeze_time(emb.until - timedelta(minutes=1)):
        digests.run(utcnow(), force=True)
    first = bodies(0)
    assert TITLE in first["ece@tr.example.org"]
    assert TITLE not in first.get("aru@kz.example.org", "")
    newest = max(db.session.scalars(select(OutboxMessage.id)), default=0)
    with freeze_time(emb.until + timedelta(seconds=30)):
        release_embargoes()
    with freeze_time(emb.until + timedelta(minutes=2)):
        digests.run(utcnow(), force=True)
    second = bodies(newest)
    assert f"Released from embargo: {TITLE}" in second["aru@kz.example.org"]
    assert "Released from embargo" not in second.get("ece@tr.example.org", "")


def test_the_meeting_page_marks_its_papers(emb, make_client):
    from tests.integration.digest_world import _meeting

    meeting = _meeting(
        audit.Actor(user=emb.users["coordinator"]),
        emb.group,
        "Fifth meeting",
        "5th",
        utcnow() + timedelta(days=10),
    )
    from konsey.models import AgendaItem

    item = AgendaItem(meeting=meeting, position=1, title="Broadband")
    db.session.add(item)
    db.session.commit()
    doc = db.session.get(Document, emb.doc.id)
    doc.agenda_item_id = item.id
    db.session.commit()
    client = make_client()
    client.login("deniz@tr.example.org")
    html = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert TITLE in html and "marking-restricted" in html and "marking-embargo" in html
    other = make_client()
    other.login("aru@kz.example.org")
    assert TITLE not in other.get(f"/meetings/{meeting.id}").get_data(as_text=True)


def test_the_upload_form_takes_the_embargo_in_the_users_own_zone(emb, make_client):
    from datetime import UTC, datetime

    client = make_client()
    client.login("coord@secretariat.example.org")  # Europe/Istanbul, UTC+3
    client.get("/groups/egov/documents/upload")
    day = (utcnow() + timedelta(days=5)).date()
    form = {
        "title": "Statement draft",
        "kind": "report",
        "language": "en",
        "visibility": "council",
        "distribution": "limited",
        "embargo_until": day.isoformat(),
        "embargo_until_time": "14:00",
    }
    answer = client.post(
        "/groups/egov/documents/upload",
        {**form, "file": (io.BytesIO(b"Draft\n"), "draft.txt")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 302, answer.get_data(as_text=True)[:600]
    doc = db.session.scalar(select(Document).where(Document.title == "Statement draft"))
    assert doc.embargo_until == datetime.combine(day, datetime.min.time(), UTC).replace(hour=11)
    assert doc.distribution == Distribution.LIMITED and doc.origin_state_id is None
    # In the past: the form says why, nothing is uploaded.
    past = (utcnow() - timedelta(days=1)).date().isoformat()
    refused = client.post(
        "/groups/egov/documents/upload",
        {
            **form,
            "title": "Too late",
            "embargo_until": past,
            "file": (io.BytesIO(b"Late\n"), "late.txt"),
        },
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    assert "already passed" in refused.get_data(as_text=True)
    assert db.session.scalar(select(Document).where(Document.title == "Too late")) is None
    # A date without its time is explained too.
    half = client.post(
        "/groups/egov/documents/upload",
        {
            **form,
            "title": "Half",
            "embargo_until_time": "",
            "file": (io.BytesIO(b"Half\n"), "half.txt"),
        },
        content_type="multipart/form-data",
    )
    assert half.status_code == 422 and "both the date and the time" in half.get_data(as_text=True)
