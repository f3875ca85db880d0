"""Debtor-portal log-in codes: generated per letter, printed only, stored only as a salted, keyed hash (C-11).

Why not Django's password hashers: Argon2 takes tens of milliseconds on purpose, and a print batch issues a
code for each of thousands of letters; that would make the batch take minutes. A code is 40 random bits, so
what protects it after a database leak is the key, not slowness: the hash is an HMAC keyed with the
SECRET_KEY (salted per code), so the table alone cannot be brute-forced. Online guessing needs the case number
and a second factor too, and the portal limits attempts (issue for the portal).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings

# No 0/O, 1/I/L: read from paper and typed on a phone without confusion.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 8
_SCHEME = "hmac-sha256"


def portal_code_generate() -> str:
    """A fresh random code, 8 characters (about 40 bits)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def portal_code_display(code: str) -> str:
    """As printed: two groups of four (``ABCD-EFGH``)."""
    return f"{code[:4]}-{code[4:]}"


def portal_code_normalise(text: str) -> str:
    """What a debtor typed, as stored: capitals, without spaces or dashes."""
    return "".join(char for char in text.upper() if char not in " -\t")


def _digest(secret: str, salt: str, code: str) -> str:
    key = hashlib.sha256(f"incasso.portal-code:{salt}:{secret}".encode()).digest()
    return hmac.new(key, code.encode(), hashlib.sha256).hexdigest()


def portal_code_hash(code: str) -> str:
    """``hmac-sha256$<salt>$<hex>`` for a normalised code."""
    salt = secrets.token_hex(8)
    return f"{_SCHEME}${salt}${_digest(settings.SECRET_KEY, salt, code)}"


def portal_code_matches(code: str, stored: str) -> bool:
    """Whether ``code`` hashes to ``stored``, under the current key or one being rotated out."""
    scheme, _, rest = stored.partition("$")
    salt, _, digest = rest.partition("$")
    if scheme != _SCHEME or not salt or not digest:
        return False
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return any(hmac.compare_digest(_digest(key, salt, code), digest) for key in keys)
