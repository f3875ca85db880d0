"""The payment links' reads."""

from __future__ import annotations

from django.db.models import QuerySet

from incasso.cases.models import Case
from incasso.paylinks.models import PaymentLink


def payment_links_of_case(*, case: Case) -> QuerySet[PaymentLink]:
    """A case's payment links, newest first, with their status events."""
    return PaymentLink.objects.filter(case=case).prefetch_related("events").order_by("-created_at", "-pk")


def payment_link_by_provider_id(*, provider_payment_id: str) -> PaymentLink | None:
    return PaymentLink.objects.filter(provider_payment_id=provider_payment_id).first()
