"""A shipped print batch is a disclosure to the print house (SPEC P-8): one entry per letter, about its debtor.

The print house is the recipient of the recipients register named by ``INCASSO_PRINT_HOUSE_RECIPIENT``. The
disclosures are checked before anything is uploaded (the EEA rule, restricted debtors), so data that may not go
there never leaves; they are written only after the upload succeeded, in the shipment's transaction.
"""

from __future__ import annotations

from django.conf import settings

from incasso.cases.models import Case
from incasso.communications.models import Letter, PrintBatch
from incasso.disclosures.errors import TransferRefused
from incasso.disclosures.models import Disclosure, Recipient
from incasso.disclosures.services import DisclosureEntry, disclosures_check_bulk, disclosures_record_bulk
from incasso.domain.audit_chain import SubjectRef
from incasso.domain.data_map import DataCategory, LegalBasis, ProcessingPurpose
from incasso.parties.models import Debtor
from incasso.print_house.config import PrintHouseNotConfigured

DEFAULT_RECIPIENT = "Drukkerij De Letterbak B.V."
# What a letter and its manifest line show: name, address, case and payment numbers, the amounts claimed.
CATEGORIES = (
    DataCategory.NAME,
    DataCategory.CONTACT_ADDRESS,
    DataCategory.UNIQUE_ID,
    DataCategory.DEBT,
    DataCategory.CORRESPONDENCE,
)
# The agency's (and its client's) legitimate interest in collecting the claim; the print house is its processor.
LEGAL_BASIS = LegalBasis.LEGITIMATE_INTEREST


class PrintHouseNotRegistered(PrintHouseNotConfigured):
    """No active recipient in the register for the print house: no letter may go there."""


def print_house_recipient() -> Recipient:
    name = str(getattr(settings, "INCASSO_PRINT_HOUSE_RECIPIENT", "") or DEFAULT_RECIPIENT)
    recipient = Recipient.objects.filter(name=name, category="print_house", active=True).order_by("pk").first()
    if recipient is None:
        raise PrintHouseNotRegistered(
            f"no active print house named {name!r} (INCASSO_PRINT_HOUSE_RECIPIENT) in the recipients register"
        )
    return recipient


def _entries(batch: PrintBatch, recipient: Recipient) -> list[DisclosureEntry]:
    letters = Letter.objects.filter(batch=batch).order_by("pk").values_list("pk", "kind", "case_id", "case__debtor_id")
    return [
        DisclosureEntry(
            recipient=recipient,
            subjects=[SubjectRef(Debtor._meta.label, str(debtor_id))],
            categories=CATEGORIES,
            legal_basis=LEGAL_BASIS,
            purpose=ProcessingPurpose.DEBT_COLLECTION,
            description=f"letter {letter_id} ({kind}) in print batch {batch.pk} for printing and posting",
            case=Case(pk=case_id),
        )
        for letter_id, kind, case_id, debtor_id in letters
    ]


def shipment_refusal(recipient: Recipient, batch: PrintBatch, *, actor: str) -> str | None:
    """Why the batch may not go to ``recipient`` (outside the EEA without safeguards, or a letter's debtor under
    restriction), with the refusal logged; None when it may. Checked before anything is uploaded."""
    try:
        disclosures_check_bulk(entries=_entries(batch, recipient), actor=actor)
    except TransferRefused as refused:  # SubjectRestricted included
        return str(refused)
    return None


def shipment_disclosures_record(recipient: Recipient, batch: PrintBatch, *, actor: str) -> list[Disclosure]:
    """One disclosure per letter of the batch, about its debtor: a constant number of queries."""
    return disclosures_record_bulk(entries=_entries(batch, recipient), actor=actor)
