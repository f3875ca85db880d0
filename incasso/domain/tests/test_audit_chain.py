"""The hash chain of the audit log: any change to any stored byte breaks verification at the right entry."""

import hashlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incasso.domain.audit_chain import (
    GENESIS_HASH,
    BreakReason,
    ChainEntry,
    SubjectRef,
    canonical_json,
    chain_extend,
    entry_hash,
    json_check,
    link_hash,
    verify_chain,
)

text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=20)
contents = st.fixed_dictionaries(
    {
        "occurred_at": st.just("2026-11-22T10:00:00.000001Z"),
        "actor_id": st.one_of(st.none(), st.integers(1, 10_000)),
        "actor_label": text,
        "action": st.sampled_from(["read", "update", "export"]),
        "subject_type": st.just("parties.Debtor"),
        "subject_id": st.integers(1, 10_000).map(str),
        "fields": st.lists(text, max_size=3),
        "purpose": st.just("debt_collection"),
        "source": text,
        "details": st.dictionaries(text, st.one_of(st.integers(), text), max_size=3),
    }
)


def build(contents_):
    return chain_extend(contents_, last_sequence=0, last_hash=GENESIS_HASH)


def test_canonical_json_is_sorted_compact_and_refuses_floats():
    assert canonical_json({"b": 1, "a": ["é", None]}) == '{"a":["é",null],"b":1}'.encode()
    with pytest.raises(TypeError, match="float"):
        canonical_json({"amount": 1.5})
    with pytest.raises(TypeError, match="keys"):
        canonical_json({"nested": {1: "x"}})


@settings(max_examples=200, deadline=None)
@given(contents, st.integers(1, 10**12), st.one_of(st.just(GENESIS_HASH), text))
def test_the_assembled_envelope_is_the_canonical_json_of_the_envelope(content, sequence, prev_hash):
    """``link_hash`` (and the database's ``audit_append``) concatenate instead of encoding the envelope: the same
    bytes, so the hash is still SHA-256 over the canonical JSON of sequence, predecessor and content."""
    envelope = {"sequence": sequence, "prev_hash": prev_hash, "content": content}
    expected = hashlib.sha256(
        json.dumps(envelope, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    ).hexdigest()
    assert link_hash(sequence=sequence, content_json=canonical_json(content), prev_hash=prev_hash) == expected
    assert entry_hash(sequence=sequence, content=content, prev_hash=prev_hash) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"a": 1.0}, "float"),
        ({"a": {"b": [1, 2.5]}}, "float"),
        ({"a": (1, 2)}, "tuple"),
        ({1: "x"}, "keys"),
        ({"a": {2: "x"}}, "keys"),
        ({"a": object()}, "object"),
    ],
)
def test_the_check_refuses_what_has_no_stable_form_flat_or_nested(value, message):
    with pytest.raises(TypeError, match=message):
        json_check(value)
    json_check({"a": 1, "b": "x", "c": None, "d": True, "e": [1, {"f": "g"}]})


def test_a_chain_links_each_entry_to_the_one_before():
    chain = build([{"n": 1}, {"n": 2}, {"n": 3}])
    assert [e.sequence for e in chain] == [1, 2, 3]
    assert chain[0].prev_hash == GENESIS_HASH
    assert chain[2].prev_hash == chain[1].hash == entry_hash(sequence=2, content={"n": 2}, prev_hash=chain[0].hash)
    report = verify_chain(chain, head=(3, chain[-1].hash))
    assert report.whole and report.entries == 3
    continued = chain_extend([{"n": 4}], last_sequence=3, last_hash=chain[-1].hash)
    assert verify_chain(chain + continued).whole


def test_breaks_are_named_by_sequence_and_reason():
    chain = build([{"n": i} for i in range(1, 6)])
    changed = ChainEntry(3, {"n": 33}, chain[2].prev_hash, chain[2].hash)
    assert verify_chain([*chain[:2], changed, *chain[3:]]).broken.sequence == 3
    assert verify_chain([*chain[:2], *chain[3:]]).broken.reason is BreakReason.GAP
    relinked = ChainEntry(3, chain[2].content, "f" * 64, chain[2].hash)
    assert verify_chain([*chain[:2], relinked]).broken.reason is BreakReason.PREV_HASH_MISMATCH
    truncated = verify_chain(chain[:3], head=(5, chain[-1].hash)).broken
    assert (truncated.sequence, truncated.reason) == (4, BreakReason.MISSING_TAIL)
    assert verify_chain(chain, head=(5, "0" * 64)).broken.reason is BreakReason.HASH_MISMATCH
    assert str(verify_chain(chain[1:]).broken) == "entry 2: gap (expected entry 1)"


def test_verification_can_start_after_a_pruned_prefix():
    chain = build([{"n": i} for i in range(1, 6)])
    assert verify_chain(chain[2:], start=(2, chain[1].hash)).whole


def test_subject_references_round_trip():
    ref = SubjectRef.parse("parties.Debtor:42")
    assert (ref.model, ref.pk, str(ref)) == ("parties.Debtor", "42", "parties.Debtor:42")
    for bad in ("Debtor:1", "parties.Debtor", "parties.Debtor:"):
        with pytest.raises(ValueError, match="subject reference"):
            SubjectRef.parse(bad)


def _flip(value: str, position: int) -> str:
    """Change one character (one byte for ASCII) of a stored text value."""
    index = position % len(value)
    replacement = "a" if value[index] != "a" else "b"
    return value[:index] + replacement + value[index + 1 :]


@settings(max_examples=300, deadline=None)
@given(st.lists(contents, min_size=1, max_size=6), st.data())
def test_any_single_change_to_a_stored_field_breaks_verification(contents_, data):
    """Stored form: every column is text, or the JSON text of a JSON column; change one character of one."""
    chain = build(contents_)
    target = data.draw(st.integers(0, len(chain) - 1), label="entry")
    entry = chain[target]
    columns = ["prev_hash", "hash", "sequence", *entry.content]
    column = data.draw(st.sampled_from(columns), label="column")
    position = data.draw(st.integers(0, 10_000), label="position")
    content = dict(entry.content)
    sequence, prev_hash, digest = entry.sequence, entry.prev_hash, entry.hash
    if column == "prev_hash":
        prev_hash = _flip(prev_hash, position)
    elif column == "hash":
        digest = _flip(digest, position)
    elif column == "sequence":
        sequence = entry.sequence + 1 + position
    else:
        stored = canonical_json({"v": content[column]}).decode()[5:-1]  # the column's JSON text
        try:
            changed = json.loads(_flip(stored, position))
        except ValueError:
            return  # the database would refuse text that is no longer JSON; nothing to verify
        if changed == content[column]:
            return  # e.g. a flipped character inside an escape sequence that decodes to the same value
        content[column] = changed
    tampered = ChainEntry(sequence, content, prev_hash, digest)
    stored_chain = [*chain[:target], tampered, *chain[target + 1 :]]
    report = verify_chain(stored_chain, head=(chain[-1].sequence, chain[-1].hash))
    assert not report.whole
    # The first broken entry is the changed one, or, when its own hash was changed, possibly the next.
    assert report.broken.sequence in {entry.sequence, sequence, entry.sequence + 1}
