# The admin base classes are generic only to mypy: Django cannot subscript them at runtime, hence the ignores.
from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incasso.parties.models import Client, Debtor
from incasso.parties.selectors import blind_index_filled, debtor_index_values
from incasso.parties.services import client_relationship_end


class ClientForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Client
        fields = ["code", "name", "kind", "kvk_number", "iban", "vat_deductible", "is_agency", "relationship_ended_on"]

    def clean_relationship_ended_on(self) -> Any:
        ended_on = self.cleaned_data["relationship_ended_on"]
        if ended_on is not None and ended_on > timezone.localdate():
            raise ValidationError(_("A relationship cannot have ended on a day still to come."), code="future")
        return ended_on


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = ClientForm
    list_display = ["code", "name", "kind", "vat_deductible", "relationship_ended_on", "created_at"]
    list_filter = ["kind", "relationship_ended_on"]
    search_fields = ["code", "name", "kvk_number"]

    def save_model(self, request: HttpRequest, obj: Client, form: forms.ModelForm, change: bool) -> None:  # type: ignore[type-arg]
        """The end of the relationship goes through ``client_relationship_end``: retention counts from it, so
        setting, moving or clearing it is audited."""
        if "relationship_ended_on" not in form.changed_data:
            super().save_model(request, obj, form, change)
            return
        ended_on = obj.relationship_ended_on
        with transaction.atomic():
            obj.relationship_ended_on = form.initial.get("relationship_ended_on")
            super().save_model(request, obj, form, change)
            client_relationship_end(client=obj, ended_on=ended_on, actor=request.user, source="admin")  # type: ignore[arg-type]


@admin.register(Debtor)
class DebtorAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["reference", "display_name", "kind", "client", "city"]
    list_filter = ["kind", "client"]
    # Exact matches only: the reference directly, IBAN, e-mail and postcode through their blind indexes (P-3).
    search_fields = ["=reference"]
    list_select_related = ["client"]
    raw_id_fields = ["client"]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Debtor], search_term: str
    ) -> tuple[QuerySet[Debtor], bool]:
        found, duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term:
            entries = debtor_index_values(iban=term, email=term, postcode=term)
            matching = Q()
            for column, entry in entries.items():
                matching |= Q(blind_index_filled(column), **{column: entry})
            found |= queryset.filter(matching)
        return found, duplicates
