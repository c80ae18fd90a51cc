"""argon2id password hashing, and the one rule a new password must meet.

The rule follows NIST SP 800-63B 5.1.1.2: at least ``PASSWORD_MIN_LENGTH``
characters, and not a password an attacker tries first — repeated or
sequential characters, words taken from the account (email, name) or from
this service's name, passwords on leaked-password lists. zxcvbn (Dropbox's
strength estimator) scores the guessability; its English advice is not
shown, each weakness maps to one of our own translated messages.
"""

from __future__ import annotations

import re
from itertools import pairwise

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app
from flask_babel import lazy_gettext as _l
from zxcvbn import zxcvbn

from konsey.errors import ValidationError

_hasher = PasswordHasher()  # argon2id with the library's (RFC 9106) parameters

# Verified against when the email is unknown, so a wrong email and a wrong
# password take the same time.
_DUMMY_HASH = _hasher.hash("konsey-timing-equaliser")

# zxcvbn's time grows with the length; the first characters decide anyway.
_SCORED_LENGTH = 100

TOO_LONG = _l("The password is too long.")
COMMON = _l("This password is too common: it appears in lists of leaked passwords.")
REPEATED = _l("The password repeats the same characters or pattern; choose another.")
SEQUENTIAL = _l("The password is a sequence such as 1234 or abcd; choose another.")
PERSONAL = _l(
    "The password is made from your email address, your name or the name of this "
    "service; choose another."
)
GUESSABLE = _l(
    "This password is too easy to guess. A few unrelated words, or a longer "
    "password, make a strong one."
)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def _context_words(email: str | None, name: str | None) -> list[str]:
    """What an attacker who knows the account would try first."""
    words = {"konsey", str(current_app.config.get("TOTP_ISSUER") or "")}
    for value in (email or "", name or ""):
        value = value.strip().lower()
        if not value:
            continue
        words.add(value)
        local = value.split("@")[0]
        words.add(local)
        words.update(part for part in re.split(r"[\s@._+\-]+", value) if len(part) >= 3)
    return sorted(w for w in words if w)


def _is_repeated_or_sequential(password: str) -> str | None:
    """ "aaaaaaaaaaaa", "abcabcabcabc" (repeated); "123456789012", "abcdefghijkl" (sequential)."""
    text = password.lower()
    for size in range(1, len(text) // 2 + 1):
        unit = text[:size]
        if (unit * (len(text) // size + 1))[: len(text)] == text:
            return "repeated"
    steps = {
        (ord(b) - ord(a)) % 10 if a.isdigit() and b.isdigit() else ord(b) - ord(a)
        for a, b in pairwise(text)
    }
    if len(steps) == 1 and steps <= {1, -1, 9}:
        return "sequential"
    return None


def check_new_password(
    password: str, *, email: str | None = None, name: str | None = None, field: str = "password"
) -> str:
    """The password, or ValidationError with the reason it is refused.

    One rule for account set-up, reset, change and the admin/CLI paths.
    """
    password = password or ""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        raise ValidationError(
            str(_l("The password must have at least %(n)d characters.", n=minimum)), field
        )
    if len(password) > 1024:
        raise ValidationError(str(TOO_LONG), field)
    from konsey.auth.common_passwords import is_common

    if is_common(password):
        raise ValidationError(str(COMMON), field)
    shape = _is_repeated_or_sequential(password)
    if shape is not None:
        raise ValidationError(str(REPEATED if shape == "repeated" else SEQUENTIAL), field)
    result = zxcvbn(password[:_SCORED_LENGTH], user_inputs=_context_words(email, name))
    if result["score"] >= current_app.config.get("PASSWORD_MIN_SCORE", 3):
        return password
    raise ValidationError(str(_weakness(result["sequence"])), field)


def _weakness(matches: list[dict]):
    patterns = {m.get("pattern") for m in matches}
    if any(m.get("dictionary_name") == "user_inputs" for m in matches):
        return PERSONAL
    if "repeat" in patterns:
        return REPEATED
    if "sequence" in patterns:
        return SEQUENTIAL
    if any(m.get("dictionary_name") == "passwords" for m in matches):
        return COMMON
    return GUESSABLE
