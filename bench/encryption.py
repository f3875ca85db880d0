"""The cost of field encryption per debtor row (P-3): sealing, opening and indexing, no database involved."""

from __future__ import annotations

import time
import uuid
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from incasso.crypto import primitives

FIELDS = ("given_names", "surname", "street", "house_number", "postcode", "city", "email", "phone", "iban")
VALUES = (
    "Jan Pieter",
    "Jansen",
    "Kerkstraat",
    "12a",
    "1012 AB",
    "Amsterdam",
    "jan@example.nl",
    "0612345678",
    "NL02ABNA0123456789",
)


def run(rows: int = 20_000) -> dict[str, Any]:
    master, index_key = primitives.data_key_generate(), primitives.index_key_derive(b"i" * 32, "debtor.iban")
    started = time.perf_counter()
    sealed_rows = []
    for _ in range(rows):
        key_id, plain = uuid.uuid4(), primitives.data_key_generate()
        primitives.key_wrap(master, key_id, plain)
        cipher = AESGCM(plain)
        sealed_rows.append(
            (
                cipher,
                key_id,
                [
                    primitives.seal(cipher, value, primitives.associated_data("parties.debtor", name, str(key_id)))
                    for name, value in zip(FIELDS, VALUES, strict=True)
                ],
            )
        )
        primitives.blind_index(index_key, primitives.normalise_compact(VALUES[-1]))
    sealed = time.perf_counter() - started
    started = time.perf_counter()
    for cipher, key_id, values in sealed_rows:
        for name, value in zip(FIELDS, values, strict=True):
            primitives.unseal(cipher, value, primitives.associated_data("parties.debtor", name, str(key_id)))
    opened = time.perf_counter() - started
    return {
        "benchmark": "encryption",
        "rows": rows,
        "fields_per_row": len(FIELDS),
        "rows_sealed_per_second": round(rows / sealed),
        "rows_opened_per_second": round(rows / opened),
        "note": "per row: a new data key wrapped, 9 fields sealed, one blind index; opening: 9 fields",
    }
