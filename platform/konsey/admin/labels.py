"""How the outbox's delivery states read on the admin pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from konsey.models import OutboxState

OUTBOX_STATE_LABELS = {
    OutboxState.QUEUED: _l("waiting to be sent"),
    OutboxState.SENT: _l("sent"),
    OutboxState.FAILED: _l("failed"),
}
