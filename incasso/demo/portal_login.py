"""A working debtor-portal log-in for the demo: a case number, the code "from the letter" and a postcode.

A real code is printed once on a letter and only its hash is kept, so nothing could print it afterwards. For the
demo, one consumer case gets a letter whose code is derived from the installation's SECRET_KEY and the case
number: ``incasso demo-logins`` can then print the same code every time, and only on this installation.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from incasso.cases.models import Case
from incasso.cases.selectors import case_quote
from incasso.communications import portal_codes
from incasso.communications.models import Letter, LetterChannel, LetterKind, LetterStatus, PortalAccessCode
from incasso.domain.case_stages import Stage
from incasso.domain.money import Money
from incasso.domain.payment_reference import rf_for_case
from incasso.parties.models import DebtorKind

# Clients whose processor agreement lets a debtor spread a few hundred euros over months (12 months, 25 euros).
DEMO_PORTAL_CLIENTS = ("energy", "webshop")
SENSIBLE_TOTAL = (Money(10_000), Money(300_000))
CANDIDATES = 200
LETTER_KEY = "demo-portal-login:{number}"


@dataclass(frozen=True)
class DemoPortalLogin:
    case_number: str
    code: str  # as printed: ABCD-EFGH
    postcode: str
    date_of_birth: datetime.date | None
    total: Money


def demo_portal_code(case_number: str) -> str:
    """The demo code of a case: stable for this installation's key, unguessable without it."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"demo-portal:{case_number}".encode(), hashlib.sha256).digest()
    alphabet = portal_codes.ALPHABET
    return "".join(alphabet[byte % len(alphabet)] for byte in digest[: portal_codes.LENGTH])


def _candidate(today: datetime.date) -> tuple[Case, Money] | None:
    """The case that already has the demo letter (whatever it owes now), else the first that fits."""
    issued = (
        Letter.objects.filter(idempotency_key__startswith=LETTER_KEY.format(number=""))
        .select_related("case__debtor")
        .order_by("pk")
        .first()
    )
    if issued is not None:
        return issued.case, case_quote(case=issued.case, as_of=today).total_outstanding
    cases = (
        Case.objects.filter(client__code__in=DEMO_PORTAL_CLIENTS, debtor__kind=DebtorKind.CONSUMER)
        .exclude(stage=Stage.CLOSED.value)
        .filter(claims__isnull=False)
        .select_related("debtor")
        .distinct()
        .order_by("number")[:CANDIDATES]
    )
    low, high = SENSIBLE_TOTAL
    for case in cases:
        if not str(case.debtor.postcode or ""):
            continue
        total = case_quote(case=case, as_of=today).total_outstanding
        if low <= total <= high:
            return case, total
    return None


@transaction.atomic
def demo_portal_login_ensure() -> DemoPortalLogin | None:
    """The demo's portal log-in, issuing its letter and code on first use; None when no case fits."""
    today = timezone.localdate()
    found = _candidate(today)
    if found is None:
        return None
    case, total = found
    code = demo_portal_code(case.number)
    letter, _created = Letter.objects.get_or_create(
        idempotency_key=LETTER_KEY.format(number=case.number),
        defaults={
            "case": case,
            "kind": LetterKind.REMINDER,
            "language": "nl",
            "channel": LetterChannel.POST,
            "status": LetterStatus.RENDERED,
            "planned_for": today,
            "posted_on": today,
            "rendered_at": timezone.now(),
            "rf_reference": rf_for_case(case.number),
        },
    )
    stored = PortalAccessCode.objects.filter(letter=letter).first()
    if stored is None or not portal_codes.portal_code_matches(code, stored.code_hash):
        PortalAccessCode.objects.update_or_create(
            letter=letter, defaults={"case": case, "code_hash": portal_codes.portal_code_hash(code), "revoked_at": None}
        )
    return DemoPortalLogin(
        case_number=case.number,
        code=portal_codes.portal_code_display(code),
        postcode=str(case.debtor.postcode),
        date_of_birth=case.debtor.date_of_birth,
        total=total,
    )
