"""Why a message was not delivered, as the outbox pages say it.

A worker writes the reason for no particular reader, so it is stored in
English; the reasons Konsey gives itself are catalog messages (marked with
``N_``), translated when an admin reads them. An SMTP server's own reply is
shown as it came.
"""

from __future__ import annotations

from flask_babel import gettext

from konsey.i18n import N_

DELETED = {
    "minutes": N_("Not sent: the minutes it concerns were deleted before delivery."),
    "action_item": N_("Not sent: the action item it concerns was deleted before delivery."),
}
ACCOUNT_CHANGED = N_("Not sent: the account is gone, inactive or has another address now.")
ALREADY_SET_UP = N_("Not sent: the account is set up already; no set-up link is sent.")


_OURS = frozenset([*DELETED.values(), ACCOUNT_CHANGED, ALREADY_SET_UP])


def shown(reason: str | None) -> str:
    """The stored reason in the reader's language when Konsey wrote it (one
    recorded from an exception reads ``"<Exception>: <message>"``)."""
    if not reason:
        return ""
    _, _, message = reason.partition(": ")
    for text in (reason, message):
        if text in _OURS:
            return gettext(text)
    return reason
