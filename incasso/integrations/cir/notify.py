"""Telling the client that its debtor is insolvent (SPEC C-13): an e-mail to the client's contacts.

Sent after the transaction that placed the holds has committed (``transaction.on_commit``), once per newly held
case, in Dutch and English; mail to a contact whose S/MIME certificate is on file is encrypted for it. A failed
send is logged and does not undo the holds: the task for staff, created with the hold, still says to tell the client.
A sent notice is a disclosure to the client about its debtor (SPEC P-8), logged once the server took it: the client
needs it to file its claim with the trustee, a legal claim (so a restriction of the debtor's processing allows it).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from incasso.cases.models import Case
from incasso.disclosures.services import DisclosureEntry, client_recipient_ensure, disclosures_record_bulk
from incasso.domain.data_map import DataCategory, LegalBasis, ProcessingPurpose
from incasso.integrations.cir.client import Publication
from incasso.integrations.smime import smime_protect

logger = logging.getLogger(__name__)
ACTOR = "insolvency register check"
CATEGORIES = (DataCategory.UNIQUE_ID, DataCategory.LEGAL_PROCEEDINGS)

SUBJECT = "Insolventie debiteur / Debtor insolvent - {case}"
BODY = (
    "Het Centraal Insolventieregister meldt voor de debiteur van dossier {case}: {kind} {number} ({court}, "
    "gepubliceerd {published}). De incasso is stilgezet; de vordering moet bij de curator of bewindvoerder "
    "worden ingediend.\n\n"
    "The central insolvency register reports for the debtor of case {case}: {kind} {number} ({court}, published "
    "{published}). Collection has stopped; the claim must be filed with the trustee or administrator.\n"
)


def cir_clients_notify(*, case_ids: Sequence[int], publication: Publication) -> int:
    """E-mail each case's client contacts about the publication. Returns how many messages were sent."""
    cases = Case.objects.filter(pk__in=list(case_ids)).select_related("client").prefetch_related("client__contacts")
    messages: list[EmailMessage] = []
    disclosures: list[DisclosureEntry] = []
    for case in cases.order_by("pk"):
        to = sorted({c.email_address for c in case.client.contacts.all() if c.email_address})
        if not to:
            continue
        values = {
            "case": case.number,
            "kind": publication.kind.value,
            "number": publication.insolvency_number,
            "court": publication.court,
            "published": publication.published_on.isoformat(),
        }
        message = EmailMessage(
            subject=SUBJECT.format(**values),
            body=BODY.format(**values),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=to,
        )
        messages.append(smime_protect(message))
        disclosures.append(
            DisclosureEntry(
                recipient=client_recipient_ensure(client=case.client),
                subjects=[f"parties.Debtor:{case.debtor_id}"],
                categories=CATEGORIES,
                legal_basis=LegalBasis.LEGITIMATE_INTEREST,
                purpose=ProcessingPurpose.DEBT_COLLECTION,
                description=f"insolvency notice e-mailed to the client: {publication.insolvency_number}",
                case=case,
                legal_claims=True,
            )
        )
    if not messages:
        return 0
    try:
        sent = get_connection(fail_silently=False).send_messages(messages) or 0
    except Exception:  # the holds stand; the staff task still says to tell the client
        logger.exception("could not e-mail clients about insolvency %s", publication.insolvency_number)
        return 0
    disclosures_record_bulk(entries=disclosures, actor=ACTOR)
    return sent
