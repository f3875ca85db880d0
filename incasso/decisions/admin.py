# The admin base classes are generic only to mypy: Django cannot subscript them at runtime, hence the ignores.
"""Administrators read strategies and decisions here and switch versions on; every change goes through a service.

Versions are never edited in place (decisions point at them): a new version is made on the back office's strategy
screen (a new draft from an old version, its backtest, switching it on as champion or challenger) or loaded with
``incasso strategy load`` and tried with ``incasso strategy backtest``, and activated there or here.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from incasso.core.admin import ReadOnlyAdmin
from incasso.decisions.models import Decision, ProfilingObjection, Strategy, StrategyVersion
from incasso.decisions.services import strategy_version_activate


@admin.register(Strategy)
class StrategyAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "created_at"]
    search_fields = ["code", "name"]


@admin.register(StrategyVersion)
class StrategyVersionAdmin(ReadOnlyAdmin):
    list_display = ["strategy", "version", "status", "challenger_of", "challenger_share_percent", "created_at"]
    list_filter = ["strategy", "status"]
    list_select_related = ["strategy", "challenger_of__strategy"]
    actions = ["activate"]

    @admin.action(description=_("Make the selected version the active champion"))
    def activate(self, request: HttpRequest, queryset: QuerySet[StrategyVersion]) -> None:
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one version."), messages.ERROR)
            return
        version = strategy_version_activate(version=queryset.get(), actor=request.user)  # type: ignore[arg-type]
        self.message_user(request, _("%(version)s is now active.") % {"version": version})

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # Needed for the action; the fields themselves stay read-only.
        return bool(request.user.has_perm("decisions.change_strategyversion"))

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> list[str]:
        return [field.name for field in StrategyVersion._meta.fields]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["case", "decided_on", "rule_id", "variant", "strategy_version", "contested_at", "reviewed_at"]
    list_filter = ["decided_on", "variant", "strategy_version__strategy"]
    search_fields = ["=case__number", "rule_id"]
    list_select_related = ["case", "strategy_version__strategy"]
    raw_id_fields = ["case", "review_task"]


@admin.register(ProfilingObjection)
class ProfilingObjectionAdmin(ReadOnlyAdmin):
    list_display = ["debtor", "received_at", "source", "withdrawn_at"]
    list_filter = ["source"]
    raw_id_fields = ["debtor"]
