"""Load the demo data set: clients, debtors, cases, claims and the demo log-ins, in one transaction."""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass

from django.db import transaction

from incasso.accounts.models import Team
from incasso.accounts.roles import Role
from incasso.accounts.services import client_membership_create, user_create
from incasso.cases.models import Case, Claim, MeasureKind
from incasso.cases.services import CaseOpener, case_opened_events_insert
from incasso.collection.limitation import claim_limitation_date
from incasso.crypto.services import data_keys_issue
from incasso.demo.dataset import LEGAL_STAGES, REFERENCE_DATE, DemoCase, DemoDataset
from incasso.demo.generate import demo_dataset
from incasso.demo.logins import DEMO_EMAIL_DOMAIN, DEMO_PASSWORD, demo_login_plan
from incasso.domain.instructions import LEGAL_STEPS
from incasso.parties.models import Client, ClientContact, CommissionTerms, Debtor, ProcessorAgreement
from incasso.parties.selectors import client_exists

DEFAULT_DEBTORS = 1_200
BATCH_SIZE = 500
AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
# Rows get fixed creation times too, so the same seed gives identical rows.
CREATED_AT = datetime.datetime.combine(REFERENCE_DATE, datetime.time(8, 0), tzinfo=AMSTERDAM)
# When the client approved legal steps on a case now in court: after the amicable weeks the strategy waits (42 days).
LEGAL_APPROVAL_AFTER = datetime.timedelta(days=90)
DEMO_OPENER = CaseOpener(actor_id=None, actor_name="demo", source="demo")


class DemoDataExistsError(Exception):
    """The database already holds clients: the demo only loads into an empty database."""


@dataclass(frozen=True)
class DemoSummary:
    clients: int
    debtors: int
    cases: int
    claims: int
    users: int


@transaction.atomic
def demo_create(*, seed: int, debtors: int = DEFAULT_DEBTORS) -> DemoSummary:
    if client_exists():
        raise DemoDataExistsError("the database already holds clients")
    data = demo_dataset(seed=seed, debtors=debtors)
    clients = _clients_insert(data)
    _agreements_insert(clients)
    debtor_rows = _debtors_insert(data, clients)
    cases = _cases_insert(data, clients, debtor_rows)
    # Every case's timeline starts with its "opened" event, as intake writes it: one insert for all of them.
    case_opened_events_insert(
        case_ids=[case.pk for case in cases],
        opener=DEMO_OPENER,
        opened_at=[case.created_at for case in cases],
    )
    claims = _claims_insert(data, cases)
    users = _users_create(clients)
    return DemoSummary(clients=len(clients), debtors=len(debtor_rows), cases=len(cases), claims=claims, users=users)


def _clients_insert(data: DemoDataset) -> dict[str, Client]:
    rows = Client.objects.bulk_create(
        Client(
            code=client.code,
            name=client.name,
            kind=client.kind,
            kvk_number=client.kvk_number,
            iban=client.iban,
            vat_deductible=client.vat_deductible,
            created_at=CREATED_AT,
        )
        for client in data.clients
    )
    return {client.code: client for client in rows}


# Each demo client's instructions differ, so the daily run shows what the processor agreement decides:
# the wholesaler lets the agency go to court without asking, the energy supplier wants to approve legal steps,
# the web shop allows letters and calls only.
_INSTRUCTIONS: dict[str, dict[str, object]] = {
    "wholesale": {"allowed_measures": None, "legal_steps_need_approval": False, "settlement_authority_bp": 1_000},
    "energy": {"allowed_measures": None, "legal_steps_need_approval": True, "settlement_authority_bp": 500},
    "webshop": {
        "allowed_measures": [
            "reminder_letter",
            "fourteen_day_letter",
            "demand_letter",
            "call",
            "email",
            "sms",
            "arrangement_offer",
            "review",
        ],
        "legal_steps_need_approval": True,
        "settlement_authority_bp": 0,
    },
}


def _instructions(code: str) -> dict[str, object]:
    return _INSTRUCTIONS.get(code, _INSTRUCTIONS["energy"])


ALL_MEASURES = [kind.value for kind in MeasureKind] + [LEGAL_STEPS]


def _agreements_insert(clients: dict[str, Client]) -> None:
    """A signed processor agreement and commission terms for every demo client (C-1)."""
    signed = REFERENCE_DATE - datetime.timedelta(days=400)
    agreements = []
    for code, client in clients.items():
        rules = _instructions(code)
        measures = rules["allowed_measures"]
        agreements.append(
            ProcessorAgreement(
                client=client,
                version=1,
                signed_on=signed,
                valid_from=signed,
                allowed_measures=ALL_MEASURES if measures is None else measures,
                legal_steps_need_approval=bool(rules["legal_steps_need_approval"]),
                settlement_authority_bp=int(str(rules["settlement_authority_bp"])),
                plan_max_months=12 if code != "wholesale" else 6,
                plan_min_instalment_cents=2_500 if code != "wholesale" else 25_000,
                created_at=CREATED_AT,
            )
        )
    ProcessorAgreement.objects.bulk_create(agreements)
    CommissionTerms.objects.bulk_create(
        CommissionTerms(
            client=client, valid_from=signed, commission_on_principal_bp=1_500, agency_share_of_interest_bp=5_000
        )
        for client in clients.values()
    )
    # Someone to write to at every client: a forwarded data-subject request, a breach notice or a statement goes
    # to the client's contacts with an e-mail address (on a reserved domain, so nothing reaches a real mailbox).
    ClientContact.objects.bulk_create(
        ClientContact(
            client=client,
            name=f"Privacy desk {client.name}",
            email=f"privacy@{code}.{DEMO_EMAIL_DOMAIN}",
            role="Functionaris gegevensbescherming",
            created_at=CREATED_AT,
        )
        for code, client in clients.items()
    )


def _debtors_insert(data: DemoDataset, clients: dict[str, Client]) -> list[Debtor]:
    # Each debtor's data key is issued up front in one insert; bulk_create then seals with it.
    keys = data_keys_issue(subject_type=Debtor._meta.label_lower, count=len(data.debtors))
    return Debtor.objects.bulk_create(
        (
            Debtor(
                data_key_id=key_id,
                client=clients[debtor.client_code],
                reference=debtor.reference,
                kind=debtor.kind,
                given_names=debtor.given_names,
                surname=debtor.surname,
                organisation_name=debtor.organisation_name,
                date_of_birth=debtor.date_of_birth,
                street=debtor.address.street,
                house_number=debtor.address.house_number,
                postcode=debtor.address.postcode,
                city=debtor.address.city,
                country="NL",
                email=debtor.email,
                phone=debtor.phone,
                iban=debtor.iban,
                kvk_number=debtor.kvk_number,
                created_at=CREATED_AT,
            )
            for debtor, (key_id, _cipher) in zip(data.debtors, keys, strict=True)
        ),
        batch_size=BATCH_SIZE,
    )


def _cases_insert(data: DemoDataset, clients: dict[str, Client], debtors: list[Debtor]) -> list[Case]:
    rows = []
    for case in data.cases:
        debtor = debtors[case.debtor_index]
        client = clients[case.client_code]
        if debtor.client_id != client.pk:
            # The generator only pairs a debtor with its own client; the demo must never show otherwise (C-2).
            raise RuntimeError(f"demo case {case.number} pairs a debtor with another client")
        created_at = datetime.datetime.combine(case.opened_on, datetime.time(9, 0), tzinfo=AMSTERDAM)
        rows.append(
            Case(
                client=client,
                debtor=debtor,
                number=case.number,
                stage=case.stage.value,
                closed_reason=case.closed_reason.value if case.closed_reason else None,
                opened_on=case.opened_on,
                closed_on=case.closed_on,
                interest_kind=case.interest_kind,
                created_at=created_at,
                legal_steps_approved_at=created_at + LEGAL_APPROVAL_AFTER if _approved(case) else None,
            )
        )
    return Case.objects.bulk_create(rows, batch_size=BATCH_SIZE)


def _approved(case: DemoCase) -> bool:
    """A case in court of a client who approves legal steps: the client approved them before it went there."""
    return case.stage in LEGAL_STAGES and bool(_instructions(case.client_code)["legal_steps_need_approval"])


def _claims_insert(data: DemoDataset, cases: list[Case]) -> int:
    # As the intake stores a claim: with its limitation date from the start (the demo's claims are contract claims).
    kind = Claim._meta.get_field("limitation_kind").get_default()
    rows = Claim.objects.bulk_create(
        (
            Claim(
                case=case,
                client_id=case.client_id,
                invoice_number=claim.invoice_number,
                invoice_date=claim.invoice_date,
                due_date=claim.due_date,
                principal_cents=claim.principal_cents,
                currency="EUR",
                description=claim.description,
                limitation_kind=kind,
                limitation_date=claim_limitation_date(due_date=claim.due_date, kind=kind, interrupted_on=None),
                created_at=case.created_at,
            )
            for case, spec in zip(cases, data.cases, strict=True)
            for claim in spec.claims
        ),
        batch_size=BATCH_SIZE,
    )
    return len(rows)


CONSUMER_TEAM_CLIENTS = ("energy", "webshop")


def _users_create(clients: dict[str, Client]) -> int:
    """A handful of log-ins, made through the accounts services so they get the same checks as real ones."""
    plan = demo_login_plan(client_codes=clients)
    # Need to know (P-7): the demo collector's team works the consumer clients only, not the wholesaler's cases.
    team = Team.objects.create(name="Team consumenten")
    team.clients.set([client for code, client in clients.items() if code in CONSUMER_TEAM_CLIENTS])
    for login in plan:
        user = user_create(
            email=login.username, password=DEMO_PASSWORD, roles=[login.role], full_name=f"Demo {login.role.label}"
        )
        if login.client_code is not None:
            client_membership_create(user=user, client=clients[login.client_code])
        if login.role is Role.COLLECTOR:
            team.members.add(user)
    return len(plan)
