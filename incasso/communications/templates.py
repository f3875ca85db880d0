"""New template versions without a deploy: an administrator adds a version, it is test-rendered, then activated.

A version that does not compile against a sample letter is refused before it is stored, so a typo in the
admin cannot stop the night's print batch.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Max

from incasso.communications.letter_data import ARRANGEMENT_CONFIRMATION, LetterFacts, Recipient, letter_data_build
from incasso.communications.models import LetterKind, LetterLanguage, LetterTemplate
from incasso.communications.preparation import agency_from_settings
from incasso.communications.rendering import letters_compile
from incasso.domain.interest import InterestKind
from incasso.domain.money import Money
from incasso.domain.quote import ClaimInput, QuoteRequest, quote_calculate
from incasso.legal.services import interest_rate_tables

SAMPLE_POSTED = date(2024, 8, 29)


def _sample_data(kind: str, language: str) -> dict[str, object]:
    request = QuoteRequest(
        InterestKind.STATUTORY,
        SAMPLE_POSTED,
        (ClaimInput("F-2024-0012", Money.parse("1250.00"), date(2024, 6, 30)),),
    )
    facts = LetterFacts(
        letter_id=0,
        kind=kind,
        language=language,
        case_number="2024-000001",
        creditor="Voorbeeld B.V.",
        rf_reference="RF332024000001",
        recipient=Recipient("Jan de Vries", "Kerkstraat 1", "1012 AB", "Amsterdam", "NL", consumer=True),
        posted=SAMPLE_POSTED,
        request=request,
        quote=quote_calculate(request, interest_rate_tables()),
        vat_uplift=True,
        details={"instalments": [{"due": "2024-09-15", "amount_cents": 25_000}]}
        if kind == ARRANGEMENT_CONFIRMATION
        else {},
    )
    return letter_data_build(facts, agency_from_settings())


def letter_template_check(*, kind: str, language: str, source: str) -> None:
    """Compile ``source`` with a sample letter; raises ``LetterRenderError`` with Typst's message if it fails."""
    letters_compile(templates={0: source}, letters=[{**_sample_data(kind, language), "template_id": 0}])


@transaction.atomic
def letter_template_create(
    *, kind: str, language: str, source: str, notes: str = "", actor_id: int | None = None
) -> LetterTemplate:
    """Store ``source`` as the next version of the kind and language, inactive until activated."""
    if kind not in LetterKind.values or language not in LetterLanguage.values:
        raise ValueError(f"no letter of kind {kind!r} in language {language!r}")
    letter_template_check(kind=kind, language=language, source=source)
    latest = LetterTemplate.objects.filter(kind=kind, language=language).aggregate(v=Max("version"))["v"] or 0
    return LetterTemplate.objects.create(
        kind=kind, language=language, version=latest + 1, source=source, notes=notes, created_by_id=actor_id
    )


@transaction.atomic
def letter_template_activate(*, template: LetterTemplate) -> None:
    """Make ``template`` the one active version of its kind and language; letters rendered from now on use it."""
    LetterTemplate.objects.filter(kind=template.kind, language=template.language, active=True).exclude(
        pk=template.pk
    ).update(active=False)
    LetterTemplate.objects.filter(pk=template.pk).update(active=True)
    template.active = True
