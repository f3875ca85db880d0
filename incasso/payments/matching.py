"""Deciding what each new entry of a chunk is: a payment on a case, a return, unmatched, or not ours to book.

Credits are matched in this order, and the first rule that finds exactly one open case wins:

1. the structured payment reference: an RF reference (ISO 11649) equal to ``rf_for_case`` of an open case,
   given as the structured reference or typed into the description;
2. a case number ("2026-000123") in the description;
3. the payer's IBAN: it is the IBAN of exactly one debtor with open cases, that debtor has exactly one open case,
   and the amount is no more than that case's principal still claimed (invoices less credit notes). The limit is
   deliberately simple and strict: a larger amount — interest and costs paid too, or an overpayment — goes to a
   person rather than being guessed.

Everything is looked up with a fixed number of queries per chunk, whatever its size. A debit is a return when it
carries a return reason (camt RtrInf, MT940 /RTRN/) or when its end-to-end id or mandate belongs to a payment we
matched earlier; its original is the matched payment with the same end-to-end id (else mandate) and amount that
was not returned yet. Other debits (bank costs, payouts) are not debtor payments and are recorded as ignored.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from django.db.models import BigIntegerField, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from incasso.cases.models import Case, Claim
from incasso.core.bulk_insert import AnyOf
from incasso.domain.case_stages import Stage
from incasso.intake.models import ClaimCredit
from incasso.parties.selectors import debtor_ids_by_iban
from incasso.payments.models import EntryStatus, MatchRule, StatementEntry
from incasso.payments.parsers.records import ParsedEntry
from incasso.payments.references import NamedCases, named_cases

CLOSED = Stage.CLOSED.value


@dataclass(frozen=True, slots=True)
class Decision:
    status: EntryStatus
    rule: str = ""
    case_id: int | None = None
    # For a return: the entry key and ledger key of the payment it reverses.
    original_key: str | None = None
    original_ledger_key: str = ""
    note: str = ""


IGNORED = Decision(EntryStatus.IGNORED)


@dataclass(frozen=True, slots=True)
class Hints:
    """What matching needs of a chunk's credits that their text alone gives, where worked out already (e.g. by the
    statement reader's process, beside the writing): the case numbers they name by entry key (``named_cases``) and
    the blind-index entries of their IBANs by IBAN (``parties.selectors.debtor_index_entry``). Whatever is missing
    is worked out here."""

    named: Mapping[str, NamedCases] = field(default_factory=dict)
    iban_indexes: Mapping[str, str] = field(default_factory=dict)


NO_HINTS = Hints()


@dataclass(frozen=True, slots=True)
class _Payment:
    """A matched credit a return may reverse."""

    key: str
    ledger_key: str
    end_to_end_id: str
    mandate_id: str
    amount_cents: int
    currency: str
    case_id: int | None


def chunk_decide(entries: list[tuple[str, ParsedEntry]], hints: Hints = NO_HINTS) -> list[Decision]:
    """One decision per entry, in order. ``entries`` are (entry key, entry) pairs not stored before; ``hints``
    may hold what their text gives, worked out already (``Hints``)."""
    credits = [(key, entry) for key, entry in entries if entry.amount_cents > 0 and _payable(entry)]
    cases = _CaseLookup(credits, hints)
    payments = _PaymentLookup([entry for _, entry in entries if entry.amount_cents < 0])
    decisions = []
    for key, entry in entries:
        if entry.amount_cents == 0:
            decision = IGNORED
        elif entry.amount_cents > 0:
            decision = cases.decide(entry)
        else:
            decision = payments.decide(entry)
        if decision.status == EntryStatus.MATCHED:
            payments.remember(key, entry, decision)
        decisions.append(decision)
    return decisions


def ledger_key(entry_key: str) -> str:
    """The ledger idempotency key of the booking an entry makes: the same entry can never book twice."""
    return f"stmt:{entry_key}"


def _payable(entry: ParsedEntry) -> bool:
    """A credit that may be a debtor's payment: not a bank's reversal and not our own transfer coming back."""
    return not entry.reversal and not entry.return_reason


class _CaseLookup:
    """The open cases a chunk's credits may be for, read with at most five queries.

    Rules 1 and 2 are decided first: only the credits they leave are looked up by the payer's IBAN (a keyed hash
    each, and a query over the debtors' blind index), so a chunk paid by reference does no IBAN work at all.
    """

    def __init__(self, keyed_credits: list[tuple[str, ParsedEntry]], hints: Hints) -> None:
        credits = [entry for _, entry in keyed_credits]
        rf_numbers, text_numbers = {}, {}
        for key, entry in keyed_credits:
            rf_numbers[id(entry)], text_numbers[id(entry)] = hints.named.get(key) or named_cases(entry)
        numbers: set[str] = set()
        for found in (*rf_numbers.values(), *text_numbers.values()):
            numbers |= found
        self.open_by_number: dict[str, int] = dict(
            Case.objects.filter(AnyOf(F("number"), numbers)).exclude(stage=CLOSED).values_list("number", "pk")
            if numbers
            else []
        )
        self.currency, self.principal = _case_principals(set(self.open_by_number.values()))
        self.by_number = {
            id(entry): self._by_number(entry, rf_numbers[id(entry)], text_numbers[id(entry)]) for entry in credits
        }
        rest = [entry for entry in credits if self.by_number[id(entry)][0] is None]
        ibans = {entry.counterparty_iban for entry in rest if entry.counterparty_iban}
        self.open_by_iban: dict[str, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
        if ibans:
            # The debtor's IBAN is encrypted: found through its blind index, one query for the debtors, one for cases.
            debtors_by_iban = debtor_ids_by_iban(ibans=ibans, indexed=hints.iban_indexes)
            iban_of = {debtor_id: iban for iban, ids in debtors_by_iban.items() for debtor_id in ids}
            rows = (
                Case.objects.filter(AnyOf(F("debtor_id"), list(iban_of)))
                .exclude(stage=CLOSED)
                .values_list("debtor_id", "pk")
            )
            for debtor_id, case_id in rows:
                self.open_by_iban[iban_of[debtor_id]][debtor_id].add(case_id)
        self.iban_case = {iban: _only_case(debtors) for iban, debtors in self.open_by_iban.items()}
        known = set(self.open_by_number.values())
        more = {case_id for case_id in self.iban_case.values() if case_id is not None and case_id not in known}
        currency, principal = _case_principals(more)
        self.currency.update(currency)
        self.principal.update(principal)

    def _by_number(
        self, entry: ParsedEntry, rf: AbstractSet[str], text: AbstractSet[str]
    ) -> tuple[Decision | None, list[str]]:
        """Rules 1 and 2: the match they make, else why each did not."""
        notes: list[str] = []
        for rule, numbers in ((MatchRule.REFERENCE, rf), (MatchRule.CASE_NUMBER, text)):
            open_cases = {self.open_by_number[n] for n in numbers if n in self.open_by_number}
            if len(open_cases) == 1:
                case_id = open_cases.pop()
                if self.currency.get(case_id) == entry.currency:
                    return Decision(EntryStatus.MATCHED, rule, case_id), notes
                notes.append(f"case in another currency than {entry.currency}")
            elif len(open_cases) > 1:
                notes.append(f"{len(open_cases)} open cases named ({rule.label})")
            elif numbers:
                notes.append(f"no open case {', '.join(sorted(numbers))}")
        return None, notes

    def decide(self, entry: ParsedEntry) -> Decision:
        if not _payable(entry):
            why = f"return reason {entry.return_reason}" if entry.return_reason else "reversal by the bank"
            return Decision(EntryStatus.UNMATCHED, note=f"a credit marked as {why}: not a debtor's payment")
        matched, notes = self.by_number[id(entry)]
        if matched is not None:
            return matched
        iban_decision = self._by_iban(entry)
        if iban_decision.status == EntryStatus.MATCHED:
            return iban_decision
        return Decision(
            EntryStatus.UNMATCHED, note="; ".join(note for note in (*notes, iban_decision.note) if note)[:255]
        )

    def _by_iban(self, entry: ParsedEntry) -> Decision:
        if not entry.counterparty_iban or entry.counterparty_iban not in self.open_by_iban:
            return Decision(EntryStatus.UNMATCHED)
        case_id = self.iban_case[entry.counterparty_iban]
        if case_id is None:
            return Decision(EntryStatus.UNMATCHED, note="the IBAN is of several debtors or open cases")
        if self.currency.get(case_id) != entry.currency:
            return Decision(EntryStatus.UNMATCHED, note="the IBAN's case is in another currency")
        if entry.amount_cents > self.principal.get(case_id, 0):
            return Decision(EntryStatus.UNMATCHED, note="more than the principal of the IBAN's only open case")
        return Decision(EntryStatus.MATCHED, MatchRule.IBAN, case_id)


def _only_case(debtors: dict[int, set[int]]) -> int | None:
    if len(debtors) != 1:
        return None
    (cases,) = debtors.values()
    return next(iter(cases)) if len(cases) == 1 else None


def _case_principals(case_ids: set[int]) -> tuple[dict[int, str], dict[int, int]]:
    """Each case's currency (None when its claims mix currencies) and principal still claimed, in one query."""
    if not case_ids:
        return {}, {}
    currencies: dict[int, set[str]] = defaultdict(set)
    principal: dict[int, int] = defaultdict(int)
    credited = (
        ClaimCredit.objects.filter(claim=OuterRef("pk"))
        .order_by()
        .values("claim")
        .annotate(total=Sum("amount_cents"))
        .values("total")
    )
    claims = (
        Claim.objects.filter(AnyOf(F("case_id"), case_ids))
        .annotate(credited=Coalesce(Subquery(credited), 0, output_field=BigIntegerField()))
        .values_list("case_id", "currency", "principal_cents", "credited")
    )
    for case_id, currency, cents, credit in claims:
        currencies[case_id].add(currency)
        principal[case_id] += int(cents) - int(credit)
    single = {case_id: next(iter(found)) for case_id, found in currencies.items() if len(found) == 1}
    return single, dict(principal)


class _PaymentLookup:
    """Matched payments the chunk's debits may return: those stored before, and those matched in this chunk.

    Indexed by end-to-end id and by mandate, newest first, so a day with many returns stays linear.
    """

    def __init__(self, debits: list[ParsedEntry]) -> None:
        e2e = {entry.end_to_end_id for entry in debits if entry.end_to_end_id}
        mandates = {entry.mandate_id for entry in debits if entry.mandate_id}
        self.by_e2e: dict[str, list[_Payment]] = defaultdict(list)
        self.by_mandate: dict[str, list[_Payment]] = defaultdict(list)
        self.used: set[str] = set()
        if e2e or mandates:
            rows = (
                StatementEntry.objects.filter(Q(end_to_end_id__in=e2e) | Q(mandate_id__in=mandates))
                .filter(status=EntryStatus.MATCHED, amount_cents__gt=0, return_entry__isnull=True)
                .order_by("-booking_date", "-pk")
                .values_list(
                    "entry_key", "ledger_key", "end_to_end_id", "mandate_id", "amount_cents", "currency", "case_id"
                )
            )
            for row in rows:
                self._index(_Payment(*row), newest=False)

    def _index(self, payment: _Payment, *, newest: bool) -> None:
        for index, value in ((self.by_e2e, payment.end_to_end_id), (self.by_mandate, payment.mandate_id)):
            if value:
                if newest:
                    index[value].insert(0, payment)
                else:
                    index[value].append(payment)

    def remember(self, key: str, entry: ParsedEntry, decision: Decision) -> None:
        payment = _Payment(
            key,
            ledger_key(key),
            entry.end_to_end_id,
            entry.mandate_id,
            entry.amount_cents,
            entry.currency,
            decision.case_id,
        )
        self._index(payment, newest=True)

    def decide(self, entry: ParsedEntry) -> Decision:
        original = self._original(entry)
        if original is not None:
            self.used.add(original.key)
            return Decision(
                EntryStatus.RETURNED,
                MatchRule.RETURN,
                original.case_id,
                original_key=original.key,
                original_ledger_key=original.ledger_key,
            )
        if entry.return_reason:
            return Decision(EntryStatus.UNMATCHED, note="a return of a payment that is not known as matched")
        return IGNORED

    def _original(self, entry: ParsedEntry) -> _Payment | None:
        """The newest unreturned payment of the same amount with this end-to-end id, else with this mandate."""
        for index, value in ((self.by_e2e, entry.end_to_end_id), (self.by_mandate, entry.mandate_id)):
            for payment in index.get(value, []) if value else []:
                if (
                    payment.key not in self.used
                    and payment.amount_cents == -entry.amount_cents
                    and payment.currency == entry.currency
                ):
                    return payment
        return None
