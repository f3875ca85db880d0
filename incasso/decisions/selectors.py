"""Reads for strategies and decisions: the strategy in force, who may not be profiled, and the backtest."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from django.db.models import Exists, F, OuterRef

from incasso.cases.models import Case, CaseHold
from incasso.core.bulk_insert import AnyOf
from incasso.decisions.models import Decision, ProfilingObjection, Strategy, StrategyVersion, VersionStatus
from incasso.domain.case_lifecycle import HoldKind
from incasso.domain.strategy import (
    Strategy as Rules,
)
from incasso.domain.strategy import (
    StrategyError,
    StrategyInputs,
    Variant,
    assign_variant,
    decide,
    may_profile,
    parse_strategy,
)

BACKTEST_EXAMPLES = 10


class StrategyNotFound(LookupError):
    """No such strategy, no such version, or no version in force."""


@dataclass(frozen=True)
class StrategyInForce:
    """The champion of a strategy and, during an experiment, its challenger, with their parsed rules."""

    champion: StrategyVersion
    champion_rules: Rules
    challenger: StrategyVersion | None = None
    challenger_rules: Rules | None = None

    def version_for(self, case_number: str) -> tuple[Variant, StrategyVersion, Rules]:
        """Which version decides this case: a stable hash, so a case stays on its side for the whole experiment."""
        if self.challenger is None or self.challenger_rules is None:
            return Variant.CHAMPION, self.champion, self.champion_rules
        salt = f"{self.champion.strategy.code}:v{self.challenger.version}:"
        if assign_variant(case_number, self.challenger.challenger_share_percent, salt) is Variant.CHALLENGER:
            return Variant.CHALLENGER, self.challenger, self.challenger_rules
        return Variant.CHAMPION, self.champion, self.champion_rules


def strategy_in_force(*, strategy_code: str) -> StrategyInForce:
    """The active champion and challenger of a strategy, in one query."""
    versions = list(
        StrategyVersion.objects.select_related("strategy").filter(
            strategy__code=strategy_code, status=VersionStatus.ACTIVE
        )
    )
    champion = next((v for v in versions if v.challenger_of_id is None), None)
    if champion is None:
        raise StrategyNotFound(f"strategy {strategy_code!r} has no active version")
    challenger = next((v for v in versions if v.challenger_of_id == champion.pk), None)
    return StrategyInForce(
        champion,
        parse_strategy(champion.document),
        challenger,
        parse_strategy(challenger.document) if challenger else None,
    )


class ProfilingBlock(StrEnum):
    """Why no automated decision may be made about a case now."""

    OBJECTED = "objected"  # the debtor objected to profiling (GDPR art. 21)
    RESTRICTED = "restricted"  # processing of the debtor's data is restricted (GDPR art. 18)
    CONTESTED = "contested"  # an earlier decision awaits a person's review (GDPR art. 22(3))


def case_profiling_blocks(*, case_ids: Iterable[int], on: date) -> dict[int, ProfilingBlock]:
    """The cases that must not be decided automatically on ``on``, and why, in one query.

    Objection and restriction are the debtor's, so a restriction placed on any case of the debtor counts.
    """
    objected = ProfilingObjection.objects.filter(debtor_id=OuterRef("debtor_id"), withdrawn_at__isnull=True)
    restricted = CaseHold.objects.filter(
        case__debtor_id=OuterRef("debtor_id"), kind=HoldKind.RESTRICTION.value, lifted_at__isnull=True
    ).exclude(until__lt=on)
    contested = Decision.objects.filter(case_id=OuterRef("pk"), contested_at__isnull=False, reviewed_at__isnull=True)
    rows = (
        # One array parameter, not a placeholder per case: for a chunk of thousands the driver's quoting of each
        # parameter cost more than the query.
        Case.objects.filter(AnyOf(F("pk"), list(case_ids)))
        .annotate(objected=Exists(objected), restricted=Exists(restricted), contested=Exists(contested))
        .filter(Exists(objected) | Exists(restricted) | Exists(contested))
        .values_list("pk", "objected", "restricted", "contested")
    )
    blocks: dict[int, ProfilingBlock] = {}
    for case_id, is_objected, is_restricted, _contested in rows:
        if not may_profile(objected=is_objected, restricted=is_restricted):
            blocks[case_id] = ProfilingBlock.OBJECTED if is_objected else ProfilingBlock.RESTRICTED
        else:
            blocks[case_id] = ProfilingBlock.CONTESTED
    return blocks


def strategy_version_get(*, strategy_code: str, version: int | None = None) -> StrategyVersion:
    """A version by number, or else the one a backtest should try: the newest draft, else the active champion."""
    versions = StrategyVersion.objects.select_related("strategy").filter(strategy__code=strategy_code)
    if version is not None:
        found = versions.filter(version=version).first()
    else:
        found = (
            versions.filter(status=VersionStatus.DRAFT).order_by("-version").first()
            or versions.filter(status=VersionStatus.ACTIVE, challenger_of__isnull=True).first()
        )
    if found is None:
        if not Strategy.objects.filter(code=strategy_code).exists():
            raise StrategyNotFound(f"there is no strategy {strategy_code!r}")
        which = f"no version {version}" if version is not None else "neither a draft nor an active version"
        raise StrategyNotFound(f"strategy {strategy_code!r} has {which}")
    return found


def strategy_backtest(
    *, version: StrategyVersion, date_from: date | None = None, date_to: date | None = None
) -> dict[str, Any]:
    """Replay the strategy's stored decisions in a period through ``version``: what would have been different?

    Each decision is replayed with the inputs stored with it, so the answer shows the effect of the rules alone.
    Set-based: one streamed query, read in chunks.
    """
    rules = parse_strategy(version.document)
    decisions = Decision.objects.filter(strategy_version__strategy_id=version.strategy_id)
    if date_from is not None:
        decisions = decisions.filter(decided_on__gte=date_from)
    if date_to is not None:
        decisions = decisions.filter(decided_on__lte=date_to)
    total = changed = skipped = 0
    by_change: Counter[str] = Counter()
    examples: list[dict[str, Any]] = []
    rows = decisions.order_by("decided_on", "pk").values_list("decided_on", "inputs", "rule_id", "outcome")
    for decided_on, stored_inputs, old_rule, old_outcome in rows.iterator(chunk_size=2000):
        total += 1
        try:
            inputs = StrategyInputs.from_dict(stored_inputs)
        except StrategyError:
            skipped += 1  # inputs stored by an older schema: cannot be replayed faithfully
            continue
        new = decide(rules, inputs)
        if new.as_dict() == old_outcome:
            continue
        changed += 1
        by_change[f"{old_outcome.get('measure')} -> {new.measure}"] += 1
        if len(examples) < BACKTEST_EXAMPLES:
            examples.append(
                {
                    "case_number": inputs.case_number,
                    "decided_on": decided_on.isoformat(),
                    "old_rule": old_rule,
                    "new_rule": new.rule_id,
                    "old": old_outcome,
                    "new": new.as_dict(),
                }
            )
    return {
        "strategy": version.strategy.code,
        "version": version.version,
        "from": date_from.isoformat() if date_from else None,
        "to": date_to.isoformat() if date_to else None,
        "decisions": total,
        "changed": changed,
        "skipped": skipped,
        "by_change": dict(sorted(by_change.items())),
        "examples": examples,
    }


def strategy_overview() -> list[dict[str, Any]]:
    """Every strategy with its versions, for ``incasso strategy list`` and the admin."""
    strategies = Strategy.objects.prefetch_related("versions").order_by("code")
    return [
        {
            "code": strategy.code,
            "name": strategy.name,
            "versions": [
                {
                    "version": v.version,
                    "status": v.status,
                    "challenger_of": v.challenger_of_id and _version_number(strategy, v.challenger_of_id),
                    "challenger_share_percent": v.challenger_share_percent,
                    "created_at": v.created_at.isoformat(),
                    "notes": v.notes,
                }
                for v in strategy.versions.all()
            ],
        }
        for strategy in strategies
    ]


def _version_number(strategy: Strategy, version_pk: int) -> int | None:
    return next((v.version for v in strategy.versions.all() if v.pk == version_pk), None)
