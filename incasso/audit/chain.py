"""Between audit rows and the pure chain arithmetic: the content of a row that its hash covers.

One function builds that content for writing and for verifying, so the two can never disagree about what is hashed.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from incasso.domain.audit_chain import ChainEntry, JSONValue

# The columns read to verify a row, in the order ``incasso audit verify`` selects them.
COLUMNS = (
    "sequence",
    "occurred_at",
    "actor_id",
    "actor_label",
    "action",
    "subject_type",
    "subject_id",
    "fields",
    "purpose",
    "source",
    "details",
    "prev_hash",
    "hash",
)


def timestamp_text(moment: datetime.datetime) -> str:
    """UTC with all six microsecond digits, so the text is the same whatever database gave the value back."""
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def row_content(values: Mapping[str, Any]) -> dict[str, JSONValue]:
    """What an audit row's hash covers: every column except its sequence and the hashes themselves."""
    return content_build(
        occurred_at=timestamp_text(values["occurred_at"]),
        actor_id=values["actor_id"],
        actor_label=values["actor_label"],
        action=values["action"],
        subject_type=values["subject_type"],
        subject_id=values["subject_id"],
        fields=values["fields"],
        purpose=values["purpose"],
        source=values["source"],
        details=values["details"],
    )


def content_build(
    *,
    occurred_at: str,
    actor_id: int | None,
    actor_label: str,
    action: str,
    subject_type: str,
    subject_id: str,
    fields: list[JSONValue],
    purpose: str,
    source: str,
    details: dict[str, JSONValue],
) -> dict[str, JSONValue]:
    """The content of a row from its column values (``occurred_at`` as ``timestamp_text``). The keys are the
    columns' names: PostgreSQL's ``audit_append`` (migration 0003) reads each column back from its key."""
    return {
        "occurred_at": occurred_at,
        "actor_id": actor_id,
        "actor_label": actor_label,
        "action": action,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "fields": fields,
        "purpose": purpose,
        "source": source,
        "details": details,
    }


def row_entry(values: Mapping[str, Any]) -> ChainEntry:
    return ChainEntry(values["sequence"], row_content(values), values["prev_hash"], values["hash"])
