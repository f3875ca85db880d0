"""Carrying a verified request out: what each right does to the person's data (GDPR art. 15-22).

Each kind reuses the service that owns the data: restriction is a case hold (``cases``), objection a profiling
objection (``decisions``) and a marketing suppression (``consent``), human review a contest of the latest automated
decision (``decisions``), erasure the retention anonymiser (``privacy``), rectification the intake's own debtor
validation (``intake``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from incasso.cases.models import Case, CaseHold, HoldKindChoices, TaskKind
from incasso.cases.services import case_hold_lift, case_hold_place, task_create
from incasso.decisions.models import Decision, ObjectionSource
from incasso.decisions.services import decision_contest, profiling_objection_record
from incasso.domain.audit_chain import JSONValue
from incasso.domain.case_lifecycle import HoldKind
from incasso.domain.data_map import LegalBasis, ProcessingPurpose
from incasso.intake.rows import STRICT, ClaimRow
from incasso.intake.validation import debtor_validate
from incasso.parties.models import DEBTOR_DETAILS, Debtor
from incasso.parties.services import CONTACT_ERASED_FIELDS, client_contacts_erase
from incasso.privacy.models import AnonymisedSubject, LegalHold
from incasso.privacy.retention.anonymise import DEBTOR_NEUTRAL_FIELDS, anonymise_debtors, audited_fields
from incasso.rights import mail
from incasso.rights.datamap_walk import DEBTOR, declared_models
from incasso.rights.delivery import export_token_make
from incasso.rights.history import request_step
from incasso.rights.models import RectificationChange, RequestChannel, RequestKind, RightsRequest, SubjectKind
from incasso.rights.services import reply_address, request_close, require_executable
from incasso.sensitive.services import special_categories_consent_withdraw

RECTIFIABLE = list(DEBTOR_DETAILS)
LEGAL_DUTY_PURPOSES = {ProcessingPurpose.BOOKKEEPING: "AWR art. 52: 7 years", ProcessingPurpose.AML: "Wwft art. 33"}
ObjectionChannel = {
    "portal": ObjectionSource.PORTAL,
    "web_form": ObjectionSource.WEB_FORM,
    "email": ObjectionSource.EMAIL,
}


def _debtors(request: RightsRequest) -> list[Debtor]:
    return list(request.debtors.order_by("pk"))


def _cases(request: RightsRequest) -> list[Case]:
    return list(Case.objects.filter(debtor__in=request.debtors.all()).order_by("pk"))


def subject_key_shred_if_available(*, subject: Debtor, actor: User, reason: str) -> bool:
    """Crypto-shred the person's key when field encryption is installed (``incasso.crypto``); False otherwise."""
    try:
        module = importlib.import_module("incasso.crypto.services")
    except ImportError:
        return False
    shred: Callable[..., Any] | None = getattr(module, "subject_key_shred", None)
    if shred is None:
        return False
    shred(subject=subject, actor=actor, reason=reason)
    return True


def _access(request: RightsRequest, actor: User, base_url: str) -> str:
    from django.urls import reverse

    token, expires = export_token_make(request=request)
    url = base_url.rstrip("/") + reverse("rights:export_download", kwargs={"token": token})
    address = reply_address(request)
    if address is None:
        raise ValidationError(_("There is no address to send the download link to."), code="no_address")
    with transaction.atomic():
        request_step(request=request, action="export_link_sent", actor=actor, details={"expires": expires.isoformat()})
    mail.export_link_send(request=request, to=address, url=url, expires=expires.date().isoformat())
    return _("A download link (JSON, CSV, PDF) was sent; it works until %(day)s.") % {"day": expires.date().isoformat()}


def _rectify(request: RightsRequest, actor: User) -> str:
    corrections = {k: str(v) for k, v in request.corrections.items() if k in RECTIFIABLE}
    if not corrections:
        raise ValidationError(_("The request names no value to correct."), code="no_corrections")
    changed = 0
    for debtor in _debtors(request):
        current: dict[str, str] = {name: str(getattr(debtor, name) or "") for name in RECTIFIABLE}
        current["date_of_birth"] = debtor.date_of_birth.isoformat() if debtor.date_of_birth else ""
        values: dict[str, Any] = {**current, **corrections}
        row = ClaimRow(row=1, debtor_reference=debtor.reference, debtor_kind=debtor.kind, **values)
        checked = debtor_validate(row, STRICT)
        if isinstance(checked, list):
            raise ValidationError("; ".join(f"{e.field}: {e.error}" for e in checked), code="invalid")
        new_values = checked._asdict()
        for name in corrections:
            old, new = getattr(debtor, name), new_values[name]
            if old == new:
                continue
            RectificationChange.objects.create(
                request=request,
                debtor=debtor,
                field=name,
                old_value="" if old is None else str(old),
                new_value="" if new is None else str(new),
                actor_label=actor.get_username(),
                data_key_id=debtor.data_key_id,  # sealed under the debtor's key: erasure takes the history along
            )
            setattr(debtor, name, new)
            changed += 1
        debtor.save()
    request_step(
        request=request,
        action="rectified",
        actor=actor,
        fields=[f"parties.Debtor.{name}" for name in corrections],
        debtor_ids=[d.pk for d in _debtors(request)],
    )
    return _("%(count)s values corrected.") % {"count": changed}


def erasure_kept(debtor_ids: list[int]) -> list[dict[str, str]]:
    """What erasure leaves and why, read from the data map: legal duties, legal holds, and the anonymised rest."""
    kept: list[dict[str, str]] = []
    on_hold = (
        LegalHold.objects.filter(released_at__isnull=True).filter(debtor_id__in=debtor_ids).exists()
        or CaseHold.objects.filter(
            case__debtor_id__in=debtor_ids, kind=HoldKindChoices.LEGAL_HOLD, lifted_at__isnull=True
        ).exists()
    )
    if on_hold:
        kept.append({"what": "all data", "why": "a legal hold: needed for a legal claim (GDPR art. 17(3)(e))"})
    removed = set(audited_fields())
    for declared in declared_models(DEBTOR):
        for declaration in declared.fields:
            if declaration.model == DEBTOR or declaration.key in removed:
                continue  # anonymised (and its sealed fields shredded): not kept
            duty = [LEGAL_DUTY_PURPOSES[p] for p in declaration.purposes if p in LEGAL_DUTY_PURPOSES]
            if duty:
                kept.append({"what": declaration.key, "why": "; ".join(sorted(duty))})
            elif declaration.bases == frozenset({LegalBasis.LEGAL_OBLIGATION}):
                kept.append({"what": declaration.key, "why": "a legal obligation (accountability, GDPR art. 5(2))"})
    return kept


def _erase_subscriber(request: RightsRequest, actor: User) -> str:
    """A subscriber's data goes at once; only a keyed hash of the address stays, to keep them out of marketing."""
    from incasso.consent.models import SuppressionReason
    from incasso.consent.services import suppression_add

    suppression_add(email=request.subscriber_email, reason=SuppressionReason.STAFF)
    request_step(request=request, action="erased", actor=actor, details={"kept": ["suppression list entry"]})
    return _("Erased. Kept: a keyed hash of the address on the suppression list, so no marketing reaches it.")


def _erase_client_contact(request: RightsRequest, actor: User) -> str:
    """A client's contact person: their name, address, phone and role go; the client relationship itself stays.

    The contact's data key is destroyed (``parties.services.client_contacts_erase``), so the values are unreadable
    in backups too; the row is kept, reading "[erased]", so the client's history (mailings sent, requests handled)
    still points somewhere; their address joins the suppression list so no marketing reaches it again.
    """
    from incasso.consent.models import SuppressionReason
    from incasso.consent.services import suppression_add

    contact = request.client_contact
    if contact is None:
        raise ValidationError(_("There is no one to erase on this request."), code="no_subject")
    if contact.email_address:
        suppression_add(email=contact.email_address, reason=SuppressionReason.STAFF)
    client_contacts_erase(
        contact_ids=[contact.pk],
        actor=actor,
        purpose=ProcessingPurpose.CLIENT_RELATIONSHIP,
        source=f"rights request {request.channel}",
        details={"request": request.reference},
    )
    contact.refresh_from_db()
    kept: list[JSONValue] = [
        {"what": "the request and its history", "why": "accountability (GDPR art. 5(2))"},
        {"what": "a keyed hash of the e-mail address", "why": "the suppression list: no marketing"},
    ]
    request_step(
        request=request,
        action="erased",
        actor=actor,
        fields=tuple(f"parties.ClientContact.{name}" for name in CONTACT_ERASED_FIELDS),
        details={"kept": kept, "client_contact": contact.pk, "crypto_shredded": True},
    )
    return _("Erased the contact's name, e-mail address, phone number and role. Kept: this request's record.")


def _erase(request: RightsRequest, actor: User) -> str:
    if request.subject_kind == SubjectKind.SUBSCRIBER:
        return _erase_subscriber(request, actor)
    if request.subject_kind == SubjectKind.CLIENT_CONTACT:
        return _erase_client_contact(request, actor)
    if request.subject_kind != SubjectKind.DEBTOR:
        raise ValidationError(_("There is no one to erase on this request."), code="no_subject")
    ids = [d.pk for d in _debtors(request)]
    kept = erasure_kept(ids)
    kept_json: list[JSONValue] = [{"what": k["what"], "why": k["why"]} for k in kept]
    if kept and kept[0]["what"] == "all data":
        request_step(request=request, action="erasure_blocked", actor=actor, details={"kept": kept_json[:1]})
        return _("Not erased: the data is under a legal hold.")
    anonymise_debtors(ids)  # the rectification history's old and new values (in the clear) included
    AnonymisedSubject.objects.bulk_create([AnonymisedSubject(debtor_id=pk) for pk in ids], ignore_conflicts=True)
    shredded = [
        subject_key_shred_if_available(subject=d, actor=actor, reason=request.reference) for d in _debtors(request)
    ]
    request_step(
        request=request,
        action="erased",
        actor=actor,
        fields=audited_fields(),
        details={
            "kept": kept_json,
            "crypto_shredded": any(shredded),
            "anonymised": list(DEBTOR_NEUTRAL_FIELDS),
        },
        debtor_ids=ids,
    )
    return _("Erased. Kept under a legal duty: %(kept)s") % {
        "kept": "; ".join(f"{k['what']} ({k['why']})" for k in kept) or "-"
    }


def _restrict(request: RightsRequest, actor: User) -> str:
    cases = _cases(request)
    for case in cases:
        case_hold_place(case=case, kind=HoldKind.RESTRICTION, reason=request.reference, actor=actor)
    request_step(
        request=request,
        action="restricted",
        actor=actor,
        details={"cases": [c.number for c in cases]},
        debtor_ids=[d.pk for d in _debtors(request)],
    )
    return _("Processing restricted on %(count)s cases: only storage until lifted.") % {"count": len(cases)}


def restriction_lift(*, request: RightsRequest, actor: User, reason: str) -> int:
    """Lift the restriction a request placed; recorded on the holds and in the request's history."""
    if not reason.strip():
        raise ValidationError(_("Give the reason for lifting the restriction."), code="reason_required")
    with transaction.atomic():
        holds = list(
            CaseHold.objects.filter(
                case__debtor__in=request.debtors.all(), kind=HoldKindChoices.RESTRICTION, lifted_at__isnull=True
            )
        )
        for hold in holds:
            case_hold_lift(hold=hold, reason=reason, actor=actor)
        request_step(request=request, action="restriction_lifted", actor=actor, details={"holds": len(holds)})
    return len(holds)


def _object(request: RightsRequest, actor: User) -> str:
    source = ObjectionChannel.get(request.channel, ObjectionSource.PHONE)
    for debtor in _debtors(request):
        profiling_objection_record(debtor=debtor, source=source)
    marketing = request.kind == RequestKind.OBJECTION_MARKETING or request.subject_kind != "debtor"
    address = reply_address(request)
    if marketing and address:
        from incasso.consent.models import SuppressionReason
        from incasso.consent.services import suppression_add

        suppression_add(email=address, reason=SuppressionReason.OBJECTION)
    request_step(
        request=request, action="objection_recorded", actor=actor, debtor_ids=[d.pk for d in _debtors(request)]
    )
    return _("Objection recorded: no profiling and no marketing from now on.")


def _withdraw_consent(request: RightsRequest, actor: User) -> str:
    """Withdraw every consent the person gave, as easily as it was given; a subscriber is erased at once."""
    from incasso.consent.identity import ConsentSubject
    from incasso.consent.models import ConsentMethod, ConsentPurpose
    from incasso.consent.models import SubjectKind as ConsentKind
    from incasso.consent.selectors import consent_given
    from incasso.consent.services import consent_withdraw

    if request.subject_kind == SubjectKind.SUBSCRIBER:
        return _erase_subscriber(request, actor)
    subjects = [ConsentSubject(ConsentKind.DEBTOR, str(d.pk)) for d in _debtors(request)]
    if request.client_contact_id is not None:
        subjects.append(ConsentSubject(ConsentKind.CLIENT_CONTACT, str(request.client_contact_id)))
    withdrawn = 0
    for subject in subjects:
        for purpose in ConsentPurpose.values:
            if consent_given(subject, purpose):
                consent_withdraw(
                    subject=subject,
                    purpose=purpose,
                    where=f"rights request {request.reference}",
                    method=ConsentMethod.STAFF,
                    language="nl",
                )
                withdrawn += 1
    # Special-category data held on the debtor's explicit consent alone goes with the consent (GDPR art. 9(2)(a)).
    erased = special_categories_consent_withdraw(
        debtor_ids=[d.pk for d in _debtors(request)], actor=actor, reason=f"rights request {request.reference}"
    )
    request_step(
        request=request,
        action="consent_withdrawn",
        actor=actor,
        details={"withdrawn": withdrawn, "special_category_records_deleted": erased},
    )
    outcome = _("%(count)s consents withdrawn.") % {"count": withdrawn}
    if erased:
        outcome += " " + _("%(count)s special-category records held on that consent deleted.") % {"count": erased}
    return outcome


def _human_review(request: RightsRequest, actor: User) -> str:
    """Contest the latest automated decision of each of the person's cases (GDPR art. 22(3)).

    Contesting through ``decisions`` marks the decision, queues its review where staff review decisions, and
    stops new automated decisions on the case until a person has recorded the review. When none of the cases has an
    automated decision, a plain review task per case still has a person look at what the requester wrote.
    """
    cases = _cases(request)
    latest: dict[int, Decision] = {}
    for decision in Decision.objects.filter(case__in=cases).order_by("case_id", "-decided_on", "-pk"):
        latest.setdefault(decision.case_id, decision)
    reason = request.message[:2000] or _("Human review asked in request %(reference)s") % {
        "reference": request.reference
    }
    received_by = None if request.channel == RequestChannel.PORTAL else actor
    tasks = []
    for decision in latest.values():
        task = decision_contest(decision=decision, reason=reason, actor=received_by)
        if task.due_on > request.deadline:
            # The review answers this request: it is due by the request's own deadline, not a month from today.
            task.due_on = request.deadline
            task.save(update_fields=["due_on"])
        tasks.append(task)
    unreviewed: list[Case | None] = [] if latest else [*cases] or [None]
    for case in unreviewed:
        tasks.append(
            task_create(
                kind=TaskKind.HUMAN_REVIEW,
                title=_("Human review asked in request %(reference)s") % {"reference": request.reference},
                due_on=request.deadline,
                case=case,
                details=request.message[:2000],
                idempotency_key=f"rights-review:{request.pk}:{case.pk if case else ''}",
            )
        )
    details: dict[str, JSONValue] = {
        "tasks": [task.pk for task in tasks],
        "decisions": [decision.pk for decision in latest.values()],
    }
    request_step(request=request, action="review_task_created", actor=actor, details=details)
    return _("A person will review the decision (task %(task)s).") % {"task": ", ".join(str(task.pk) for task in tasks)}


def request_execute(*, request: RightsRequest, actor: User, base_url: str = "") -> RightsRequest:
    """Carry the request out and complete it with what was done; access delivers through a signed link."""
    require_executable(request)
    kind = RequestKind(request.kind)
    if kind in {RequestKind.ACCESS, RequestKind.PORTABILITY}:
        outcome = _access(request, actor, base_url)
    else:
        handlers = {
            RequestKind.RECTIFICATION: _rectify,
            RequestKind.ERASURE: _erase,
            RequestKind.RESTRICTION: _restrict,
            RequestKind.OBJECTION_PROCESSING: _object,
            RequestKind.OBJECTION_MARKETING: _object,
            RequestKind.CONSENT_WITHDRAWAL: _withdraw_consent,
            RequestKind.HUMAN_REVIEW: _human_review,
        }
        with transaction.atomic():
            outcome = handlers[kind](request, actor)
    return request_close(request=request, outcome=outcome, actor=actor)
