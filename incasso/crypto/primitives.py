"""The cryptography of field encryption (P-3), with no database: sealing, key wrapping and blind indexes.

Envelope encryption: each data subject has a random 256-bit data key (DEK); field values are sealed with AES-GCM
under that key, and the key itself is stored wrapped (AES-GCM again) under a master key from the environment.
Associated data binds every ciphertext to its model, field and row, so a ciphertext copied into another field or
another subject's row fails authentication instead of decrypting.

Blind indexes are HMAC-SHA256 of a normalised value under a key derived per field (HKDF) from a root key kept
beside, not derived from, the master keys, truncated to ``INDEX_BYTES``: enough for exact-match search within a
client, short enough that many values share an index entry across the whole table.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import unicodedata
import uuid

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# Marks the format of a sealed value; a later algorithm gets another prefix.
PREFIX = "e1."
NONCE_BYTES = 12
KEY_BYTES = 32
INDEX_BYTES = 16


class Sealed(str):
    """A sealed value as read from (or about to be written to) the database."""

    __slots__ = ()


class DecryptionFailed(Exception):
    """A ciphertext did not authenticate: tampered with, moved from elsewhere, or sealed under another key."""


def data_key_generate() -> bytes:
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


def associated_data(model_label: str, field_name: str, row_key: str) -> bytes:
    return f"{model_label}|{field_name}|{row_key}".encode()


# To the URL-safe base64 alphabet; ``binascii`` directly spares ``base64``'s checks on the hot path of bulk sealing.
_URLSAFE = bytes.maketrans(b"+/", b"-_")


def seal(cipher: AESGCM, plaintext: str, ad: bytes, nonce: bytes | None = None) -> str:
    """``plaintext`` sealed: the prefix, then nonce and ciphertext in URL-safe base64. ``nonce``: 12 fresh random
    bytes drawn by a caller that seals many values (one ``os.urandom`` for all); never a nonce used before."""
    if nonce is None:
        nonce = os.urandom(NONCE_BYTES)
    body = nonce + cipher.encrypt(nonce, plaintext.encode(), ad)
    return PREFIX + binascii.b2a_base64(body, newline=False).translate(_URLSAFE).decode("ascii")


def unseal(cipher: AESGCM, sealed: str, ad: bytes) -> str:
    if not sealed.startswith(PREFIX):
        raise DecryptionFailed("not a sealed value")
    try:
        body = base64.urlsafe_b64decode(sealed[len(PREFIX) :])
        return cipher.decrypt(body[:NONCE_BYTES], body[NONCE_BYTES:], ad).decode()
    except (InvalidTag, ValueError) as exc:
        raise DecryptionFailed("the ciphertext does not authenticate") from exc


def uuid4_text(random: bytes) -> str:
    """The canonical text of the version 4 UUID made of 16 random bytes: ``str(uuid.UUID(bytes=random,
    version=4))`` (version nibble 4, RFC 4122 variant bits 10), without building the object."""
    digits = random.hex()
    variant = "89ab"[int(digits[16], 16) & 3]
    return f"{digits[:8]}-{digits[8:12]}-4{digits[13:16]}-{variant}{digits[17:20]}-{digits[20:32]}"


def _wrap_ad(key_id: uuid.UUID | str) -> bytes:
    return f"incasso-data-key|{key_id}".encode()


def key_wrap(master_key: bytes, key_id: uuid.UUID, data_key: bytes) -> bytes:
    return key_wrap_with(AESGCM(master_key), str(key_id), data_key)


def key_wrap_with(master: AESGCM, key_id: str, data_key: bytes, nonce: bytes | None = None) -> bytes:
    """``key_wrap`` with the master key's cipher made once and the key id as text, for callers that issue many keys
    (``nonce`` as for ``seal``)."""
    if nonce is None:
        nonce = os.urandom(NONCE_BYTES)
    return nonce + master.encrypt(nonce, data_key, _wrap_ad(key_id))


def key_unwrap(master_key: bytes, key_id: uuid.UUID, wrapped: bytes) -> bytes:
    return key_unwrap_with(AESGCM(master_key), key_id, wrapped)


def key_unwrap_with(master: AESGCM, key_id: uuid.UUID, wrapped: bytes) -> bytes:
    """``key_unwrap`` with the master key's cipher made once, for callers that unwrap many keys."""
    try:
        return master.decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], _wrap_ad(key_id))
    except (InvalidTag, ValueError) as exc:
        raise DecryptionFailed(f"data key {key_id} does not unwrap") from exc


def index_key_derive(root_key: bytes, purpose: str) -> bytes:
    """The blind-index key of one field: a separate key per field, so equal values in two fields do not match."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=f"incasso-blind-index|{purpose}".encode())
    return hkdf.derive(root_key)


def blind_index(index_key: bytes, normalised: str) -> str:
    """The index entry of a normalised value ("" for no value), as hex."""
    if not normalised:
        return ""
    return hmac.new(index_key, normalised.encode(), hashlib.sha256).digest()[:INDEX_BYTES].hex()


class BlindIndexer:
    """``blind_index`` under one key, for callers that index many values: the keyed HMAC state is made once and
    copied per value, which spares re-keying HMAC for every value."""

    __slots__ = ("_keyed",)

    def __init__(self, index_key: bytes) -> None:
        self._keyed = hmac.new(index_key, digestmod=hashlib.sha256)

    def __call__(self, normalised: str) -> str:
        if not normalised:
            return ""
        mac = self._keyed.copy()
        mac.update(normalised.encode())
        return mac.digest()[:INDEX_BYTES].hex()


def _fold(text: str) -> str:
    if text.isascii():
        # No accents to strip and nothing to decompose: the same result as below, several times faster.
        return " ".join(text.lower().split())
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).split())


def normalise_compact(value: str) -> str:
    """IBAN and postcode: upper case without spaces ("nl02 abna 0123 456789" = "NL02ABNA0123456789")."""
    return "".join(value.split()).upper()


def normalise_email(value: str) -> str:
    return value.strip().casefold()


def normalise_name(surname: str, given_names: str) -> str:
    """Case, accents and spacing do not matter: "Jansen", "JANSEN " and "Jánsen" find each other."""
    folded = _fold(surname)
    return f"{folded}|{_fold(given_names)}" if folded else ""
