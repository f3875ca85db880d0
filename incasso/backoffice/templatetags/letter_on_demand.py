"""The letter-on-demand form of the case page, for the users who may send one (``views.letters``)."""

from __future__ import annotations

from django import template

from incasso.accounts.access import access_has_role
from incasso.backoffice.views.letters import LETTER_ROLES, LetterOnDemandForm

register = template.Library()


@register.simple_tag(takes_context=True)
def letter_on_demand_form(context: template.Context) -> LetterOnDemandForm | None:
    """A blank form when the page's user may send letters on this case (writes, and has a letter role), else None."""
    request = context.get("request")
    if request is None or not context.get("may_write"):
        return None
    if not access_has_role(user=request.user, roles=LETTER_ROLES):
        return None
    return LetterOnDemandForm()
