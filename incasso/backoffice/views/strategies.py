"""The administrator's screen for collection strategies (C-6): versions, a new version from an old one, the
backtest of a version, and switching versions on, for administrators only.

A version is never edited in place (decisions point at it): "new version from this one" stores a new draft through
``strategy_version_create``. The rules are edited as the JSON document ``incasso strategy load`` reads: the rule
model has nested conditions with list values and bilingual explanations, which a text area with the document and
errors naming the rule and field serves better than a form that would have to grow and shrink per rule. Every
change goes through the services of the decisions app, which record who created and switched on each version.
"""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import date, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from incasso.backoffice.permissions import ADMIN_ROLES, staff_page, staff_user
from incasso.cases.models import STAGE_CHOICES, MeasureKind, TaskKind
from incasso.decisions.models import MAX_CHALLENGER_SHARE, Strategy, StrategyVersion, VersionStatus
from incasso.decisions.selectors import strategy_backtest
from incasso.decisions.services import strategy_challenger_set, strategy_version_activate, strategy_version_create
from incasso.domain.strategy import MEASURES, TASKS, StrategyError, StrategyInputs

DOCUMENT_LENGTH = 200_000  # the standard strategy is about 10,000 characters
NOTES_LENGTH = 2_000
BACKTEST_DEFAULT_DAYS = 30
BACKTEST_MAX_DAYS = 92  # the backtest runs while the page waits: a quarter at most
_NOT_VARIABLES = frozenset({"case_id", "case_number"})


class DraftForm(forms.Form):
    document = forms.CharField(
        label=_("Rules (JSON)"),
        max_length=DOCUMENT_LENGTH,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false", "class": "code"}),
    )
    notes = forms.CharField(label=_("What changed and why"), max_length=NOTES_LENGTH)

    def clean_document(self) -> dict[str, Any]:
        text: str = self.cleaned_data["document"]
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValidationError(
                _("This is not valid JSON: line %(line)d, column %(column)d: %(problem)s."),
                params={"line": error.lineno, "column": error.colno, "problem": error.msg},
                code="json",
            ) from None
        except RecursionError:
            raise ValidationError(_("This is not valid JSON: it is nested too deeply."), code="json") from None
        if not isinstance(document, dict):
            raise ValidationError(_('The rules must be one JSON object: {"rules": [...]}.'), code="json")
        return document


class _OnePageForm(forms.Form):
    """A form of the version page, which holds several: ids of its own, so each label finds its field."""

    id_prefix = "form"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


_DAY = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BacktestForm(_OnePageForm):
    id_prefix = "backtest"
    date_from = forms.DateField(label=_("From"), required=False, widget=_DAY)
    date_to = forms.DateField(label=_("To"), required=False, widget=_DAY)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        today = timezone.localdate()
        last = cleaned.get("date_to") or today
        first = cleaned.get("date_from")
        if first is None:  # the default period, which cannot start before the calendar does
            days = timedelta(days=BACKTEST_DEFAULT_DAYS - 1)
            first = last - days if last - date.min > days else date.min
        if first > last:
            raise ValidationError(_("The first day comes after the last day."), code="order")
        if (last - first).days >= BACKTEST_MAX_DAYS:
            raise ValidationError(
                _("Backtest at most %(days)d days at a time."), params={"days": BACKTEST_MAX_DAYS}, code="long"
            )
        cleaned["date_from"], cleaned["date_to"] = first, last
        return cleaned


class ActivateForm(_OnePageForm):
    id_prefix = "activate"
    confirm = forms.BooleanField(label=_("Yes, this version decides every case from the next daily run."))


class ChallengerForm(_OnePageForm):
    id_prefix = "challenger"
    share_percent = forms.IntegerField(
        label=_("Share of the cases (%)"), min_value=1, max_value=MAX_CHALLENGER_SHARE, initial=10
    )
    confirm = forms.BooleanField(label=_("Yes, this version decides this share of the cases from the next daily run."))


class StopChallengerForm(_OnePageForm):
    id_prefix = "stop"
    confirm = forms.BooleanField(label=_("Yes, the champion decides every case again."))


def rule_error_text(document: dict[str, Any], error: StrategyError) -> str:
    """A document error for a person: which rule (by number and id) and which of its fields, then the problem.

    ``error.path`` reads ``rules[3].then.measure``; the administrator sees ``Rule 4 (“consumer-reminder”), field
    then.measure: ...``."""
    head, _dot, field = error.path.partition(".")
    problem = _problem(error)
    if head.startswith("rules[") and head.endswith("]") and head[6:-1].isdigit():
        index = int(head[6:-1])
        rules = document.get("rules")
        rule = rules[index] if isinstance(rules, list) and index < len(rules) else None
        rule_id = rule.get("id") if isinstance(rule, dict) else None
        where = {"number": index + 1, "id": rule_id if isinstance(rule_id, str) else "?", "field": field or "—"}
        text = gettext("Rule %(number)d (“%(id)s”), field %(field)s: %(problem)s") % {**where, "problem": problem}
    else:
        text = gettext("Field %(field)s: %(problem)s") % {"field": error.path or "—", "problem": problem}
    return _shown(text)


def _problem(error: StrategyError) -> str:
    """The checker's problem in the page language: its message id translated, then its values filled in."""
    text = gettext(error.template)
    return text % dict(error.values) if error.values else text


def _shown(text: str) -> str:
    """The text with what a page cannot carry (half a surrogate pair, NUL, from the document's own keys and ids)
    written as escapes, so the administrator sees which character is wrong."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")


def _version(code: str, number: int) -> StrategyVersion:
    found = (
        StrategyVersion.objects.select_related("strategy", "challenger_of", "created_by", "activated_by")
        .filter(strategy__code=code, version=number)
        .first()
    )
    if found is None:
        raise Http404("No such strategy version.")
    return found


def _champion(strategy_id: int) -> StrategyVersion | None:
    return StrategyVersion.objects.filter(
        strategy_id=strategy_id, status=VersionStatus.ACTIVE, challenger_of__isnull=True
    ).first()


def _version_url(version: StrategyVersion) -> str:
    return reverse("backoffice:strategy-version", args=[version.strategy.code, version.version])


@staff_page(ADMIN_ROLES)
@require_GET
def strategy_list(request: HttpRequest) -> HttpResponse:
    """Every strategy with its versions: status, and the share of the cases a challenger decides."""
    strategies = Strategy.objects.order_by("code").prefetch_related("versions__challenger_of", "versions__created_by")
    return render(request, "backoffice/strategies/list.html", {"strategies": strategies})


def _version_page(request: HttpRequest, version: StrategyVersion, **extra: Any) -> HttpResponse:
    champion = _champion(version.strategy_id)
    context = {
        "version": version,
        "document": json.dumps(version.document, indent=2, ensure_ascii=False),
        "champion": champion,
        "is_champion": champion is not None and champion.pk == version.pk,
        "challenger": StrategyVersion.objects.filter(challenger_of=champion, status=VersionStatus.ACTIVE).first()
        if champion
        else None,
        "backtest_form": BacktestForm(),
        "activate_form": ActivateForm(),
        "challenger_form": ChallengerForm(),
        "stop_form": StopChallengerForm(),
        **extra,
    }
    bad = any(getattr(form, "errors", None) for form in extra.values() if isinstance(form, forms.Form))
    return render(request, "backoffice/strategies/version.html", context, status=400 if bad else 200)


@staff_page(ADMIN_ROLES)
@require_GET
def strategy_version(request: HttpRequest, code: str, version: int) -> HttpResponse:
    return _version_page(request, _version(code, version))


@staff_page(ADMIN_ROLES)
@require_http_methods(["GET", "POST"])
def strategy_version_new(request: HttpRequest, code: str, version: int) -> HttpResponse:
    """The editor: the rules of ``version`` to change, stored as a new draft; the old version stays as it was."""
    base = _version(code, version)
    initial = {
        "document": json.dumps(base.document, indent=2, ensure_ascii=False),
        "notes": gettext("Based on version %(version)d.") % {"version": base.version},
    }
    form = DraftForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        document = form.cleaned_data["document"]
        try:
            draft = strategy_version_create(
                strategy_code=base.strategy.code,
                document=document,
                created_by=staff_user(request),
                notes=form.cleaned_data["notes"],
            )
        except StrategyError as error:
            form.add_error("document", rule_error_text(document, error))
        else:
            messages.success(request, _("Version %(version)d was saved as a draft.") % {"version": draft.version})
            return HttpResponseRedirect(_version_url(draft))
    context = {"base": base, "form": form, "help": _editor_help()}
    return render(request, "backoffice/strategies/editor.html", context, status=400 if form.errors else 200)


def _editor_help() -> dict[str, list[tuple[str, str]]]:
    """What a rule may name, each with its label in the page language where the project has one."""
    measures = dict(MeasureKind.choices)
    tasks = dict(TaskKind.choices)
    return {
        "variables": [(f.name, "") for f in fields(StrategyInputs) if f.name not in _NOT_VARIABLES],
        "measures": [(name, str(measures.get(name, ""))) for name in sorted(MEASURES)],
        "tasks": [(name, str(tasks.get(name, ""))) for name in sorted(TASKS)],
        "stages": [(value, str(label)) for value, label in STAGE_CHOICES],
    }


@staff_page(ADMIN_ROLES)
@require_POST
def strategy_version_backtest(request: HttpRequest, code: str, version: int) -> HttpResponse:
    """Replay the strategy's decisions of a period through this version: how many would have changed, and how."""
    subject = _version(code, version)
    form = BacktestForm(request.POST)
    if not form.is_valid():
        return _version_page(request, subject, backtest_form=form)
    first: date = form.cleaned_data["date_from"]
    last: date = form.cleaned_data["date_to"]
    report = strategy_backtest(version=subject, date_from=first, date_to=last)
    return _version_page(request, subject, backtest_form=form, backtest=_backtest_shown(report))


def _backtest_shown(report: dict[str, Any]) -> dict[str, Any]:
    """The report with measures and stages by their names in the page language."""
    measures = dict(MeasureKind.choices)
    stages = dict(STAGE_CHOICES)

    def measure(name: object) -> str:
        return str(measures.get(str(name), name))

    def stage(name: object) -> str:
        return str(stages.get(str(name), name)) if name else ""

    changes = []
    for key, count in report["by_change"].items():
        old, _arrow, new = key.partition(" -> ")
        changes.append({"old": measure(old), "new": measure(new), "count": count})
    examples = [
        {
            **example,
            "old_measure": measure(example["old"].get("measure")),
            "new_measure": measure(example["new"].get("measure")),
            "old_stage": stage(example["old"].get("move_to")),
            "new_stage": stage(example["new"].get("move_to")),
        }
        for example in report["examples"]
    ]
    return {**report, "changes": changes, "examples": examples}


@staff_page(ADMIN_ROLES)
@require_POST
def strategy_version_activate_view(request: HttpRequest, code: str, version: int) -> HttpResponse:
    subject = _version(code, version)
    form = ActivateForm(request.POST)
    if not form.is_valid():
        return _version_page(request, subject, activate_form=form)
    try:
        strategy_version_activate(version=subject, actor=staff_user(request))
    except StrategyError as error:
        messages.error(request, rule_error_text(subject.document, error))
    else:
        messages.success(request, _("Version %(version)d is now the champion.") % {"version": subject.version})
    return HttpResponseRedirect(_version_url(subject))


@staff_page(ADMIN_ROLES)
@require_POST
def strategy_version_challenger(request: HttpRequest, code: str, version: int) -> HttpResponse:
    """Start this version as the challenger of the champion on a share of the cases (a stable hash picks them)."""
    subject = _version(code, version)
    form = ChallengerForm(request.POST)
    if not form.is_valid():
        return _version_page(request, subject, challenger_form=form)
    champion = _champion(subject.strategy_id)
    share = form.cleaned_data["share_percent"]
    try:
        if champion is None:
            raise ValidationError(_("The strategy has no champion to challenge."), code="no_champion")
        strategy_challenger_set(champion=champion, challenger=subject, share_percent=share, actor=staff_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except StrategyError as error:
        messages.error(request, rule_error_text(subject.document, error))
    else:
        messages.success(
            request,
            _("Version %(version)d now decides %(share)d %% of the cases.")
            % {"version": subject.version, "share": share},
        )
    return HttpResponseRedirect(_version_url(subject))


@staff_page(ADMIN_ROLES)
@require_POST
def strategy_challenger_stop(request: HttpRequest, code: str, version: int) -> HttpResponse:
    """End the experiment of the champion ``version``: its challenger retires."""
    subject = _version(code, version)
    form = StopChallengerForm(request.POST)
    if not form.is_valid():
        return _version_page(request, subject, stop_form=form)
    try:
        strategy_challenger_set(champion=subject, challenger=None, actor=staff_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The challenger was stopped."))
    return HttpResponseRedirect(_version_url(subject))
