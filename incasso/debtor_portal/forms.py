"""The portal's forms: plain Django forms, labels written for people who are not lawyers, in Dutch and English."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from incasso.debtor_portal.services import (
    FIRST_DUE_WITHIN_DAYS,
    MAX_PLAN_MONTHS,
    MAX_UPLOAD_BYTES,
    PORTAL_RIGHTS,
    plan_first_due_check,
)
from incasso.parties.models import Debtor
from incasso.rights.models import RequestKind

FIRST_DUE_DEFAULT_DAYS = 7
# A phone number as people write it: digits with spaces, dashes, dots or brackets, an optional leading "+", 6 to 15
# digits in all (E.164 has at most 15).
PHONE_NUMBER = r"^\+?(?:[\s().-]*\d){6,15}[\s().-]*$"


class LoginForm(forms.Form):
    case_number = forms.CharField(
        label=_("Case number"),
        max_length=40,
        help_text=_("At the top of our letter, for example 2026-000123."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    code = forms.CharField(
        label=_("Log-in code from the letter"),
        max_length=20,
        help_text=_("Eight letters and digits, for example ABCD-EFGH."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
    second_factor = forms.CharField(
        label=_("Your postcode or date of birth"),
        max_length=20,
        help_text=_("Postcode as on the letter (1234 AB), or date of birth as DD-MM-YYYY."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


def _first_due_default() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=FIRST_DUE_DEFAULT_DAYS)


class PlanForm(forms.Form):
    months = forms.IntegerField(
        label=_("Number of monthly instalments"), min_value=1, max_value=MAX_PLAN_MONTHS, initial=3
    )
    first_due = forms.DateField(
        label=_("First instalment on"),
        initial=_first_due_default,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The date picker offers only the days a proposal accepts (worked out per request, not at import).
        today = timezone.localdate()
        self.fields["first_due"].widget.attrs.update(
            min=today.isoformat(), max=(today + datetime.timedelta(days=FIRST_DUE_WITHIN_DAYS)).isoformat()
        )

    def clean_first_due(self) -> datetime.date:
        first_due: datetime.date = self.cleaned_data["first_due"]
        plan_first_due_check(first_due=first_due, on=timezone.localdate())
        return first_due


PAY_INSTALMENT = "instalment"
PAY_ALL = "all"


class PayForm(forms.Form):
    method = forms.ChoiceField(
        label=_("Pay with"), choices=[("ideal", "iDEAL"), ("creditcard", _("Credit card"))], initial="ideal"
    )
    # Which amount, never the amount itself: the server works out the instalment from the plan.
    what = forms.ChoiceField(
        choices=[(PAY_INSTALMENT, _("The next instalment")), (PAY_ALL, _("Everything"))], required=False
    )


class DisputeForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you dispute the claim?"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5})
    )
    file = forms.FileField(
        label=_("Supporting document (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Filled in per request: "%" on a lazy text at import time would fix it in the language active then.
        self.fields["file"].help_text = _("A PDF, PNG or JPEG file of at most %(mb)d MB.") % {
            "mb": MAX_UPLOAD_BYTES // (1024 * 1024)
        }


class ContactForm(forms.Form):
    # ``autocomplete`` names the purpose of each field (WCAG 1.3.5), so a browser can fill in the debtor's own details.
    email = forms.CharField(
        label=_("E-mail address"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Phone number"),
        required=False,
        max_length=32,
        validators=[
            RegexValidator(
                PHONE_NUMBER,
                _("Enter a phone number of digits, for example 06 12345678 or +31 6 12345678."),
                code="phone",
            )
        ],
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    street = forms.CharField(
        label=_("Street"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
    )
    house_number = forms.CharField(label=_("House number"), required=False, max_length=16)
    postcode = forms.CharField(
        label=_("Postcode"),
        required=False,
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )
    city = forms.CharField(
        label=_("City"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )

    @classmethod
    def for_debtor(cls, debtor: Debtor) -> ContactForm:
        return cls(initial={name: str(getattr(debtor, name) or "") for name in cls.base_fields})

    def clean(self) -> dict[str, object]:
        """Every field must be posted (the page always sends them all, empty or not): a field left out is not a
        field emptied, and saving it as empty would erase the debtor's address on a partial or empty post."""
        cleaned = super().clean() or {}
        if self.is_bound and any(name not in self.data for name in self.fields):
            raise forms.ValidationError(_("Something went wrong with the form. Reload the page and try again."))
        return cleaned


class MessageForm(forms.Form):
    subject = forms.CharField(label=pgettext_lazy("message", "Subject"), max_length=150, required=False)
    message = forms.CharField(label=_("Your message"), max_length=4000, widget=forms.Textarea(attrs={"rows": 6}))


class RightsForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What would you like?"),
        choices=[(kind.value, RequestKind(kind).label) for kind in PORTAL_RIGHTS],
        widget=forms.RadioSelect,
    )
    message = forms.CharField(
        label=_("Anything we should know (optional)"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class DecisionReviewForm(forms.Form):
    reason = forms.CharField(
        label=_("Why should a person look at it? (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
