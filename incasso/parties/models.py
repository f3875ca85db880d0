"""Clients (the creditors whose claims the agency collects) and their debtors (C-1, C-2).

Personal data is held in plain fields for now; per-field encryption with per-subject keys (P-3) and the
personal-data declarations (P-1) replace these fields in a later issue, so nothing outside this app should read
them directly: go through the selectors.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incasso.parties.validators import validate_dutch_postcode, validate_iban


class ClientKind(models.TextChoices):
    WHOLESALER = "wholesaler", _("Wholesaler")
    ENERGY = "energy", _("Energy supplier")
    WEBSHOP = "webshop", _("Web shop")
    OTHER = "other", _("Other")


class Client(models.Model):
    """A creditor organisation that hands its unpaid claims to the agency."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=ClientKind.choices, default=ClientKind.OTHER)
    kvk_number = models.CharField(_("KvK number"), max_length=8, blank=True)
    # The account the agency pays collected money out to.
    iban = models.CharField(_("IBAN"), max_length=34, blank=True, validators=[validate_iban])
    # Decides whether VAT is added to the collection costs charged to debtors (C-5).
    vat_deductible = models.BooleanField(_("can deduct VAT"), default=True)
    # The agency itself, for claims it owns (purchased debt): then the agency, not a client, is the controller.
    is_agency = models.BooleanField(_("the agency itself"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        constraints = [
            models.UniqueConstraint(fields=["is_agency"], condition=Q(is_agency=True), name="client_one_agency"),
        ]

    def __str__(self) -> str:
        return self.name


class DebtorKind(models.TextChoices):
    CONSUMER = "consumer", _("Consumer")
    SOLE_TRADER = "sole_trader", _("Sole trader")
    COMPANY = "company", _("Company")


class Debtor(models.Model):
    """A party that owes a client money, as known in that client's processing.

    A debtor belongs to exactly one client. The same person owing two clients is two debtors: each client's data
    stays within that client's processing (C-2), and matching happens within a client only (C-3).
    """

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="debtors", verbose_name=_("client"))
    # The client's own customer number for this debtor: the key for matching claims to a debtor.
    reference = models.CharField(_("client reference"), max_length=64)
    kind = models.CharField(_("kind"), max_length=20, choices=DebtorKind.choices)

    # Personal data: plain fields until field encryption (P-3) lands.
    given_names = models.CharField(_("given names"), max_length=200, blank=True)
    surname = models.CharField(_("surname"), max_length=200, blank=True)
    # Trade name of a sole trader, registered name of a company.
    organisation_name = models.CharField(_("organisation name"), max_length=200, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    street = models.CharField(_("street"), max_length=200, blank=True)
    house_number = models.CharField(_("house number"), max_length=16, blank=True)
    postcode = models.CharField(_("postcode"), max_length=16, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="NL")
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("phone number"), max_length=32, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True, validators=[validate_iban])
    kvk_number = models.CharField(_("KvK number"), max_length=8, blank=True)

    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("debtor")
        verbose_name_plural = _("debtors")
        constraints = [
            models.UniqueConstraint(fields=["client", "reference"], name="debtor_reference_unique_per_client"),
            models.CheckConstraint(condition=Q(kind__in=DebtorKind.values), name="debtor_kind_valid"),
            # A company is known by its registered name, a person by their surname.
            models.CheckConstraint(
                condition=(Q(kind=DebtorKind.COMPANY) & ~Q(organisation_name=""))
                | (~Q(kind=DebtorKind.COMPANY) & ~Q(surname="")),
                name="debtor_has_name",
            ),
            models.CheckConstraint(
                condition=~Q(kind=DebtorKind.COMPANY) | Q(date_of_birth__isnull=True),
                name="debtor_company_has_no_date_of_birth",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def clean(self) -> None:
        if self.country == "NL" and self.postcode:
            try:
                validate_dutch_postcode(self.postcode)
            except ValidationError as exc:
                raise ValidationError({"postcode": exc}) from None

    @property
    def display_name(self) -> str:
        person = f"{self.given_names} {self.surname}".strip()
        if self.kind == DebtorKind.CONSUMER or not self.organisation_name:
            return person
        if self.kind == DebtorKind.SOLE_TRADER and person:
            return f"{self.organisation_name} ({person})"
        return self.organisation_name


# Agreements live in their own module to keep this one about the parties themselves; Django finds them here.
from incasso.parties.agreements import ClientContact, CommissionTerms, ProcessorAgreement  # noqa: E402

__all__ = ["Client", "ClientContact", "ClientKind", "CommissionTerms", "Debtor", "DebtorKind", "ProcessorAgreement"]
