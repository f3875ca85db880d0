"""The cost of field encryption per debtor row (P-3): sealing, opening and indexing, no database involved.

Two figures for sealing: ``rows_sealed_per_second``, one primitive call per value as it has always been measured
(9 fields, one blind index), and ``debtors_sealed_per_second_bulk``, the intake's path (``incasso.crypto.bulk``):
every encrypted field of a debtor and all four of its blind indexes, under a new data key per debtor.
"""

from __future__ import annotations

import os
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
    bulk = _bulk_sealed_per_second(rows)
    return {
        "benchmark": "encryption",
        "rows": rows,
        "fields_per_row": len(FIELDS),
        "rows_sealed_per_second": round(rows / sealed),
        "rows_opened_per_second": round(rows / opened),
        "debtors_sealed_per_second_bulk": bulk,
        "note": "per row: a new data key wrapped, 9 fields sealed, one blind index; opening: 9 fields; "
        "bulk: per debtor a new data key wrapped, 11 encrypted fields (9 filled) sealed, 4 blind indexes",
    }


def _bulk_sealed_per_second(rows: int) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from incasso.parties.models import DEBTOR_DETAILS
    from incasso.parties.sealing import debtors_sealer

    fields = ("reference", "kind", *DEBTOR_DETAILS)
    plain = dict(zip(FIELDS, VALUES, strict=True))
    values = tuple(plain.get(name, "") for name in DEBTOR_DETAILS)
    debtors = [(f"D{number}", "consumer", *values) for number in range(rows)]
    sealer = debtors_sealer(fields)
    started = time.perf_counter()
    sealer.seal(debtors)
    return round(rows / (time.perf_counter() - started))
