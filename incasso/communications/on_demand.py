"""A letter a collector asks for by hand on the case page: the guards the daily run applies, then the one queue.

The daily run only queues a letter the strategy and the stage machine allow; a letter asked for by hand must meet
the same rules, so a person cannot send what the run never would: no letter on a closed case or one on hold, no
letter the client does not allow, the 14-day letter for consumers only (BW 6:96 lid 6, LEGAL.md §2), a notice of
legal steps only when the case may go to legal, an arrangement confirmation only for an arrangement in force. The
letter is queued through ``letters_queue_bulk`` for the first day a debtor may be approached (Wki art. 4.2,
LEGAL.md §8), and the request is audited with the collector as actor.

Beside ``services`` (which imports nothing from here) because it needs the case's facts and its arrangement; the
back office's case page calls it, and any other interface that lets a person send a letter should too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from incasso.arrangements.models import Arrangement, ArrangementStatus, InstalmentStatus
from incasso.audit.models import AuditAction
from incasso.audit.services import audit_record
from incasso.cases.models import Case
from incasso.cases.selectors import case_facts
from incasso.communications.models import LetterKind
from incasso.communications.services import ArrangementInstalment, LetterRequest, letters_queue_bulk
from incasso.domain.case_lifecycle import CaseFacts, TransitionRefused, check_transition
from incasso.domain.case_stages import Stage
from incasso.domain.contact import next_allowed_contact
from incasso.domain.data_map import ProcessingPurpose

# Stages in which legal steps are already under way: a notice of them needs no move to legal any more.
LEGAL_STAGES = frozenset({Stage.LEGAL, Stage.JUDGMENT, Stage.ENFORCEMENT})


class LetterRefused(Exception):
    """The letter may not be sent; ``reason`` says why, in words for the collector."""

    def __init__(self, reason: str | Promise) -> None:
        super().__init__(str(reason))
        self.reason = reason


@dataclass(frozen=True, slots=True)
class QueuedLetter:
    kind: str
    planned_for: date
    new: bool  # False: the same letter was already queued for that day


def letter_refusal(facts: CaseFacts, kind: str, *, has_arrangement: bool) -> str | Promise | None:
    """Why a letter of ``kind`` may not go out for a case with these facts; ``None`` when it may (pure)."""
    if facts.stage is Stage.CLOSED:
        return _("The case is closed: it gets no more letters.")
    if facts.holds:
        return _("The case is on hold (%(holds)s): no letters while the hold lasts.") % {
            "holds": ", ".join(sorted(hold.value for hold in facts.holds))
        }
    if facts.allowed_measures is not None and kind not in facts.allowed_measures:
        return _("The client does not allow this letter.")
    if kind == LetterKind.FOURTEEN_DAY_LETTER and not facts.consumer:
        return _("A 14-day letter is for consumers only; this debtor is a business.")
    if kind == LetterKind.LEGAL_NOTICE and facts.stage not in LEGAL_STAGES:
        try:
            check_transition(facts, Stage.LEGAL)
        except TransitionRefused as refused:
            return _("Legal steps are not possible yet: %(why)s.") % {"why": refused.message}
    if kind == LetterKind.ARRANGEMENT_CONFIRMATION and not has_arrangement:
        return _("The case has no payment arrangement in force to confirm.")
    return None


def _open_instalments(case: Case) -> tuple[ArrangementInstalment, ...]:
    arrangement = Arrangement.objects.filter(case=case, status=ArrangementStatus.ACTIVE).first()
    if arrangement is None:
        return ()
    rows = arrangement.instalments.filter(status=InstalmentStatus.OPEN).values_list("due_on", "amount_cents")
    return tuple(ArrangementInstalment(due=due, amount_cents=cents) for due, cents in rows.order_by("number"))


@transaction.atomic
def letter_on_demand_queue(
    *, case: Case, kind: str, language: str, actor: User, now: datetime, source: str
) -> QueuedLetter:
    """Queue one letter for the case if the rules allow it, else :class:`LetterRefused` with the reason.

    The letter is planned for the first moment at or after ``now`` when the debtor may be approached; queuing the
    same kind again for that day is one letter (``letters_queue_bulk``'s key), reported as not new.
    """
    planned_for = next_allowed_contact(now).date()
    facts = case_facts(case=case, today=timezone.localdate(now))
    instalments = _open_instalments(case) if kind == LetterKind.ARRANGEMENT_CONFIRMATION else ()
    refusal = letter_refusal(facts, kind, has_arrangement=bool(instalments))
    if refusal is not None:
        raise LetterRefused(refusal)
    request = LetterRequest(case_id=case.pk, kind=kind, language=language, instalments=instalments)
    try:
        new = letters_queue_bulk(requests=[request], on=planned_for)
    except ValueError as error:
        raise LetterRefused(_("The letter cannot be queued: %(why)s.") % {"why": error}) from error
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        subject=case.debtor,
        fields=["letters"],
        purpose=ProcessingPurpose.DEBT_COLLECTION,
        source=source,
        details={"case": case.number, "letter": kind, "planned_for": planned_for.isoformat(), "new": bool(new)},
    )
    return QueuedLetter(kind=kind, planned_for=planned_for, new=bool(new))
