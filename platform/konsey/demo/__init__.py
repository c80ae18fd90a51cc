"""Demo data from the founding case: the Turkic Council's ICT cooperation (2017).

``load_demo`` is idempotent: it looks every object up by its natural key and
only creates what is missing, so a second run changes nothing. Nothing in
the application depends on this data.
"""

from __future__ import annotations

from collections import Counter

from konsey import audit
from konsey.demo.documents_actions import load_actions, load_documents
from konsey.demo.embargo import load_embargo
from konsey.demo.meetings import load_meetings
from konsey.demo.participants import load_participants
from konsey.demo.pdffonts import load_turkish_paper
from konsey.demo.people import DEMO_ACCOUNTS, load_people
from konsey.demo.search import load_search
from konsey.demo.symbols import load_symbols
from konsey.demo.translations import load_translations
from konsey.extensions import db
from konsey.models.base import utcnow

__all__ = ["DEMO_ACCOUNTS", "load_demo"]


def load_demo() -> Counter:
    created: Counter = Counter()
    load_people(created)
    now = utcnow()
    load_meetings(created, now)
    load_participants(created)
    load_documents(created)
    load_turkish_paper(created)
    load_translations(created)
    load_embargo(created, utcnow())
    load_actions(created, now)
    load_symbols(created)
    load_search(created, now)
    if created:
        audit.record(audit.Actor(user=None, ip="cli"), "demo.load", **dict(created))
        from konsey.notifications import immediate

        immediate.start_from_now()  # the demo's story so far is not news to mail
    db.session.commit()
    return created
