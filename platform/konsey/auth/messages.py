"""Messages several account pages show."""

from __future__ import annotations

from flask_babel import ngettext


def tokens_ended_message(count: int) -> str:
    return ngettext(
        "%(num)d personal API token was ended; create a new one if a script needs it.",
        "%(num)d personal API tokens were ended; create new ones if scripts need them.",
        count,
    )
