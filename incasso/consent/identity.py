"""Who a consent is about, and the keyed hashes that stand for an e-mail address: on the suppression list, and as
the blind index through which a (sealed) subscriber address is found."""

from __future__ import annotations

from dataclasses import dataclass

from incasso.consent.models import SUBSCRIBER_EMAIL_INDEX, SubjectKind
from incasso.crypto import primitives
from incasso.crypto.keyring import blind_index

# The blind-index purpose of the suppression list: its own key, derived from INCASSO_BLIND_INDEX_KEY.
SUPPRESSION_PURPOSE = "consent.suppression"


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
    """The suppression list's entry for an address: a keyed HMAC-SHA256 (truncated) under the blind-index key
    mechanism of ``crypto`` (INCASSO_BLIND_INDEX_KEY, not SECRET_KEY), so rotating the secret key keeps the list."""
    return blind_index(SUPPRESSION_PURPOSE, primitives.normalise_email(email))


def subscriber_email_index(email: str) -> str:
    """The blind-index entry ``Subscriber.email_index`` holds for an address: how a subscriber is found by address."""
    return blind_index(SUBSCRIBER_EMAIL_INDEX, primitives.normalise_email(email))
