"""The access export holds every personal datum on the person: planted in every declared field, found in the export."""

import csv
import io
import json

import pytest
from django.apps import apps
from django.contrib.auth.models import User

from incasso.accounts.factories import UserFactory
from incasso.cases.factories import CaseFactory
from incasso.consent.identity import email_hash
from incasso.crypto.models import DataKey
from incasso.parties.factories import ClientFactory, DebtorFactory
from incasso.rights.delivery import export_deliver, export_token_make
from incasso.rights.export import _plain, export_document
from incasso.rights.export_formats import export_csv, export_json
from incasso.rights.models import ExportDelivery, RequestChannel, RequestKind
from incasso.rights.services import Requester, request_verify_staff, requests_receive
from incasso.rights.tests.planting import REFERENCE_FIELDS, Planter, person_declarations

pytestmark = pytest.mark.django_db


def _allocation(v):
    v["amount_cents"] = v["to_costs_cents"] + v["to_interest_cents"] + v["to_principal_cents"] + v["overpayment_cents"]
    v["agency_costs_cents"] = v["to_costs_cents"] - 1
    v["agency_interest_cents"] = v["to_interest_cents"] - 1


FIXES = {
    "consent.DocumentVersion": lambda v: v.update(kind="consent_text", purpose="newsletter"),
    "ledger.Payout": lambda v: v.update(
        gross_cents=1000, commission_cents=100, net_cents=900, period_start=v["period_end"]
    ),
    "ledger.PaymentAllocation": _allocation,
    "arrangements.Instalment": lambda v: v.update(paid_cents=v["amount_cents"] - 1),
    "ledger.LedgerTransaction": lambda v: v.update(kind="payment", reverses=None),
    "sensitive.SpecialCategoryRecord": lambda v: v.update(basis="explicit_consent"),
    # Whole numbers sealed as text: planted as numbers.
    "circumstances.FinancialSituation": lambda v: v.update(
        net_income_cents=90_101, other_debts=9_102, attachments=9_103
    ),
}


def _balanced_entries(model, values):
    """The ledger checks every statement sums to zero (PostgreSQL): the planted entry comes with its counter-entry."""
    rows = model.objects.bulk_create([model(**values), model(**{**values, "amount_cents": -values["amount_cents"]})])
    return rows[0]


CREATORS = {"ledger.Entry": _balanced_entries}


def _in_model_order(row, names):
    """Dates then grow in declaration order: opened before closed, invoice before due."""
    return [f.name for f in row._meta.concrete_fields if f.name in names]


def _plant_everything():
    client = ClientFactory()
    person = DebtorFactory(client=client, kind="consumer")
    officer = UserFactory()
    case = CaseFactory(debtor=person)
    pool = {type(client): client, type(person): person, User: officer}
    planter = Planter(pool, f"parties.Debtor:{person.pk}", FIXES, CREATORS)
    declarations = person_declarations()
    debtor_fields = {d.field for d in declarations.pop("parties.Debtor")}
    for name in _in_model_order(person, debtor_fields - {"kind"}):
        setattr(person, name, planter.value(person._meta.get_field(name)))
    person.save()
    # Rows sealed under the person's data key (special categories) use the person's own key.
    planter.pool[DataKey] = DataKey.objects.get(pk=person.data_key_id)
    planter.planted += [("parties.Debtor", name, getattr(person, name)) for name in debtor_fields]
    case_fields = {d.field for d in declarations.pop("cases.Case")}
    for name in _in_model_order(case, case_fields):
        setattr(case, name, planter.value(case._meta.get_field(name)))
    case.stage = "closed"  # the one stage in which a closing reason and date are allowed
    case.save()
    planter.planted += [("cases.Case", name, getattr(case, name)) for name in case_fields]
    planter.pool[type(case)] = case
    overrides = {
        "audit.AuditEvent": {"subject_type": "parties.Debtor", "subject_id": str(person.pk)},
        "disclosures.DisclosureSubject": {"subject_type": "parties.Debtor", "subject_id": str(person.pk)},
        "disclosures.Breach": {"affected_subjects": [f"parties.Debtor:{person.pk}"]},
        "disclosures.RefusedDisclosure": {"subjects": [f"parties.Debtor:{person.pk}"]},
        "debtor_portal.LoginAttempt": {"case_number": case.number},
        "debtor_portal.LoginLock": {"case_number": case.number},
        "webhooks.WebhookDelivery": {"payload": {"case_number": case.number, "stage": "amicable"}},
        "integrations.SmimeCertificate": {"email": person.email},
        "aml.AmlCheck": {"subject_type": "parties.Debtor", "subject_id": str(person.pk)},
        "consent.ConsentRecord": {"subject_kind": "debtor", "subject_ref": str(person.pk)},
        "consent.Suppression": {"email_hash": email_hash(person.email)},
        "ledger.Account": {"case": case, "client": None, "kind": "receivable", "code": f"receivable:case:{case.pk}"},
    }
    planter.pool[apps.get_model("ledger.Account")] = planter.plant(
        "ledger.Account", set(), **overrides["ledger.Account"]
    )
    pending = dict(declarations)
    while pending:
        progressed = False
        for label in list(pending):
            model = apps.get_model(label)
            parents = {
                f.related_model._meta.label
                for f in model._meta.concrete_fields
                if f.is_relation and f.related_model._meta.label in pending and f.related_model is not model
            }
            if parents:
                continue
            declared = {d.field for d in pending.pop(label)} - {f for m, f in REFERENCE_FIELDS if m == label}
            row = planter.plant(label, declared, **overrides.get(label, {}))
            planter.pool[model] = row
            if label == "rights.RightsRequest":
                row.debtors.add(person)
            progressed = True
        assert progressed, f"cannot order {sorted(pending)}"
    return person, officer, planter.planted


def _access_request(person, officer):
    (request,) = requests_receive(
        kind=RequestKind.ACCESS,
        channel=RequestChannel.PHONE,
        requester=Requester(name="the person"),
        actor=officer,
        debtors=[person],
    )
    request_verify_staff(request=request, actor=officer, note="known voice, case number and date of birth checked")
    return request


def test_every_declared_personal_field_planted_for_a_person_is_in_their_export():
    person, officer, planted = _plant_everything()
    request = _access_request(person, officer)
    document = export_document(request=request)
    found = {
        (r["model"], name, json.dumps(v, sort_keys=True))
        for r in document["records"]
        for name, v in r["fields"].items()
    }
    missing = [
        (label, name, value)
        for label, name, value in planted
        if (label, name, json.dumps(_plain(value), sort_keys=True)) not in found
    ]
    assert len(planted) > 150
    assert missing == []
    # Each field comes with why it is held, on what ground, from where and for how long.
    info = document["fields"]["parties.Debtor.iban"]
    assert info["purposes"] and info["legal_bases"] and info["source"] and info["retention"]
    assert document["automated_decisions"]["decisions"] and document["automated_decisions"]["logic"]


def test_the_export_of_one_person_holds_nobody_else_and_its_queries_do_not_grow(django_assert_max_num_queries):
    person, officer, _planted = _plant_everything()
    other = DebtorFactory(client=person.client, surname="Someone-Else")
    CaseFactory(debtor=other)
    request = _access_request(person, officer)
    with django_assert_max_num_queries(70):
        document = export_document(request=request)
    assert "Someone-Else" not in json.dumps(document)
    rows = list(csv.DictReader(io.StringIO(export_csv(document).decode())))
    assert {"model", "field", "value", "legal_bases", "retention"} <= set(rows[0])
    assert any(r["model"] == "parties.Debtor" and r["field"] == "surname" for r in rows)
    assert json.loads(export_json(document))["request"] == request.reference


def test_a_signed_link_delivers_logs_every_download_and_refuses_an_altered_one():
    person = DebtorFactory(client=ClientFactory(is_agency=True), surname="Jansen")
    officer = UserFactory()
    request = _access_request(person, officer)
    token, _expires = export_token_make(request=request)
    delivered = export_deliver(token=token, fmt="json", source="ip:127.0.0.1")
    assert b"Jansen" in delivered.content
    pdf = export_deliver(token=token, fmt="pdf", source="ip:127.0.0.1")
    assert pdf.content.startswith(b"%PDF")
    assert list(ExportDelivery.objects.values_list("fmt", flat=True).order_by("pk")) == ["json", "pdf"]
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        export_deliver(token=token[:-2] + "xx", fmt="json", source="ip:127.0.0.1")
    assert ExportDelivery.objects.count() == 2
