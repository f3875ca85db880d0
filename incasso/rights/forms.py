"""The public request form, the code form and the staff action forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from incasso.rights.models import RequestKind

PUBLIC_KINDS = [(k.value, k.label) for k in RequestKind]


class PublicRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("What do you ask?"), choices=PUBLIC_KINDS)
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Your e-mail address"))
    message = forms.CharField(label=_("Your request"), widget=forms.Textarea, max_length=5000, required=False)


class PhoneRequestForm(forms.Form):
    """A request made by telephone, entered by the privacy officer who took the call (SPEC P-4)."""

    kind = forms.ChoiceField(label=_("What does the caller ask?"), choices=PUBLIC_KINDS)
    name = forms.CharField(label=_("Caller's name"), max_length=200)
    phone = forms.CharField(label=_("Caller's phone number"), max_length=32)
    email = forms.EmailField(label=_("Caller's e-mail address"), required=False)
    case_number = forms.CharField(
        label=_("Case number"),
        max_length=40,
        required=False,
        help_text=_("The case the caller names; without it the request is matched on the e-mail address."),
    )
    message = forms.CharField(
        label=_("What the caller said"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000, required=False
    )


class CodeForm(forms.Form):
    code = forms.RegexField(label=_("Code"), regex=r"^\s*\d{6}\s*$", max_length=12)


class NoteForm(forms.Form):
    # Not required in the browser: "Carry out" and "Forward" need no note; the services ask for one where needed.
    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        required=False,
        help_text=_("How the identity was checked, the reason, the instruction or the outcome."),
    )
