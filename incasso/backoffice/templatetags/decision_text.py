"""A stored decision explanation as people read it: ``{{ decision.explanation_nl|explanation }}``."""

from __future__ import annotations

from django import template

from incasso.domain.wording import explanation_text

register = template.Library()


@register.filter
def explanation(stored: str) -> str:
    return explanation_text(stored)
