"""The e-mails a request sends, in Dutch and English (one message carries both: the requester's language is unknown).

Sent after the transaction that recorded the step has committed, so a rolled-back step never mails anybody.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from incasso.rights.models import RightsRequest

# Every answer to a request says where to complain (GDPR art. 12(4), 77; SPEC P-4); the code is the only e-mail
# that answers nothing.
COMPLAINT = gettext_noop(
    "Not satisfied with how we handle your request? Tell us, or complain to the supervisory authority where you "
    "live. In the Netherlands that is the Autoriteit Persoonsgegevens, Postbus 93374, 2509 AJ Den Haag, "
    "www.autoriteitpersoonsgegevens.nl."
)


def _both(render: str, values: dict[str, str], *, answer: bool = True) -> str:
    parts = []
    for language in ("nl", "en"):
        with translation.override(language):
            parts.append(_(render) % values + (f"\n\n{_(COMPLAINT)}" if answer else ""))
    return "\n\n-----\n\n".join(parts)


def _send(*, to: Sequence[str], subject: str, body: str) -> None:
    EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=list(to)).send()


def verification_code_send(*, to: str, code: str, reference: str) -> None:
    body = _both(
        gettext_noop(
            "Your verification code for request %(reference)s is %(code)s. It is valid for 30 minutes. "
            "If you did not ask for it, ignore this message."
        ),
        {"reference": reference, "code": code},
        answer=False,
    )
    _send(to=[to], subject=f"{settings.INCASSO_AGENCY_NAME}: {reference}", body=body)


def extension_notice_send(*, request: RightsRequest, to: str) -> None:
    body = _both(
        gettext_noop(
            "We need more time to answer your request %(reference)s. We will answer by %(due)s. Reason: %(reason)s"
        ),
        {
            "reference": request.reference,
            "due": request.deadline.isoformat(),
            "reason": request.extension_reason,
        },
    )
    _send(to=[to], subject=f"{settings.INCASSO_AGENCY_NAME}: {request.reference}", body=body)


def controller_forward_send(*, request: RightsRequest, to: Sequence[str], evidence: str) -> None:
    body = _both(
        gettext_noop(
            "A person exercised a GDPR right about data we process for you as your processor.\n"
            "Request: %(reference)s (%(kind)s), received %(received)s, answer due %(due)s.\n"
            "Evidence: %(evidence)s\n\n"
            "Please send us your instruction, quoting %(reference)s, well before the deadline."
        ),
        {
            "reference": request.reference,
            "kind": request.kind,
            "received": request.received_at.date().isoformat(),
            "due": request.deadline.isoformat(),
            "evidence": evidence,
        },
        answer=False,
    )
    _send(to=to, subject=f"GDPR {request.reference}", body=body)


def requester_forwarded_send(*, request: RightsRequest, to: str, controller: str) -> None:
    body = _both(
        gettext_noop(
            "We process the data your request %(reference)s is about on behalf of %(controller)s, who decides on "
            "it. We have passed your request to them and will carry out their instruction by %(due)s."
        ),
        {"reference": request.reference, "controller": controller, "due": request.deadline.isoformat()},
    )
    _send(to=[to], subject=f"{settings.INCASSO_AGENCY_NAME}: {request.reference}", body=body)


def export_link_send(*, request: RightsRequest, to: str, url: str, expires: str) -> None:
    body = _both(
        gettext_noop(
            "The copy of your data for request %(reference)s is ready: %(url)s\nThe link works until %(expires)s."
        ),
        {"reference": request.reference, "url": url, "expires": expires},
    )
    _send(to=[to], subject=f"{settings.INCASSO_AGENCY_NAME}: {request.reference}", body=body)


def outcome_send(*, request: RightsRequest, to: str) -> None:
    body = _both(
        gettext_noop("Your request %(reference)s was answered: %(outcome)s"),
        {"reference": request.reference, "outcome": request.outcome},
    )
    _send(to=[to], subject=f"{settings.INCASSO_AGENCY_NAME}: {request.reference}", body=body)
