"""Batches checked and encoded ahead (``audit_batch_prepare``) and recorded later (``audit_record_prepared``): the
texts assembled from shared parts are the canonical JSON of the contents, and a prepared batch is recorded exactly
as ``audit_record_bulk`` records its entries."""

import dataclasses
import datetime

import pytest
import time_machine
from django.db import transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from incasso.audit.chain import row_content, timestamp_text
from incasso.audit.errors import AuditOutsideTransaction
from incasso.audit.models import AuditAction, AuditEvent
from incasso.audit.services import (
    AuditEntry,
    audit_batch_prepare,
    audit_batch_prepare_each,
    audit_record_bulk,
    audit_record_prepared,
)
from incasso.audit.verification import audit_chain_verify
from incasso.domain.audit_chain import SubjectRef, canonical_text
from incasso.domain.data_map import ProcessingPurpose

AWKWARD = ['quote " and \\ backslash', "line\nbreak\ttab\x01", "é ü ß — “curly” \u2028 😀 𝄞", "'", "\x7f"]
# A name starting with "@" refers to a named field set (``field_sets``) and is refused unless registered.
text = st.one_of(st.sampled_from(AWKWARD), st.text(min_size=1, max_size=12).filter(lambda t: not t.startswith("@")))
scalar = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), text)
json_value = st.recursive(
    scalar, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3), max_leaves=8
)
subject = st.one_of(st.none(), st.builds(SubjectRef, st.sampled_from(["parties.Debtor", "cases.Case"]), text))


@st.composite
def batches(draw):
    """Entries that share some of their values (one list or dict for many entries, as a bulk job passes them)."""
    shared_fields = draw(st.lists(text, max_size=4))
    shared_details = draw(st.dictionaries(text, json_value, max_size=4))
    entries = []
    for _ in range(draw(st.integers(1, 8))):
        entries.append(
            AuditEntry(
                actor=draw(text.filter(lambda label: len(label) <= 150)),
                action=draw(st.sampled_from(AuditAction.values)),
                subject=draw(subject),
                fields=shared_fields if draw(st.booleans()) else draw(st.lists(text, max_size=4)),
                purpose=draw(st.sampled_from([purpose.value for purpose in ProcessingPurpose])),
                source=draw(text),
                details=shared_details if draw(st.booleans()) else draw(st.dictionaries(text, json_value, max_size=4)),
            )
        )
    return entries


def _expected_content(entry, stamp):
    """What the simple path (one ``content_build`` per entry, its values copied) gives."""
    ref = entry.subject
    return {
        "occurred_at": stamp,
        "actor_id": None,
        "actor_label": entry.actor,
        "action": str(entry.action),
        "subject_type": ref.model if ref else "",
        "subject_id": ref.pk if ref else "",
        "fields": list(entry.fields),
        "purpose": str(entry.purpose),
        "source": entry.source,
        "details": dict(entry.details),
    }


@settings(max_examples=300, deadline=None)
@given(batches(), st.datetimes(timezones=st.just(datetime.UTC)))
def test_the_assembled_texts_are_the_canonical_json_of_the_contents(entries, moment):
    stamp = timestamp_text(moment)
    prepared = audit_batch_prepare(entries)
    assert len(prepared.entries) == len(entries)
    for entry, (content, head, tail) in zip(entries, prepared.entries, strict=True):
        whole = {**content, "occurred_at": stamp}
        assert whole == _expected_content(entry, stamp)
        assert head + canonical_text({"x": stamp})[5:-1] + tail == canonical_text(whole)


@settings(max_examples=200, deadline=None)
@given(batches(), st.lists(subject, max_size=6))
def test_one_event_about_each_subject_is_prepared_as_its_entries_one_by_one(entries, subjects):
    event = dataclasses.replace(entries[0], subject=None)
    each = audit_batch_prepare_each(event, subjects)
    one_by_one = audit_batch_prepare([dataclasses.replace(event, subject=ref) for ref in subjects])
    assert each == one_by_one
    with pytest.raises(ValueError, match="given apart"):
        audit_batch_prepare_each(entries[0] if entries[0].subject else dataclasses.replace(event, subject=_REF), [])


_REF = SubjectRef("parties.Debtor", "1")


def test_a_malformed_entry_refuses_the_whole_batch_before_anything_is_written():
    good = AuditEntry("sweep", AuditAction.UPDATE, None, ["a"], ProcessingPurpose.DEBT_COLLECTION, "cli")
    for bad, error in (
        (AuditEntry("sweep", "erase", None, ["a"], ProcessingPurpose.DEBT_COLLECTION, "cli"), ValueError),
        (AuditEntry("sweep", AuditAction.UPDATE, None, "a", ProcessingPurpose.DEBT_COLLECTION, "cli"), ValueError),
        (AuditEntry("sweep", AuditAction.UPDATE, None, ["a"], "fun", "cli"), ValueError),
        (AuditEntry("", AuditAction.UPDATE, None, ["a"], ProcessingPurpose.DEBT_COLLECTION, "cli"), ValueError),
        (
            AuditEntry("s", AuditAction.UPDATE, None, [], ProcessingPurpose.DEBT_COLLECTION, "cli", {"x": 0.5}),
            TypeError,
        ),
    ):
        with pytest.raises(error):
            audit_batch_prepare([good, bad])


@pytest.mark.django_db
def test_a_prepared_batch_is_recorded_at_its_moment_and_links_like_a_bulk_append(staff_user):
    shared = ["parties.Debtor.surname"]
    entries = [
        AuditEntry(staff_user, AuditAction.READ, SubjectRef("parties.Debtor", str(n)), shared, "debt_collection", "cli")
        for n in range(3)
    ]
    with time_machine.travel(datetime.datetime(2026, 5, 1, 9, tzinfo=datetime.UTC), tick=False):
        prepared = audit_batch_prepare(entries)
    recorded_at = datetime.datetime(2026, 5, 1, 9, 0, 1, 250, tzinfo=datetime.UTC)
    with time_machine.travel(recorded_at, tick=False), transaction.atomic():
        links = audit_record_prepared(prepared)
        more = audit_record_bulk(entries)
    assert [link.sequence for link in links + more] == [1, 2, 3, 4, 5, 6]
    stored = list(AuditEvent.objects.order_by("sequence"))
    assert {event.occurred_at for event in stored} == {recorded_at}
    assert [event.actor_id for event in stored] == [staff_user.pk] * 6
    # The prepared batch holds the same rows as the bulk append of the same entries, but for their places.
    assert [row_content(vars(event)) for event in stored[:3]] == [row_content(vars(event)) for event in stored[3:]]
    assert [dict(link.content) for link in links] == [row_content(vars(event)) for event in stored[:3]]
    assert audit_chain_verify().whole


@pytest.mark.django_db(transaction=True)
def test_a_prepared_batch_is_recorded_only_inside_a_transaction():
    entry = AuditEntry("sweep", AuditAction.UPDATE, None, ["a"], ProcessingPurpose.DEBT_COLLECTION, "cli")
    with pytest.raises(AuditOutsideTransaction):
        audit_record_prepared(audit_batch_prepare([entry]))
    assert not AuditEvent.objects.exists()
