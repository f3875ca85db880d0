"""Who a consent is about, and the keyed hash that stands for an e-mail address on the suppression list."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.crypto import salted_hmac

from incasso.consent.models import SubjectKind

SUPPRESSION_SALT = "incasso.consent.suppression"


@dataclass(frozen=True, slots=True)
class ConsentSubject:
    """A debtor, client contact or subscriber by primary key; an anonymous visitor by its random cookie id."""

    kind: SubjectKind
    ref: str

    def __post_init__(self) -> None:
        if self.kind not in SubjectKind.values:
            raise ValueError(f"unknown subject kind {self.kind!r}")
        if not self.ref or len(self.ref) > 64:
            raise ValueError("a subject reference is 1 to 64 characters")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def email_hash(email: str) -> str:
    """HMAC-SHA256 of the normalised address under the project's secret: not reversible without the key."""
    return salted_hmac(SUPPRESSION_SALT, normalise_email(email), algorithm="sha256").hexdigest()
