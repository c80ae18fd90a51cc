"""How statuses and priorities read on pages and in exports."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from konsey.models import ActionPriority, ActionStatus

STATUS_LABELS = {
    ActionStatus.OPEN: _l("open"),
    ActionStatus.IN_PROGRESS: _l("in progress"),
    ActionStatus.DONE: _l("done"),
    ActionStatus.CANCELLED: _l("cancelled"),
}

PRIORITY_LABELS = {
    ActionPriority.LOW: _l("low"),
    ActionPriority.NORMAL: _l("normal"),
    ActionPriority.HIGH: _l("high"),
}
