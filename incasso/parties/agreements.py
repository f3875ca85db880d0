"""What a client has agreed with the agency: contacts, commission terms and versioned processor agreements (C-1).

"The agreements between All Claims and its clients are laid down in a so-called processor agreement": the client
is the controller of its debtors' data and instructs the agency, which may only do what the instructions allow.
"""

from __future__ import annotations

from django.core.validators import validate_email
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incasso.crypto.fields import BlindIndexField, EncryptedModel, EncryptedTextField, is_unavailable
from incasso.parties.models import Client

# The blind-index purpose of a contact's e-mail address (its own key, derived from INCASSO_BLIND_INDEX_KEY).
CONTACT_EMAIL_INDEX = "parties.clientcontact.email"


class ClientContact(EncryptedModel):
    """A person at a client the agency deals with (relationship management, invoicing).

    Their personal data is sealed under a data key of their own (P-3), as a debtor's is: erasing the contact (an
    erasure request, the client-relationship retention) destroys that key, so the values are unreadable in backups
    too. Only the e-mail address has a blind index: a data-subject request is matched to a contact by the address it
    came from (``selectors.client_contacts_with_email``); nothing looks a contact up by name, phone or role.
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("client"))
    name = EncryptedTextField(_("name"), max_length=200)
    email = EncryptedTextField(_("e-mail address"), max_length=254, blank=True, validators=[validate_email])
    phone = EncryptedTextField(_("phone number"), max_length=32, blank=True)
    role = EncryptedTextField(_("role"), max_length=100, blank=True)
    email_index = BlindIndexField(purpose=CONTACT_EMAIL_INDEX, sources=("email",), normaliser="email")
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    # Declared after the encrypted fields: saving a contact without a key issues one before this column is written.
    data_key = models.OneToOneField(
        "crypto.DataKey", on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+"
    )

    class Meta:
        verbose_name = _("client contact")
        verbose_name_plural = _("client contacts")
        # As the debtors' blind indexes: empty entries (no address, an erased contact) stay out of the B-tree.
        indexes = [
            models.Index(fields=["email_index"], condition=~Q(email_index=""), name="clientcontact_email_index"),
        ]

    def __str__(self) -> str:
        return str(self.name)

    @property
    def personal_data_erased(self) -> bool:
        """Whether the contact's data key was destroyed: every sealed field reads "[erased]" (or is empty)."""
        return is_unavailable(self.name)

    @property
    def email_address(self) -> str:
        """The address to write to, or "" when there is none or it can no longer be read (an erased contact)."""
        return "" if is_unavailable(self.email) else str(self.email or "")


class CommissionTerms(models.Model):
    """How collected money is split, from a date on. A new version is a new row; rows are never edited."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="commission_terms")
    valid_from = models.DateField(_("valid from"))
    # Percentages with two decimals, stored as basis points (1% = 100) to stay exact.
    commission_on_principal_bp = models.PositiveIntegerField(_("commission on principal (basis points)"))
    agency_share_of_interest_bp = models.PositiveIntegerField(_("agency share of interest (basis points)"), default=0)
    agency_share_of_costs_bp = models.PositiveIntegerField(
        _("agency share of collection costs (basis points)"), default=10_000
    )

    class Meta:
        verbose_name = _("commission terms")
        verbose_name_plural = _("commission terms")
        constraints = [
            models.UniqueConstraint(fields=["client", "valid_from"], name="commission_terms_one_per_date"),
            models.CheckConstraint(
                condition=Q(commission_on_principal_bp__lte=10_000)
                & Q(agency_share_of_interest_bp__lte=10_000)
                & Q(agency_share_of_costs_bp__lte=10_000),
                name="commission_terms_at_most_100_percent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} from {self.valid_from}"


class ProcessorAgreement(models.Model):
    """One version of the processor agreement (*verwerkersovereenkomst*) with the client's instructions."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="processor_agreements")
    version = models.PositiveIntegerField(_("version"))
    signed_on = models.DateField(_("signed on"))
    valid_from = models.DateField(_("valid from"))
    confidentiality = models.BooleanField(_("confidentiality agreed"), default=True)
    breach_notification_hours = models.PositiveIntegerField(_("breach notification within (hours)"), default=24)
    # The client's instructions: which measures the agency may take (MeasureKind values, plus "legal")...
    allowed_measures = models.JSONField(_("allowed measures"), default=list)
    legal_steps_need_approval = models.BooleanField(_("legal steps need approval"), default=True)
    # ...how far a collector may settle without asking (basis points of the principal that may be waived)...
    settlement_authority_bp = models.PositiveIntegerField(_("settlement authority (basis points)"), default=0)
    # ...and the bounds within which a payment plan is accepted automatically.
    plan_max_months = models.PositiveIntegerField(_("longest payment plan (months)"), default=12)
    plan_min_instalment_cents = models.PositiveIntegerField(_("smallest instalment (cents)"), default=2_500)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("processor agreement")
        verbose_name_plural = _("processor agreements")
        ordering = ["client", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["client", "version"], name="processor_agreement_version_unique"),
            models.CheckConstraint(condition=Q(settlement_authority_bp__lte=10_000), name="settlement_at_most_100"),
            models.CheckConstraint(condition=Q(plan_max_months__gte=1), name="plan_at_least_one_month"),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} v{self.version}"
