"""Named field sets: one audit entry names a long, fixed list of fields by one reference (docs/adr/0007).

A bulk job that records the same long list for every subject (the retention sweep: 31 fields per anonymised debtor)
stores ``["@retention.anonymise/1"]`` instead of the list itself: a row of ~250 bytes instead of ~1.3 KB, hashed,
sent and written at a fifth of the cost. The reference is what is stored and what the chain's hash covers, so
``incasso audit verify`` checks it as it checks any entry; reading the column through the model
(``models.AuditFieldsField``) gives the list it stands for, so the access export, the admin and every other reader
see the fields themselves.

A registered set never changes: an entry written years ago must still read as what was true then. A job whose list
changes registers a new version (``/2``) beside the old one; ``tests/test_field_sets.py`` pins each set's contents.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

MARK = "@"

# What ``privacy.retention.anonymise.anonymise_debtors`` changes (``audited_fields()``): version 1 until 2026-12-07.
_ANONYMISE_1: tuple[str, ...] = (
    "parties.Debtor.reference",
    "parties.Debtor.given_names",
    "parties.Debtor.surname",
    "parties.Debtor.organisation_name",
    "parties.Debtor.date_of_birth",
    "parties.Debtor.street",
    "parties.Debtor.house_number",
    "parties.Debtor.postcode",
    "parties.Debtor.city",
    "parties.Debtor.email",
    "parties.Debtor.phone",
    "parties.Debtor.iban",
    "parties.Debtor.kvk_number",
    "cases.StageEvent.reason",
    "communications.Letter.data",
    "communications.Letter.error",
    "communications.Communication.subject",
    "communications.Communication.summary",
    "decisions.Decision.inputs",
    "decisions.Decision.explanation_nl",
    "decisions.Decision.explanation_en",
    "decisions.Decision.contest_reason",
    "decisions.Decision.review_outcome",
    "cases.StaffTask.title",
    "cases.StaffTask.details",
    "cases.StaffTask.outcome",
    "cases.CaseHold.reason",
    "cases.CaseHold.lift_reason",
    "cases.Claim.description",
    "communications.PortalAccessCode (deleted)",
    "crypto.DataKey (destroyed)",
)
# The two markers of what a sweep deletes or destroys, last in every version.
_ANONYMISE_REMOVED = _ANONYMISE_1[-2:]

# Version 2 (2026-12-07): also blanks the old and new values of the debtor's rectification history, which version 1
# left in the clear.
_ANONYMISE_2: tuple[str, ...] = (
    *_ANONYMISE_1[:-2],
    "rights.RectificationChange.old_value",
    "rights.RectificationChange.new_value",
    *_ANONYMISE_REMOVED,
)
# Version 3 (2026-12-07): also blanks the free text of the rest of the case file, which version 2 left in the clear
# (a note "called Mr Jansen on 06-12345678" survived), and deletes the files the debtor uploaded with a dispute.
_ANONYMISE_3: tuple[str, ...] = (
    *_ANONYMISE_2[:-2],
    "backoffice.CaseNote.text",
    "complaints.Complaint.text",
    "complaints.Complaint.answer",
    "arrangements.Arrangement.review_reasons",
    "client_portal.LegalStepsDecision.reason",
    "handover.Handover.partner_reference",
    "handover.Handover.status_note",
    "print_house.DeliveryLine.reason",
    "debtor_portal.DisputeFile.original_name",
    "debtor_portal.DisputeFile.sha256",
    "debtor_portal.DisputeFile.stored_path",
    "debtor_portal.DisputeFile (stored file deleted)",
    *_ANONYMISE_REMOVED,
)

FIELD_SETS: Mapping[str, tuple[str, ...]] = {
    "retention.anonymise/1": _ANONYMISE_1,
    "retention.anonymise/2": _ANONYMISE_2,
    "retention.anonymise/3": _ANONYMISE_3,
    # What ``privacy.retention.clients`` blanks on each contact person of a client whose relationship ended.
    "retention.client_contacts/1": (
        "parties.ClientContact.name",
        "parties.ClientContact.email",
        "parties.ClientContact.phone",
        "parties.ClientContact.role",
    ),
}


class UnknownFieldSet(ValueError):
    """A reference to a field set that is not registered (``FIELD_SETS``)."""


def field_set_reference(name: str, *, fields: Sequence[str]) -> list[str]:
    """The ``fields`` of an audit entry that names the registered set ``name``; ``fields`` is the list the caller
    means, checked against the set so that an entry never names a set that says something else (a job whose list
    changed needs a new version of its set). Raises ``UnknownFieldSet``, or ``ValueError`` when they differ."""
    if name not in FIELD_SETS:
        raise UnknownFieldSet(f"no audit field set {name!r}")
    if tuple(fields) != FIELD_SETS[name]:
        raise ValueError(f"the audit field set {name!r} names other fields: register a new version of it")
    return [MARK + name]


def fields_expanded(fields: Sequence[str]) -> list[str]:
    """The field names an entry's stored ``fields`` stand for: each set reference replaced by its names."""
    if not any(name.startswith(MARK) for name in fields):
        return list(fields)
    expanded: list[str] = []
    for name in fields:
        expanded.extend(FIELD_SETS[name.removeprefix(MARK)] if name.startswith(MARK) else (name,))
    return expanded


def references_check(fields: Sequence[str]) -> None:
    """Refuse an entry that names a set not registered (``UnknownFieldSet``): it could never be read back."""
    for name in fields:
        if name.startswith(MARK) and name.removeprefix(MARK) not in FIELD_SETS:
            raise UnknownFieldSet(f"no audit field set {name!r}")
