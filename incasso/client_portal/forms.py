from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from incasso.web.fields import IdField, PlausibleDateField
from incasso.webhooks.models import WebhookEventType

MAX_UPLOAD_BYTES = 200 * 1024 * 1024


class UploadForm(forms.Form):
    file = forms.FileField(label=_("CSV or UBL file"))

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is too large (at most 200 MB)."))
        return upload


class ClaimForm(forms.Form):
    invoice_number = forms.CharField(label=_("Invoice number"), max_length=64)
    invoice_date = PlausibleDateField(label=_("Invoice date"), widget=forms.DateInput(attrs={"type": "date"}))
    due_date = PlausibleDateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.DecimalField(label=_("Amount (EUR)"), max_digits=12, decimal_places=2, min_value=0)
    description = forms.CharField(label=_("Description"), max_length=255, required=False)
    debtor_reference = forms.CharField(label=_("Customer number"), max_length=64)
    debtor_kind = forms.ChoiceField(
        label=_("Debtor"),
        choices=[("consumer", _("Consumer")), ("sole_trader", _("Sole trader")), ("company", _("Company"))],
    )
    given_names = forms.CharField(label=_("Given names"), max_length=255, required=False)
    surname = forms.CharField(label=_("Surname"), max_length=255, required=False)
    organisation_name = forms.CharField(label=_("Organisation name"), max_length=255, required=False)
    street = forms.CharField(label=_("Street"), max_length=255, required=False)
    house_number = forms.CharField(label=_("House number"), max_length=20, required=False)
    postcode = forms.CharField(label=_("Postcode"), max_length=20, required=False)
    city = forms.CharField(label=_("City"), max_length=255, required=False)
    email = forms.EmailField(label=_("E-mail address"), required=False)

    def as_row_values(self) -> dict[str, str]:
        """The intake's raw row: every value as text, as the CSV and REST doors hand them over."""
        values = {key: "" if value is None else str(value) for key, value in self.cleaned_data.items()}
        for key in ("invoice_date", "due_date"):
            values[key] = self.cleaned_data[key].isoformat()
        return {key: value for key, value in values.items() if value}


class LegalStepsForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("refuse", _("Refuse"))])
    reason = forms.CharField(label=_("Reason (optional)"), max_length=2000, required=False, widget=forms.Textarea)


class CaseFilterForm(forms.Form):
    stage = forms.CharField(required=False)
    status = forms.ChoiceField(
        required=False, choices=[("", _("All")), ("open", _("Open")), ("closed", _("Closed"))], label=_("Status")
    )
    q = forms.CharField(required=False, label=_("Case or invoice number"), max_length=64)


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)


class WebhookForm(forms.Form):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("Events (none: all)"),
        choices=WebhookEventType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class InstructionForm(forms.Form):
    request = IdField()
    instruction = forms.CharField(
        label=_("Your instruction as controller"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For example: carry out the erasure; or: refuse, because the claim is still being collected."),
    )
