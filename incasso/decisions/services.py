"""Writes for automated decisions: strategy versions, the daily decisions, contests and objections (C-6, P-4)."""

from __future__ import annotations

import datetime
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from incasso.audit.models import AuditAction
from incasso.audit.services import Actor, AuditEntry, audit_record, audit_record_bulk
from incasso.cases.models import Case, StaffTask, TaskKind, TaskStatus
from incasso.cases.services import task_close, task_create
from incasso.core.bulk_insert import AnyKey, AnyOf, rows_insert
from incasso.decisions.models import (
    MAX_CHALLENGER_SHARE,
    Decision,
    ObjectionSource,
    ProfilingObjection,
    Strategy,
    StrategyVersion,
    VersionStatus,
)
from incasso.decisions.selectors import ProfilingBlock, case_profiling_blocks, strategy_in_force
from incasso.domain.audit_chain import SubjectRef
from incasso.domain.data_map import ProcessingPurpose
from incasso.domain.deadlines import dsr_deadline
from incasso.domain.strategy import StrategyError, StrategyInputs, decide, parse_strategy
from incasso.parties.models import Debtor

BULK_BATCH = 1_000
_DECISION_COLUMNS = (
    "case_id",
    "strategy_version_id",
    "variant",
    "decided_on",
    "inputs",
    "rule_id",
    "outcome",
    "explanation_nl",
    "explanation_en",
    "created_at",
)


# Who changes the rules of automated decisions is part of the audit chain (GDPR art. 22, C-6). The events are
# about no data subject; an actor that is no person (a command) is recorded by its name.
STRATEGY_AUDIT_SOURCE = "decisions.strategy"
_UNNAMED_ACTOR = "system"


def _strategy_audit(
    actor: Actor | None,
    action: AuditAction,
    strategy: Strategy,
    version: StrategyVersion,
    fields: list[str],
    **details: Any,
) -> None:
    audit_record(
        actor=actor if actor is not None else _UNNAMED_ACTOR,
        action=action,
        subject=None,
        fields=fields,
        purpose=ProcessingPurpose.DEBT_COLLECTION,
        source=STRATEGY_AUDIT_SOURCE,
        details={"strategy": strategy.code, "version": version.version, **details},
    )


def _person(actor: Actor | None) -> User | None:
    """The user to store as creator or activator: a command has none (its name is in the audit event)."""
    return actor if isinstance(actor, User) else None


@transaction.atomic
def strategy_version_create(
    *,
    strategy_code: str,
    document: dict[str, Any],
    created_by: Actor | None = None,
    notes: str = "",
    name: str | None = None,
) -> StrategyVersion:
    """Store a new draft version of a strategy (creating the strategy on first use), recorded in the audit chain.

    The document is checked first: ``StrategyError`` (with the path of the problem) means nothing was stored.
    ``created_by`` is a user, or the name of a command (``incasso strategy load``), which is audited but not stored.
    """
    parse_strategy(document)
    _storable_text_check(document, "")
    validate_slug(strategy_code)
    strategy, _created = Strategy.objects.select_for_update().get_or_create(
        code=strategy_code, defaults={"name": name or strategy_code}
    )
    last = strategy.versions.aggregate(last=Max("version"))["last"] or 0
    version = StrategyVersion.objects.create(
        strategy=strategy,
        version=last + 1,
        document=document,
        status=VersionStatus.DRAFT,
        created_by=_person(created_by),
        notes=notes,
    )
    _strategy_audit(
        created_by, AuditAction.CREATE, strategy, version, ["document", "notes"], status=VersionStatus.DRAFT.value
    )
    return version


def _storable_text_check(value: object, path: str) -> None:
    """Refuse text PostgreSQL's ``jsonb`` cannot hold: a NUL character, or half a surrogate pair (JSON escapes
    such as ``\\u0000`` and ``\\ud800`` read as valid text, but the insert would fail)."""
    if isinstance(value, str):
        if "\x00" in value or not _encodable(value):
            raise StrategyError(
                path or "document", gettext_noop("contains a character that cannot be stored (NUL, lone surrogate)")
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            _storable_text_check(key, path or "document")
            _storable_text_check(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _storable_text_check(item, f"{path}[{i}]")


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@transaction.atomic
def strategy_version_activate(*, version: StrategyVersion, actor: Actor | None) -> StrategyVersion:
    """Make ``version`` the champion of its strategy; the previous champion and its challengers retire. The switch
    is an audit event (a version already champion changes nothing and records nothing)."""
    strategy = Strategy.objects.select_for_update().get(pk=version.strategy_id)  # one activation at a time
    locked = StrategyVersion.objects.select_for_update().get(pk=version.pk)
    parse_strategy(locked.document)  # never switch on a document the interpreter would refuse
    if locked.status == VersionStatus.ACTIVE and locked.challenger_of_id is None:
        return locked
    retiring = StrategyVersion.objects.filter(strategy_id=locked.strategy_id, status=VersionStatus.ACTIVE).exclude(
        pk=locked.pk
    )
    retired = sorted(retiring.values_list("version", flat=True))
    retiring.update(status=VersionStatus.RETIRED)
    locked.status = VersionStatus.ACTIVE
    locked.challenger_of = None
    locked.challenger_share_percent = 0
    locked.activated_at = timezone.now()
    locked.activated_by = _person(actor)
    update = ["status", "challenger_of", "challenger_share_percent", "activated_at", "activated_by"]
    locked.save(update_fields=update)
    _strategy_audit(actor, AuditAction.UPDATE, strategy, locked, update, role="champion", retired=retired)
    return locked


@transaction.atomic
def strategy_challenger_set(
    *,
    champion: StrategyVersion,
    challenger: StrategyVersion | None,
    share_percent: int = 0,
    actor: Actor | None = None,
) -> StrategyVersion | None:
    """Run ``challenger`` against the champion on ``share_percent`` of the cases; ``None`` ends the experiment.

    ``actor`` is recorded as the one who started the challenger, as an activation records its actor, and both the
    start and the end are audit events (an end without a challenger running records nothing)."""
    strategy = Strategy.objects.select_for_update().get(pk=champion.strategy_id)
    champion = StrategyVersion.objects.get(pk=champion.pk)
    if champion.status != VersionStatus.ACTIVE or champion.challenger_of_id is not None:
        raise ValidationError(_("Only the active champion can have a challenger."), code="not_champion")
    if challenger is not None:
        challenger = StrategyVersion.objects.get(pk=challenger.pk)
        if challenger.strategy_id != champion.strategy_id or challenger.pk == champion.pk:
            raise ValidationError(_("A challenger is another version of the same strategy."), code="bad_challenger")
        if not 0 <= share_percent <= MAX_CHALLENGER_SHARE:
            raise ValidationError(
                _("The challenger's share is 0 to %(max)d percent.") % {"max": MAX_CHALLENGER_SHARE}, code="share"
            )
        parse_strategy(challenger.document)
    others = StrategyVersion.objects.filter(challenger_of=champion, status=VersionStatus.ACTIVE)
    if challenger is not None:
        others = others.exclude(pk=challenger.pk)
    retired = sorted(others.values_list("version", flat=True))
    others.update(status=VersionStatus.RETIRED)
    if challenger is None:
        if retired:
            _strategy_audit(
                actor, AuditAction.UPDATE, strategy, champion, ["status"], role="champion", challengers_stopped=retired
            )
        return None
    challenger.status = VersionStatus.ACTIVE
    challenger.challenger_of = champion
    challenger.challenger_share_percent = share_percent
    challenger.activated_at = timezone.now()
    challenger.activated_by = _person(actor)
    update = ["status", "challenger_of", "challenger_share_percent", "activated_at", "activated_by"]
    challenger.save(update_fields=update)
    _strategy_audit(
        actor,
        AuditAction.UPDATE,
        strategy,
        challenger,
        update,
        role="challenger",
        champion=champion.version,
        share_percent=share_percent,
        challengers_stopped=retired,
    )
    return challenger


# What an automated decision stores about a debtor, as the data map names it (profiling, GDPR art. 22).
DECISION_FIELDS = ("decisions.Decision.inputs", "decisions.Decision.outcome", "decisions.Decision.explanation_en")


AUTOMATED = "automated decision"


def _decisions_audit(rows: Sequence[tuple[Any, ...]], debtors: Mapping[int, int] | None) -> list[AuditEntry]:
    """One audit event per automated decision (``rows`` as stored, in _DECISION_COLUMNS' order): the debtor
    profiled, by which strategy version, for collection. ``debtors`` (case id: debtor id) spares reading them.
    The events to record, in the caller's transaction."""
    case_ids = [row[0] for row in rows]
    if debtors is not None and all(case_id in debtors for case_id in case_ids):
        debtor_of = debtors
    else:
        debtor_of = dict(Case.objects.filter(AnyOf(F("pk"), case_ids)).values_list("pk", "debtor_id"))
    return [
        AuditEntry(
            AUTOMATED,
            AuditAction.CREATE,
            SubjectRef("parties.Debtor", str(debtor_of[case_id])),
            DECISION_FIELDS,
            ProcessingPurpose.DEBT_COLLECTION,
            "system",
            {"case_id": case_id, "rule": rule_id, "strategy_version_id": version_id},
        )
        for case_id, version_id, _variant, _on, _inputs, rule_id, *_ in rows
    ]


def _decisions_built(
    rows: Sequence[tuple[Any, ...]], keys: Sequence[Any], versions: Mapping[int, StrategyVersion]
) -> list[Decision]:
    """The instances of ``rows`` just stored under ``keys``, built as a read builds them (positionally, which costs
    a fraction of keyword construction for a chunk of thousands); the other columns have their defaults, and each
    knows its strategy version without a query."""
    version_field = Decision._meta.get_field("strategy_version")
    fields = Decision._meta.concrete_fields
    names = [field.attname for field in fields]
    position = {name: i for i, name in enumerate(_DECISION_COLUMNS)}
    defaults = [field.get_default() for field in fields]
    id_at = names.index("id")
    outcome_at = names.index("outcome")
    built = []
    for row, key in zip(rows, keys, strict=True):
        values = [row[position[name]] if name in position else defaults[i] for i, name in enumerate(names)]
        values[id_at] = key
        values[outcome_at] = dict(values[outcome_at])  # the rows of one rule share one dict; an instance its own
        decision = Decision.from_db(None, names, values)
        version_field.set_cached_value(decision, versions[row[1]])
        built.append(decision)
    return built


def decisions_decide_bulk(
    *,
    inputs: Sequence[StrategyInputs],
    on: datetime.date,
    strategy_code: str = "standard",
    blocks: Mapping[int, ProfilingBlock] | None = None,
    debtors: Mapping[int, int] | None = None,
) -> dict[int, Decision]:
    """Decide the next measure of many cases for ``on``, set-based, and store each decision with its inputs.

    A case already decided that day keeps its first decision (a second daily run changes nothing). A case whose
    debtor objected to profiling or is restricted, or whose last decision awaits a person's review, gets no
    decision and is absent from the answer: the caller plans human work instead (``case_profiling_blocks`` says
    why). The number of queries does not grow with the number of cases; callers pass chunks. A caller that has
    already read ``case_profiling_blocks`` for these cases on ``on`` passes it as ``blocks`` (read once, not twice),
    and one that has read the cases' debtors passes them as ``debtors`` (case id: debtor id) for the audit.
    """
    by_case = {item.case_id: item for item in inputs}
    if not by_case:
        return {}
    blocked = case_profiling_blocks(case_ids=by_case, on=on) if blocks is None else blocks
    # By the (case, day) key (AnyKey): shown the chunk's length, the planner reads the day's index instead, which
    # during a run holds every decision the run made so far that day, so each chunk would read all of them.
    decided = {d.case_id: d for d in Decision.objects.filter(AnyKey(F("case_id"), list(by_case)), decided_on=on)}
    rows, versions = _decisions_new(by_case, on, strategy_code, blocked, decided.keys())
    if rows:
        keys = rows_insert(Decision, _DECISION_COLUMNS, rows, ignore_conflicts=True)
        audit_record_bulk(_decisions_audit(rows, debtors))
        if len(keys) == len(rows):
            decided.update({d.case_id: d for d in _decisions_built(rows, keys, versions)})
        else:
            # A concurrent run of the same day stored some of these already: the first one stays, and the rows
            # are read back so both runs answer with the same decisions.
            stored = Decision.objects.filter(AnyKey(F("case_id"), [row[0] for row in rows]), decided_on=on)
            decided.update({d.case_id: d for d in stored})
    return {case_id: d for case_id, d in decided.items() if case_id not in blocked}


@dataclass(frozen=True, slots=True)
class DecisionTaken:
    """What the caller acts on: what happens next and why. The stored row holds the rest (inputs, version).

    ``outcome`` is shared by the decisions of one rule: read it, never change it."""

    case_id: int
    outcome: dict[str, Any]
    explanation_nl: str
    explanation_en: str


def decisions_take_locked_bulk(
    *,
    inputs: Sequence[StrategyInputs],
    on: datetime.date,
    blocks: Mapping[int, ProfilingBlock],
    debtors: Mapping[int, int],
    audit: list[AuditEntry],
    strategy_code: str = "standard",
) -> dict[int, DecisionTaken]:
    """:func:`decisions_decide_bulk` for a caller that holds the row lock of every case in ``inputs`` for the rest
    of its transaction (the daily run's chunk), and has read their ``blocks`` and ``debtors``.

    The audit events of the decisions are added to ``audit``, and the caller records them in this transaction
    (``audit_record_bulk``): the daily run records all of its chunk's events in one append just before it
    commits, so the chain's head stays locked for a moment, not for the rest of the chunk.

    The lock means no other run can store a decision for these cases that day between the read of the day's
    decisions here and the insert, so the rows go in by ``COPY`` (no conflict handling, the cheapest insert) and
    the answer is plain values, not model instances. Should a writer that does not take the lock race in anyway,
    the unique (case, day) constraint refuses the insert and the caller's transaction rolls back; its retry then
    finds the stored decision. Stored rows and audit events are exactly those of :func:`decisions_decide_bulk`.
    """
    by_case = {item.case_id: item for item in inputs}
    if not by_case:
        return {}
    taken = {  # by the (case, day) key, as in decisions_decide_bulk
        case_id: DecisionTaken(case_id, outcome, nl, en)
        for case_id, outcome, nl, en in Decision.objects.filter(
            AnyKey(F("case_id"), list(by_case)), decided_on=on
        ).values_list("case_id", "outcome", "explanation_nl", "explanation_en")
    }
    rows, _versions = _decisions_new(by_case, on, strategy_code, blocks, taken.keys())
    if rows:
        rows_insert(Decision, _DECISION_COLUMNS, rows, returning=False)
        audit.extend(_decisions_audit(rows, debtors))
        for case_id, _version, _variant, _on, _inputs, _rule, outcome, nl, en, _now in rows:
            taken[case_id] = DecisionTaken(case_id, outcome, nl, en)
    return {case_id: item for case_id, item in taken.items() if case_id not in blocks}


def _decisions_new(
    by_case: Mapping[int, StrategyInputs],
    on: datetime.date,
    strategy_code: str,
    blocked: Mapping[int, ProfilingBlock],
    decided: Collection[int],
) -> tuple[list[tuple[Any, ...]], dict[int, StrategyVersion]]:
    """The decision rows (in _DECISION_COLUMNS' order) of the cases neither blocked nor decided yet on ``on``, and
    the strategy versions that took them."""
    in_force = strategy_in_force(strategy_code=strategy_code)
    now = timezone.now()
    rows: list[tuple[Any, ...]] = []
    versions: dict[int, StrategyVersion] = {}
    # What happens next depends on the rule alone: one stored outcome per rule, which is also encoded once.
    outcomes: dict[tuple[int, str], dict[str, Any]] = {}
    for case_id, item in by_case.items():
        if case_id in blocked or case_id in decided:
            continue
        variant, version, rules = in_force.version_for(item.case_number)
        versions[version.pk] = version
        outcome = decide(rules, item)
        stored = outcomes.get((version.pk, outcome.rule_id))
        if stored is None:
            stored = outcomes[version.pk, outcome.rule_id] = outcome.as_dict()
        rows.append(
            (
                case_id,
                version.pk,
                variant.value,
                on,
                item.as_dict(),
                outcome.rule_id,
                stored,
                outcome.explanation_nl,
                outcome.explanation_en,
                now,
            )
        )
    return rows, versions


def _review_key(decision: Decision) -> str:
    return f"decision-review:{decision.pk}"


@transaction.atomic
def decision_contest(*, decision: Decision, reason: str, actor: User | None = None) -> StaffTask:
    """The debtor contests a decision: a person must review it (GDPR art. 22(3)). Contesting twice is one review.

    ``actor`` is the staff member who took the contest in (by phone or letter); None when it came through a portal.
    Until the review is recorded the case gets no new automated decisions.
    """
    locked = Decision.objects.select_for_update().select_related("case").get(pk=decision.pk)
    if locked.review_task_id is not None:
        return StaffTask.objects.get(pk=locked.review_task_id)
    now = timezone.now()
    received_by = actor.get_username() if actor is not None else _("the debtor portal")
    task = task_create(
        kind=TaskKind.HUMAN_REVIEW,
        title=_("Review the automated decision on case %(case)s") % {"case": locked.case.number},
        # The review answers a data-subject right: the GDPR's one-month deadline is the latest it may take.
        due_on=dsr_deadline(timezone.localdate(now)).due,
        case=locked.case,
        details=_("Decided on %(day)s by rule %(rule)s. Reason given: %(reason)s (received by %(by)s)")
        % {"day": locked.decided_on.isoformat(), "rule": locked.rule_id, "reason": reason, "by": received_by},
        idempotency_key=_review_key(locked),
    )
    locked.contested_at = now
    locked.contest_reason = reason
    locked.review_task = task
    locked.save(update_fields=["contested_at", "contest_reason", "review_task"])
    decision.refresh_from_db()
    return task


@transaction.atomic
def decision_review_record(*, decision: Decision, outcome: str, actor: User) -> Decision:
    """Record what the person who reviewed a contested decision concluded, and close the review task."""
    locked = Decision.objects.select_for_update().get(pk=decision.pk)
    if locked.contested_at is None or locked.review_task_id is None:
        raise ValidationError(_("This decision was not contested."), code="not_contested")
    if locked.reviewed_at is not None:
        raise ValidationError(_("This decision was already reviewed."), code="already_reviewed")
    if not outcome.strip():
        raise ValidationError(_("Say what the review concluded."), code="outcome_required")
    locked.review_outcome = outcome
    locked.reviewed_at = timezone.now()
    locked.reviewed_by = actor
    locked.save(update_fields=["review_outcome", "reviewed_at", "reviewed_by"])
    task = StaffTask.objects.select_for_update().get(pk=locked.review_task_id)
    if task.status == TaskStatus.OPEN:
        task_close(task=task, actor=actor, outcome=outcome)
    decision.refresh_from_db()
    return decision


@transaction.atomic
def profiling_objection_record(
    *, debtor: Debtor, source: ObjectionSource | str, received_at: datetime.datetime | None = None
) -> ProfilingObjection:
    """The debtor objects to profiling (GDPR art. 21): from now on no automated decisions. Recording twice is one.

    ``source`` says how the objection came in (an ``ObjectionSource`` or its value, e.g. ``"portal"``).
    """
    if source not in ObjectionSource.values:
        raise ValidationError(_("Unknown source of an objection: %(source)s") % {"source": source}, code="source")
    existing = ProfilingObjection.objects.filter(debtor=debtor, withdrawn_at__isnull=True).first()
    if existing is not None:
        return existing
    return ProfilingObjection.objects.create(
        debtor=debtor, source=ObjectionSource(source).value, received_at=received_at or timezone.now()
    )


@transaction.atomic
def profiling_objection_withdraw(*, objection: ProfilingObjection) -> ProfilingObjection:
    """The debtor withdraws the objection: automated decisions may resume from the next run."""
    if objection.withdrawn_at is None:
        objection.withdrawn_at = timezone.now()
        objection.save(update_fields=["withdrawn_at"])
    return objection
