"""Clients (the creditors whose claims the agency collects) and their debtors (C-1, C-2).

A debtor's personal data is sealed under the debtor's own data key (P-3, ``incasso.crypto``): it reads as plain
attributes, and reads "[erased]" once the key is destroyed. Exact-match search goes through the blind indexes
(``selectors.debtors_matching``), never through a filter on the encrypted columns.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incasso.crypto.fields import (
    BlindIndexField,
    EncryptedDateField,
    EncryptedModel,
    EncryptedTextField,
    is_unavailable,
    unavailable,
)
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
    # The day the relationship and the settlement of all mutual claims ended (set by an administrator): the client-
    # relationship retention counts from it (SPEC P-2, ``privacy.retention.clients``). Empty while it lasts.
    relationship_ended_on = models.DateField(_("relationship ended on"), null=True, blank=True)

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


# What describes a debtor, as the intake writes it and a rectification (GDPR art. 16) may change it.
DEBTOR_DETAILS: tuple[str, ...] = (
    "given_names",
    "surname",
    "organisation_name",
    "date_of_birth",
    "street",
    "house_number",
    "postcode",
    "city",
    "country",
    "email",
    "phone",
    "iban",
    "kvk_number",
)


def postcode_region(postcode: object) -> str | None:
    """What statistics keep of an address: the first two characters of the postcode (of a Dutch one its two-digit
    region, tens of thousands of addresses); "" without a postcode, None when it cannot be read."""
    if postcode is None or is_unavailable(postcode):
        return None
    return str(postcode)[:2]


class PostcodeRegionField(models.CharField):  # type: ignore[type-arg]
    """The postcode's region (``postcode_region``), derived from the postcode on every write of it as the blind
    indexes are, so the retention sweep keeps it for statistics without opening the sealed postcode. NULL where it
    was never derived (rows written before it existed): the sweep opens those postcodes itself."""

    derived_from = ("postcode",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 2)
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        postcode = getattr(model_instance, self.derived_from[0])  # the plaintext, through the sealed attribute
        # An erased postcode keeps the region derived while it could be read.
        value = getattr(model_instance, self.attname) if is_unavailable(postcode) else postcode_region(postcode)
        setattr(model_instance, self.attname, value)
        return value


class Debtor(EncryptedModel):
    """A party that owes a client money, as known in that client's processing.

    A debtor belongs to exactly one client. The same person owing two clients is two debtors: each client's data
    stays within that client's processing (C-2), and matching happens within a client only (C-3).
    """

    # Not indexed on its own: ``debtor_reference_unique_per_client`` (client, reference) serves every lookup by client,
    # and each index is one more write per debtor row (the intake's inserts, the retention sweep's rewrites).
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="debtors", verbose_name=_("client"), db_index=False
    )
    # The client's own customer number for this debtor: the key for matching claims to a debtor.
    reference = models.CharField(_("client reference"), max_length=64)
    kind = models.CharField(_("kind"), max_length=20, choices=DebtorKind.choices)

    # Personal data, each sealed under the debtor's data key.
    given_names = EncryptedTextField(_("given names"), max_length=200, blank=True)
    surname = EncryptedTextField(_("surname"), max_length=200, blank=True)
    # Trade name of a sole trader (often the person's own name), registered name of a company.
    organisation_name = EncryptedTextField(_("organisation name"), max_length=200, blank=True)
    date_of_birth = EncryptedDateField(_("date of birth"), null=True, blank=True)
    street = EncryptedTextField(_("street"), max_length=200, blank=True)
    house_number = EncryptedTextField(_("house number"), max_length=16, blank=True)
    postcode = EncryptedTextField(_("postcode"), max_length=16, blank=True)
    city = EncryptedTextField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="NL")
    email = EncryptedTextField(_("e-mail address"), max_length=254, blank=True, validators=[validate_email])
    phone = EncryptedTextField(_("phone number"), max_length=32, blank=True)
    iban = EncryptedTextField(_("IBAN"), max_length=34, blank=True, validators=[validate_iban])
    kvk_number = models.CharField(_("KvK number"), max_length=8, blank=True)

    # Blind indexes for exact-match search within a client; emptied when the data key is destroyed.
    iban_index = BlindIndexField(purpose="debtor.iban", sources=("iban",), normaliser="compact")
    email_index = BlindIndexField(purpose="debtor.email", sources=("email",), normaliser="email")
    name_index = BlindIndexField(purpose="debtor.name", sources=("surname", "given_names"), normaliser="name")
    postcode_index = BlindIndexField(purpose="debtor.postcode", sources=("postcode",), normaliser="compact")
    # Kept when the debtor is anonymised (statistics); written by every writer of the postcode.
    postcode_region = PostcodeRegionField(_("postcode region"))

    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    # Declared after the encrypted fields: saving a debtor without a key issues one before this column is written.
    data_key = models.OneToOneField(
        "crypto.DataKey", on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+"
    )

    class Meta:
        verbose_name = _("debtor")
        verbose_name_plural = _("debtors")
        constraints = [
            models.UniqueConstraint(fields=["client", "reference"], name="debtor_reference_unique_per_client"),
            models.CheckConstraint(condition=Q(kind__in=DebtorKind.values), name="debtor_kind_valid"),
            # A company is known by its registered name, a person by their surname. The columns hold ciphertext, but
            # an empty value is stored empty, so the database still checks that a name was given.
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
        # The blind indexes hold only the entries there are: an empty entry (no value, or a shredded subject) finds
        # nothing and is never looked up, so it stays out of the B-trees; an anonymised or e-mail-less debtor costs
        # them no write. Keyed by the entry alone, so a lookup across clients (a statement's IBANs, a rights
        # request's e-mail address) uses them as well as a match within a client. A lookup must imply the predicate
        # for the planner to use them: ``col = 'entry'`` and ``col IN`` up to 100 entries do; a longer list (``=
        # ANY(array)``) must add ``col <> ''`` itself (``selectors.BLIND_INDEX_FILLED``).
        indexes = [
            models.Index(fields=[name], condition=~Q(**{name: ""}), name=f"debtor_{name}")
            for name in ("iban_index", "email_index", "name_index", "postcode_index")
        ]

    def __str__(self) -> str:
        return self.display_name

    def clean(self) -> None:
        if self.country == "NL" and self.postcode and not is_unavailable(self.postcode):
            try:
                validate_dutch_postcode(self.postcode)
            except ValidationError as exc:
                raise ValidationError({"postcode": exc}) from None

    @property
    def personal_data_erased(self) -> bool:
        """Whether the debtor's data key was destroyed (crypto-shredding): every encrypted field reads "[erased]"."""
        return is_unavailable(self.surname) or is_unavailable(self.organisation_name)

    @property
    def display_name(self) -> str:
        if self.personal_data_erased:
            return str(unavailable())
        person = f"{self.given_names} {self.surname}".strip()
        if self.kind == DebtorKind.CONSUMER or not self.organisation_name:
            return person
        if self.kind == DebtorKind.SOLE_TRADER and person:
            return f"{self.organisation_name} ({person})"
        return str(self.organisation_name)


# Agreements live in their own module to keep this one about the parties themselves; Django finds them here.
from incasso.parties.agreements import ClientContact, CommissionTerms, ProcessorAgreement  # noqa: E402

__all__ = ["Client", "ClientContact", "ClientKind", "CommissionTerms", "Debtor", "DebtorKind", "ProcessorAgreement"]
