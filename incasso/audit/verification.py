"""Verifying the audit chain: walk every row in order, in chunks, and name the first that does not fit."""

from __future__ import annotations

from collections.abc import Iterator

from incasso.audit.chain import COLUMNS, row_entry
from incasso.audit.models import AuditChainHead, AuditEvent, stored_fields
from incasso.domain.audit_chain import ChainEntry, ChainReport, verify_chain

DEFAULT_CHUNK_SIZE = 5_000


def audit_chain_verify(*, chunk_size: int = DEFAULT_CHUNK_SIZE) -> ChainReport:
    """Check every link and the head; memory stays flat however long the log (rows are streamed, not loaded)."""
    head = AuditChainHead.objects.filter(pk=1).values_list("last_sequence", "last_hash").first()
    return verify_chain(_entries(chunk_size), head=head)


def _entries(chunk_size: int) -> Iterator[ChainEntry]:
    # The fields as stored, set references and all: that is what each hash covers.
    columns = [name for name in COLUMNS if name != "fields"]
    rows = (
        AuditEvent.objects.order_by("sequence").values(*columns, stored=stored_fields()).iterator(chunk_size=chunk_size)
    )
    for values in rows:
        yield row_entry({**values, "fields": values["stored"]})
