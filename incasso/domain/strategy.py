"""Collection strategies: the rules that decide a case's next measure from predetermined variables (C-6).

A strategy is data an administrator edits, not code: an ordered list of rules, each a list of conditions over the
variables of :class:`StrategyInputs` and the measure to take. The first rule whose conditions all hold wins; the
last rule has no conditions, so every case gets an answer. Documents are checked by :func:`parse_strategy` and
run by a small interpreter (no ``eval``): a rule can only compare a known variable with a constant. Every outcome
carries a plain-language explanation in Dutch and English that names the conditions that matched, because GDPR
art. 22 gives the debtor the right to know why and to ask a person to look again.
"""

from __future__ import annotations

import hashlib
import operator
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from enum import Enum, StrEnum
from typing import Any, cast

from incasso.domain.case_stages import Stage, gettext_noop
from incasso.domain.money import Money, MoneyError
from incasso.domain.wording import money_text

# The measure and task kinds of the cases app, repeated as plain strings (the core cannot import Django); a test
# in the decisions app keeps the lists in step.
MEASURES = frozenset(
    {"reminder_letter", "fourteen_day_letter", "demand_letter", "call", "email", "sms", "arrangement_offer"}
    | {"legal_notice", "payment_order", "summons", "bailiff", "review"}
)
TASKS = frozenset({"approval", "human_review", "dispute", "arrangement_review", "call", "limitation", "general"})


MAX_REVIEW_DAYS = 3_660  # ten years: a case is looked at again at least that often


class StrategyError(ValueError):
    """A strategy document (or stored inputs) that cannot be used; ``path`` points at the offending part.

    ``message`` is English (the command line answers with it). ``template`` is the same text with ``%(name)s``
    placeholders, the message id of its translation, and ``values`` fills them: an interface words the problem in
    the reader's language with ``gettext(template) % values``, as intake's row errors are worded.
    """

    def __init__(self, path: str, template: str, values: Mapping[str, object] | None = None) -> None:
        self.path = path
        self.template = template
        self.values: Mapping[str, object] = values or {}
        self.message = template % self.values if self.values else template
        super().__init__(f"{path}: {self.message}")


class Variant(StrEnum):
    CHAMPION = "champion"
    CHALLENGER = "challenger"


class _Type(Enum):
    """A variable's type: the error for a value of another type, and the JSON types that may hold it."""

    BOOL = (gettext_noop("must be yes/no, not %(value)s"), bool)
    INT = (gettext_noop("must be a whole number, not %(value)s"), int)
    MONEY = (gettext_noop('must be an amount such as "1500.00" (at most two decimals), not %(value)s'), (str, int))
    STAGE = (gettext_noop("must be a stage name, not %(value)s"), str)
    TEXT = (gettext_noop("must be text, not %(value)s"), str)


@dataclass(frozen=True, slots=True)
class StrategyInputs:
    """The predetermined variables of one case on the day of the decision; stored with the decision."""

    case_id: int
    case_number: str
    stage: Stage
    consumer: bool
    amount_outstanding: Money
    principal_outstanding: Money
    age_days: int  # since the oldest claim fell due
    days_in_stage: int
    payments_count: int
    promises_kept: int
    promises_broken: int
    income_known: bool
    income_below_protected: bool
    attachments: bool  # attachments (beslag) by other creditors
    other_debts: int
    vulnerable: bool
    fourteen_day_term_passed: bool  # always true for a business debtor
    legal_allowed: bool  # the client's instructions allow legal steps
    legal_approved: bool  # legal steps may start: the client approved them, or needs no approval
    near_limitation: bool

    def as_dict(self) -> dict[str, str | int | bool]:
        """JSON-safe values: amounts as ``"12.34"``, the stage by its name.

        Stored with every decision, so built for speed: every value as it is, then the few that JSON cannot hold
        (amounts, the stage) replaced; a test checks it against the field-by-field conversion.
        """
        values: dict[str, Any] = {name: getattr(self, name) for name in _INPUT_NAMES}
        for name in _MONEY_INPUTS:
            values[name] = str(values[name])
        values["stage"] = self.stage.value
        return values

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StrategyInputs:
        """The inverse of :meth:`as_dict`, for replaying stored decisions; refuses anything it cannot read."""
        values: dict[str, Any] = {}
        for name, (kind, _nl, _en) in _VARIABLES.items():
            if name not in data:
                raise StrategyError(name, gettext_noop("is missing"))
            values[name] = _parse_value(kind, data[name], name)
        return cls(**values)


def _json_value(value: object) -> str | int | bool:
    if type(value) in _JSON_READY:
        return cast(str | int | bool, value)
    if isinstance(value, Money):
        return str(value)
    if isinstance(value, Stage):
        return value.value
    assert isinstance(value, str | int)  # noqa: S101 - every other field is a str, int or bool
    return value


_INPUT_NAMES = tuple(f.name for f in fields(StrategyInputs))
_JSON_READY = frozenset({bool, int, str})

# name: (type, Dutch label, English label). The labels appear in the explanations, so they are B1 language.
_VARIABLES: dict[str, tuple[_Type, str, str]] = {
    "case_id": (_Type.INT, "dossier-id", "case id"),
    "case_number": (_Type.TEXT, "dossiernummer", "case number"),
    "stage": (_Type.STAGE, "fase", "stage"),
    "consumer": (_Type.BOOL, "particulier", "private person"),
    "amount_outstanding": (_Type.MONEY, "openstaand bedrag", "amount outstanding"),
    "principal_outstanding": (_Type.MONEY, "openstaande hoofdsom", "principal outstanding"),
    "age_days": (_Type.INT, "dagen sinds de vervaldatum", "days since the due date"),
    "days_in_stage": (_Type.INT, "dagen in deze fase", "days in this stage"),
    "payments_count": (_Type.INT, "aantal betalingen", "number of payments"),
    "promises_kept": (_Type.INT, "nagekomen betaalafspraken", "payment promises kept"),
    "promises_broken": (_Type.INT, "niet nagekomen betaalafspraken", "payment promises broken"),
    "income_known": (_Type.BOOL, "inkomen bekend", "income known"),
    "income_below_protected": (_Type.BOOL, "inkomen onder de beslagvrije voet", "income below the protected income"),
    "attachments": (_Type.BOOL, "beslag door anderen", "attachments by others"),
    "other_debts": (_Type.INT, "andere schulden", "other debts"),
    "vulnerable": (_Type.BOOL, "kwetsbare situatie", "vulnerable situation"),
    "fourteen_day_term_passed": (_Type.BOOL, "termijn van 14 dagen voorbij", "14-day term passed"),
    "legal_allowed": (_Type.BOOL, "juridische stappen toegestaan", "legal steps allowed"),
    "legal_approved": (_Type.BOOL, "juridische stappen goedgekeurd", "legal steps approved"),
    "near_limitation": (_Type.BOOL, "bijna verjaard", "close to limitation"),
}
_MONEY_INPUTS = tuple(name for name, (kind, _nl, _en) in _VARIABLES.items() if kind is _Type.MONEY)
_NOT_IN_CONDITIONS = frozenset({"case_id", "case_number"})  # identities, not circumstances: never a reason
_STAGE_NAMES: dict[Stage, tuple[str, str]] = {
    Stage.REMINDER: ("herinnering", "reminder"),
    Stage.FORMAL_DEMAND: ("aanmaning", "formal demand"),
    Stage.AMICABLE: ("minnelijke incasso", "amicable collection"),
    Stage.ARRANGEMENT: ("betalingsregeling", "payment arrangement"),
    Stage.LEGAL: ("gerechtelijke fase", "legal proceedings"),
    Stage.JUDGMENT: ("vonnis", "judgment"),
    Stage.ENFORCEMENT: ("tenuitvoerlegging", "enforcement"),
    Stage.CLOSED: ("gesloten", "closed"),
}
_ORDERING: dict[str, Callable[[int, int], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_OPS = frozenset({"==", "!=", "in", *_ORDERING})
# How each operator reads in a sentence, per language.
_OP_WORDS: dict[str, tuple[str, str]] = {
    "==": ("is", "is"),
    "!=": ("is niet", "is not"),
    "<": ("is minder dan", "is less than"),
    "<=": ("is hoogstens", "is at most"),
    ">": ("is meer dan", "is more than"),
    ">=": ("is minstens", "is at least"),
    "in": ("is een van", "is one of"),
}

Value = bool | int | str | Money | Stage
_STAGE_VALUES = frozenset(stage.value for stage in Stage)
NL, EN = 0, 1  # index of a language in the label tuples


def _parse_value(kind: _Type, raw: object, path: str) -> Value:
    """A JSON value of ``kind``; ``true`` is no number and amounts are never floats."""
    wrong_type, json_types = kind.value
    if isinstance(raw, bool) is not (kind is _Type.BOOL) or not isinstance(raw, json_types):
        raise StrategyError(path, wrong_type, {"value": repr(raw)})
    value = cast(bool | int | str, raw)
    if kind is _Type.STAGE:
        if value not in _STAGE_VALUES:
            raise StrategyError(path, gettext_noop("unknown stage %(value)s"), {"value": repr(value)})
        return Stage(value)
    if kind is _Type.MONEY:
        try:
            return Money.parse(value)
        except MoneyError:
            raise StrategyError(path, wrong_type, {"value": repr(value)}) from None
    return value


def _key(value: Value) -> bool | int | str:
    """The comparable form: amounts by their cents."""
    return value.cents if isinstance(value, Money) else value


@dataclass(frozen=True, slots=True)
class Condition:
    var: str
    op: str
    values: tuple[Value, ...]  # one value; several for ``in``

    def holds(self, inputs: StrategyInputs) -> bool:
        actual = _key(getattr(inputs, self.var))
        expected = [_key(value) for value in self.values]
        if self.op == "in":
            return actual in expected
        if self.op == "==":
            return actual == expected[0]
        if self.op == "!=":
            return actual != expected[0]
        return _ORDERING[self.op](int(actual), int(expected[0]))  # the parser allows ordering on numbers only

    def describe(self, inputs: StrategyInputs, language: int) -> str:
        """One line of the explanation: the rule's test and the case's own value."""
        label = _VARIABLES[self.var][1 + language]
        expected = ", ".join(_display(value, language) for value in self.values)
        actual = _display(getattr(inputs, self.var), language)
        now = ("het is", "it is")[language]
        return f"- {label} {_OP_WORDS[self.op][language]} {expected} ({now} {actual})"


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    conditions: tuple[Condition, ...]
    measure: str
    move_to: Stage | None
    review_in_days: int
    task: str | None
    explain_nl: str
    explain_en: str


@dataclass(frozen=True, slots=True)
class Strategy:
    rules: tuple[Rule, ...]
    description: str = ""
    # The rules prepared for deciding many cases: built once here, not per case (see ``_CompiledRule``).
    compiled: tuple[_CompiledRule, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "compiled", tuple(_CompiledRule.of(rule) for rule in self.rules))


_Test = Callable[["StrategyInputs"], bool]
_TESTS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "in": lambda actual, expected: actual in expected,
    **_ORDERING,
}


def _condition_test(condition: Condition) -> _Test:
    """``Condition.holds`` with everything that does not depend on the case worked out once."""
    name = condition.var
    compare = _TESTS[condition.op]
    keys = [_key(value) for value in condition.values]
    expected: object = frozenset(keys) if condition.op == "in" else keys[0]
    if _VARIABLES[name][0] is _Type.MONEY:
        return lambda inputs: compare(getattr(inputs, name).cents, expected)
    return lambda inputs: compare(getattr(inputs, name), expected)


# An explanation template as (literal text, variable name or None) pieces.
_Template = tuple[tuple[str, str | None], ...]


def _template(text: str) -> _Template:
    return tuple((literal, name) for literal, name, _spec, _conversion in string.Formatter().parse(text))


@dataclass(frozen=True, slots=True)
class _CompiledRule:
    """A rule ready to run: its conditions as tests, its explanations parsed, and each condition's line of the
    explanation up to the case's own value (``Condition.describe`` renders the same line in one go)."""

    rule: Rule
    tests: tuple[_Test, ...]
    templates: tuple[_Template, _Template]  # Dutch, English
    reasons: tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]  # per language: (line start, variable)
    # The "why" part of the explanations (Dutch, English) by the values of the rule's condition variables: most
    # cases a rule decides share a few such values, so the part is rendered once per distinct set, not per case.
    why: dict[tuple[object, ...], tuple[str, str]] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, rule: Rule) -> _CompiledRule:
        return cls(
            rule,
            tuple(_condition_test(condition) for condition in rule.conditions),
            (_template(rule.explain_nl), _template(rule.explain_en)),
            (_reason_starts(rule, NL), _reason_starts(rule, EN)),
        )

    def why_of(self, inputs: StrategyInputs) -> tuple[str, str]:
        """The "why" part of both explanations for ``inputs``: what :func:`_explain` appends, from the cache."""
        key = tuple(getattr(inputs, name) for _start, name in self.reasons[NL])
        found = self.why.get(key)
        if found is None:
            if len(self.why) >= _WHY_CACHE_SIZE:
                self.why.clear()  # amounts or day counts in the conditions: keep the memory bounded
            found = self.why[key] = (_why(self, inputs, NL), _why(self, inputs, EN))
        return found


_WHY_CACHE_SIZE = 4_096


def _reason_starts(rule: Rule, language: int) -> tuple[tuple[str, str], ...]:
    now = ("het is", "it is")[language]
    starts = []
    for condition in rule.conditions:
        label = _VARIABLES[condition.var][1 + language]
        expected = ", ".join(_display(value, language) for value in condition.values)
        starts.append((f"- {label} {_OP_WORDS[condition.op][language]} {expected} ({now} ", condition.var))
    return tuple(starts)


@dataclass(frozen=True, slots=True)
class DecisionOutcome:
    rule_id: str
    measure: str
    move_to: Stage | None
    review_in_days: int
    task: str | None
    explanation_nl: str
    explanation_en: str

    def as_dict(self) -> dict[str, str | int | None]:
        """What happens next, as stored with the decision (the explanations are stored beside it)."""
        return {
            "measure": self.measure,
            "move_to": self.move_to.value if self.move_to else None,
            "review_in_days": self.review_in_days,
            "task": self.task,
        }


def _expect(kind: type, raw: object, path: str, problem: str) -> Any:
    """``raw`` if it has the JSON type ``kind`` (``true`` is not a number here), else a StrategyError saying
    ``problem`` (a message id)."""
    if not isinstance(raw, kind) or (isinstance(raw, bool) and kind is not bool):
        raise StrategyError(path, problem)
    return raw


def _check_keys(raw: Mapping[str, Any], path: str, required: set[str], optional: frozenset[str] = frozenset()) -> None:
    """Unknown keys are errors too: a misspelt ``"wehn"`` must not silently make a catch-all."""
    prefix = f"{path}." if path else ""
    missing = sorted(required - raw.keys())
    if missing:
        raise StrategyError(prefix + missing[0], gettext_noop("is required"))
    unknown = sorted(str(key) for key in raw.keys() - required - optional)
    if unknown:
        raise StrategyError(prefix + unknown[0], gettext_noop("is not a known field"))


def _parse_condition(raw: object, path: str) -> Condition:
    item = _expect(dict, raw, path, gettext_noop('must be an object {"var", "op", "value"}'))
    _check_keys(item, path, {"var", "op", "value"})
    var = _expect(str, item["var"], f"{path}.var", gettext_noop("must be a variable name"))
    if var not in _VARIABLES or var in _NOT_IN_CONDITIONS:
        raise StrategyError(f"{path}.var", gettext_noop("unknown variable %(value)s"), {"value": repr(var)})
    op = _expect(str, item["op"], f"{path}.op", gettext_noop("must be an operator"))
    if op not in _OPS:
        raise StrategyError(
            f"{path}.op",
            gettext_noop("unknown operator %(value)s; use one of %(choices)s"),
            {"value": repr(op), "choices": ", ".join(sorted(_OPS))},
        )
    kind = _VARIABLES[var][0]
    if op in _ORDERING and kind not in (_Type.INT, _Type.MONEY):
        raise StrategyError(f"{path}.op", gettext_noop("%(var)s can only be compared with ==, != or in"), {"var": var})
    if op == "in":
        non_empty_list = gettext_noop("must be a non-empty list")
        raw_values = _expect(list, item["value"], f"{path}.value", non_empty_list)
        if not raw_values:
            raise StrategyError(f"{path}.value", non_empty_list)
        values = tuple(_parse_value(kind, value, f"{path}.value[{i}]") for i, value in enumerate(raw_values))
    else:
        values = (_parse_value(kind, item["value"], f"{path}.value"),)
    return Condition(var, op, values)


def _parse_template(raw: object, path: str) -> str:
    """Explanations may name variables as ``{amount_outstanding}`` — nothing else (no attributes, no formats)."""
    text: str = _expect(str, raw, path, gettext_noop("must be a text"))
    if not text.strip():
        raise StrategyError(path, gettext_noop("must not be empty"))
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError:
        raise StrategyError(path, gettext_noop("has unbalanced braces: write {{ or }} for a brace itself")) from None
    for _literal, name, spec, conversion in parts:
        if name is not None and (name not in _VARIABLES or spec or conversion):
            raise StrategyError(
                path,
                gettext_noop("%(name)s is not a variable; use e.g. {amount_outstanding}"),
                {"name": f"{{{name}}}"},
            )
    return text


def _parse_rule(raw: object, path: str) -> Rule:
    item = _expect(dict, raw, path, gettext_noop("must be an object"))
    _check_keys(item, path, {"id", "when", "then", "explain"})
    rule_id: str = _expect(str, item["id"], f"{path}.id", gettext_noop("must be a text"))
    if not rule_id.strip():
        raise StrategyError(f"{path}.id", gettext_noop("must not be empty"))
    when = _expect(list, item["when"], f"{path}.when", gettext_noop("must be a list of conditions"))
    conditions = tuple(_parse_condition(c, f"{path}.when[{i}]") for i, c in enumerate(when))
    then = _expect(dict, item["then"], f"{path}.then", gettext_noop("must be an object"))
    _check_keys(then, f"{path}.then", {"measure", "review_in_days"}, frozenset({"move_to", "task"}))
    measure: str = _expect(str, then["measure"], f"{path}.then.measure", gettext_noop("must be a measure"))
    if measure not in MEASURES:
        raise StrategyError(f"{path}.then.measure", gettext_noop("unknown measure %(value)s"), {"value": repr(measure)})
    move_to = None
    if then.get("move_to") is not None:
        move_to = Stage(str(_parse_value(_Type.STAGE, then["move_to"], f"{path}.then.move_to")))
        if move_to is Stage.CLOSED:
            raise StrategyError(f"{path}.then.move_to", gettext_noop("a strategy does not close cases; a person does"))
    days = _review_days(then["review_in_days"], f"{path}.then.review_in_days")
    task: str | None = then.get("task")
    if task is not None and (not isinstance(task, str) or task not in TASKS):
        raise StrategyError(f"{path}.then.task", gettext_noop("unknown task %(value)s"), {"value": repr(task)})
    explain = _expect(dict, item["explain"], f"{path}.explain", gettext_noop('must be an object {"nl", "en"}'))
    _check_keys(explain, f"{path}.explain", {"nl", "en"})
    nl = _parse_template(explain["nl"], f"{path}.explain.nl")
    en = _parse_template(explain["en"], f"{path}.explain.en")
    return Rule(rule_id, conditions, measure, move_to, days, task, nl, en)


def _review_days(raw: object, path: str) -> int:
    """The days until the case is looked at again. The daily run schedules that day: a date beyond the calendar
    would stop the run, and a case left alone for decades is no strategy, hence the bound."""
    days: int = _expect(int, raw, path, gettext_noop("must be a whole number"))
    if days < 0:
        raise StrategyError(path, gettext_noop("must be 0 or more"))
    if days > MAX_REVIEW_DAYS:
        raise StrategyError(path, gettext_noop("must be at most %(max)d"), {"max": MAX_REVIEW_DAYS})
    return days


def parse_strategy(document: object) -> Strategy:
    """Check a strategy document and build the strategy; the first problem raises :class:`StrategyError`."""
    doc = _expect(dict, document, "", gettext_noop('must be an object {"rules": [...]}'))
    _check_keys(doc, "", {"rules"}, frozenset({"description"}))
    raw_rules = _expect(list, doc["rules"], "rules", gettext_noop("must be a list of rules"))
    if not raw_rules:
        raise StrategyError("rules", gettext_noop("needs at least one rule"))
    rules = tuple(_parse_rule(raw, f"rules[{i}]") for i, raw in enumerate(raw_rules))
    seen: set[str] = set()
    for i, rule in enumerate(rules):
        if rule.id in seen:
            raise StrategyError(f"rules[{i}].id", gettext_noop("%(id)s is used twice"), {"id": repr(rule.id)})
        seen.add(rule.id)
        if not rule.conditions and i < len(rules) - 1:
            raise StrategyError(
                f"rules[{i}].when", gettext_noop("only the last rule may be a catch-all (the rest never match)")
            )
    if rules[-1].conditions:
        raise StrategyError(
            f"rules[{len(rules) - 1}].when", gettext_noop('the last rule must be a catch-all ("when": [])')
        )
    description: str = _expect(str, doc.get("description", ""), "description", gettext_noop("must be a text"))
    return Strategy(rules, description)


def decide(strategy: Strategy, inputs: StrategyInputs) -> DecisionOutcome:
    """The first rule whose conditions all hold decides; its explanation is rendered in both languages."""
    for compiled in strategy.compiled:
        for test in compiled.tests:
            if not test(inputs):
                break
        else:
            rule = compiled.rule
            why_nl, why_en = compiled.why_of(inputs)
            return DecisionOutcome(
                rule.id,
                rule.measure,
                rule.move_to,
                rule.review_in_days,
                rule.task,
                _rendered(compiled, inputs, NL) + why_nl,
                _rendered(compiled, inputs, EN) + why_en,
            )
    raise StopIteration  # unreachable: parse_strategy insists on a catch-all last rule


_WHY = (
    ("Waarom deze stap:", "Er is geen bijzondere reden; dit is de gewone volgende stap."),
    ("Why this step:", "No special reason applies; this is the usual next step."),
)


def _explain(compiled: _CompiledRule, inputs: StrategyInputs, language: int) -> str:
    """The whole explanation in one language, rendered in one go (what :func:`decide` builds from its parts)."""
    return _rendered(compiled, inputs, language) + _why(compiled, inputs, language)


def _rendered(compiled: _CompiledRule, inputs: StrategyInputs, language: int) -> str:
    """The rule's own text with the case's values filled in."""
    return "".join(
        literal + (_display(getattr(inputs, name), language) if name is not None else "")
        for literal, name in compiled.templates[language]
    )


def _why(compiled: _CompiledRule, inputs: StrategyInputs, language: int) -> str:
    """The conditions that matched, each with the case's own value."""
    heading, default = _WHY[language]
    reasons = (
        "\n".join(start + _display(getattr(inputs, name), language) + ")" for start, name in compiled.reasons[language])
        or default
    )
    return f"\n\n{heading}\n{reasons}"


def _display(value: Value, language: int) -> str:
    if isinstance(value, bool):
        return (("nee", "ja"), ("no", "yes"))[language][value]
    if isinstance(value, Money):
        return _format_money(value, language)
    if isinstance(value, Stage):
        return _STAGE_NAMES[value][language]
    return str(value)


def _format_money(amount: Money, language: int) -> str:
    """``€ 1.234,56`` in Dutch, ``€1,234.56`` in English: the plain-text form the letters use."""
    return money_text(amount, "nl" if language == NL else "en")


def assign_variant(case_number: str, challenger_share_percent: int, salt: str) -> Variant:
    """Champion or challenger by a stable hash: the same case always lands on the same side of one experiment."""
    if not 0 <= challenger_share_percent <= 100:
        raise ValueError("the challenger's share is a percentage from 0 to 100")
    digest = hashlib.sha256(f"{salt}{case_number}".encode()).digest()
    bucket = int.from_bytes(digest[:8], "big") % 100
    return Variant.CHALLENGER if bucket < challenger_share_percent else Variant.CHAMPION


def may_profile(*, objected: bool, restricted: bool) -> bool:
    """An objection (GDPR art. 21) or a restriction (art. 18) stops automated decisions about the person."""
    return not (objected or restricted)
