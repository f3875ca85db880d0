"""The processing purpose an audit entry names, as people read it: ``{{ entry.purpose|purpose_name }}``.

The log stores the language-neutral code (``debt_collection``); the page shows the register's translated name, the
same one the register of processing activities shows (``incasso.privacy.labels``).
"""

from __future__ import annotations

from django import template

from incasso.privacy.labels import PURPOSES, label

register = template.Library()


@register.filter
def purpose_name(code: str) -> str:
    return label(PURPOSES, code)
