"""Hybrid encryption of a hand-over package for one recipient: AES-256-GCM, its key wrapped with RSA-OAEP-SHA256.

The envelope is JSON: the algorithm, the SHA-256 fingerprint of the recipient's key (so they know which private key
opens it), the wrapped key, the nonce and the ciphertext, base64. The header is bound to the ciphertext as GCM's
associated data, so swapping the wrapped key or the fingerprint makes decryption fail.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

ALGORITHM = "RSA-OAEP-256+A256GCM"
MIN_RSA_BITS = 3072


class PackageCryptoError(Exception):
    """A key that is not a usable RSA key, or an envelope that does not open."""


def _oaep() -> padding.OAEP:
    return padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


def public_key_load(pem: str) -> rsa.RSAPublicKey:
    try:
        key = serialization.load_pem_public_key(pem.encode())
    except ValueError as exc:
        raise PackageCryptoError(f"not a PEM public key: {exc}") from None
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size < MIN_RSA_BITS:
        raise PackageCryptoError(f"the recipient's key must be RSA of at least {MIN_RSA_BITS} bits")
    return key


def key_fingerprint(key: rsa.RSAPublicKey) -> str:
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def package_encrypt(plaintext: bytes, *, public_key_pem: str) -> bytes:
    key = public_key_load(public_key_pem)
    content_key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(12)
    header = {"alg": ALGORITHM, "kid": key_fingerprint(key), "key": _b64(key.encrypt(content_key, _oaep()))}
    aad = json.dumps(header, sort_keys=True).encode()
    ciphertext = AESGCM(content_key).encrypt(nonce, plaintext, aad)
    return json.dumps({**header, "nonce": _b64(nonce), "ciphertext": _b64(ciphertext)}).encode()


def package_decrypt(envelope: bytes, *, private_key: rsa.RSAPrivateKey) -> bytes:
    """What the recipient does: open the envelope with its private key."""
    try:
        data: Any = json.loads(envelope)
        header = {"alg": data["alg"], "kid": data["kid"], "key": data["key"]}
        if header["alg"] != ALGORITHM or header["kid"] != key_fingerprint(private_key.public_key()):
            raise PackageCryptoError("the package is not encrypted for this key")
        content_key = private_key.decrypt(base64.b64decode(header["key"]), _oaep())
        aad = json.dumps(header, sort_keys=True).encode()
        return AESGCM(content_key).decrypt(base64.b64decode(data["nonce"]), base64.b64decode(data["ciphertext"]), aad)
    except (KeyError, TypeError, ValueError, InvalidTag) as exc:
        raise PackageCryptoError(f"the package does not open: {exc!r}") from None
