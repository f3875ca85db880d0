"""Tenants never see each other's data (SPEC P-7): every door that names an object, asked for B's object by everyone
who is not B's.

Two clients (A and B), a team of collectors for each, a client user for each, a debtor of each logged in to the
portal, an API key of A, and one user of each staff role. For every URL pattern of the project that takes an
identifier (a pk, number, token or uuid; the API's routes included), each attempt below names B's object (or A's
case with B's object under it) and a set of callers:

* ``outside``: callers whose role may use the door but who may not see B's object. The answer is 403/404, never
  B's data; the refusal raises an ``outside_cases`` alert for the privacy officer (P-7: "access outside a user's
  cases");
* ``denied``: callers whose role or realm may not use the door at all (another portal, the read-only auditor on a
  write): 403/404/405 or the log-in page.

Both by GET and by POST (the test client does not check CSRF tokens). Nothing of the database changes for a refused
request (but the alert and the audit of the caller's own session), and nobody's refusal is audited as a read of B's
debtor. Then B's own user uses the same door, so a door that refused everybody for a wrong reason fails too.

The doors are read from the resolver: a new pattern with an identifier that is neither in ``DOORS`` nor in
``NOT_AN_OWNED_OBJECT`` fails ``test_every_door_with_an_identifier_is_covered``.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from incasso.accounts.factories import ClientMembershipFactory, UserFactory
from incasso.accounts.models import LockoutScope, LoginLockout, SecurityAlert, SecurityAlertKind
from incasso.accounts.roles import Role
from incasso.accounts.testing import make_staff, staff_login
from incasso.arrangements.models import Arrangement, ProposedBy
from incasso.audit.models import AuditEvent
from incasso.cases.models import StaffTask, TaskKind
from incasso.circumstances.services import vulnerability_flag_set
from incasso.complaints.models import ComplaintChannel
from incasso.complaints.services import complaint_submit
from incasso.debtor_portal.models import DisputeFile
from incasso.debtor_portal.tests.conftest import issue_code, owing_case, portal_login_post
from incasso.decisions.factories import StrategyVersionFactory, strategy_inputs
from incasso.decisions.services import decisions_decide_bulk
from incasso.intake.models import ImportBatch
from incasso.intake.services import api_key_create
from incasso.ledger.services import payment_receive, payout_create
from incasso.ledger.tests.conftest import eur
from incasso.parties.factories import ClientFactory
from incasso.paylinks.models import PaymentLink
from incasso.privacy.retention.holds import legal_hold_place
from incasso.rights.models import RequestChannel, RequestKind
from incasso.rights.services import Requester, requests_receive
from incasso.webhooks.services import webhook_endpoint_create

pytestmark = pytest.mark.django_db

B_MARKS = ("Zwartkop-Verborgen", "Andere Klant B.V.", "Geheime")
# Tables a refused request may still write: the alert it raises, the audit of it, the caller's session.
MAY_CHANGE = {"accounts_securityalert", "audit_auditevent", "audit_auditchainhead", "django_session"}
# Columns a refused request may still write: the caller's own API key's last use.
MAY_CHANGE_COLUMNS = {"intake_clientapikey": {"last_used_at"}}

# Who asks. ``*_a`` are A's; ``*_b`` B's own users (for the check that the door works for them).
STAFF = ("collector_a", "collector_b", "auditor", "finance", "privacy", "legal", "admin")
NOT_STAFF = ("client_a", "debtor_a")
NOT_CLIENT = ("collector_a", "debtor_a")
NOT_DEBTOR = ("client_a", "collector_a")


@dataclass(frozen=True)
class Attempt:
    """Asking for ``kwargs`` (values: keys of ``World.ids``; ``a.`` is A's, ``b.`` B's) as these callers."""

    kwargs: dict[str, str]
    outside: tuple[str, ...] = ()
    denied: tuple[str, ...] = ()
    methods: tuple[str, ...] = ("get", "post")


@dataclass(frozen=True)
class Door:
    """A URL pattern's attempts, and B's user who may use it with the first attempt's ``kwargs`` (``None``: the door
    reaches outside services, checked in its own tests)."""

    attempts: tuple[Attempt, ...]
    owner: str | None
    body: dict[str, str] = field(default_factory=dict)


def _case_door(
    extra: dict[str, str] | None = None,
    *,
    body: dict[str, str] | None = None,
    write: bool = True,
    roles_denied: tuple[str, ...] = (),
) -> Door:
    """A back-office door on B's case (and, with ``extra``, on B's object under it, also asked under A's case)."""
    denied = NOT_STAFF + (("auditor",) if write else ()) + roles_denied
    attempts = [Attempt({"case_id": "b.case", **(extra or {})}, outside=("collector_a",), denied=denied)]
    if extra:
        attempts.append(Attempt({"case_id": "a.case", **extra}, outside=("collector_a",)))
    return Door(tuple(attempts), owner="collector_b", body=body or {})


def _client_door(kwargs: dict[str, str], body: dict[str, str] | None = None) -> Door:
    return Door((Attempt(kwargs, outside=("client_a",), denied=NOT_CLIENT),), owner="client_b", body=body or {})


def _debtor_door(
    extra: dict[str, str] | None = None, *, body: dict[str, str] | None = None, owner: str | None = "debtor_b"
) -> Door:
    attempts = [Attempt({"case_id": "b.case", **(extra or {})}, outside=("debtor_a",), denied=NOT_DEBTOR)]
    if extra:
        attempts.append(Attempt({"case_id": "a.case", **extra}, outside=("debtor_a",)))
    return Door(tuple(attempts), owner=owner, body=body or {})


def _role_door(kwargs: dict[str, str], owner: str, denied: tuple[str, ...], body: dict[str, str] | None = None) -> Door:
    """A door for some staff roles only, on an object of the agency (not of a client): refused by role."""
    return Door((Attempt(kwargs, denied=denied + NOT_STAFF),), owner=owner, body=body or {})


ADMIN_ONLY = ("collector_a", "auditor", "finance", "privacy", "legal")
STRATEGY = {"code": "b.strategy", "version": "b.strategy_version"}
SOON = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()

DOORS: dict[str, Door] = {
    # --- the back office: B's case and what hangs under it ---
    "backoffice:case-detail": _case_door(write=False),
    "backoffice:case-move": _case_door(body={"to": "formal_demand", "reason": "x"}),
    "backoffice:case-note": _case_door(body={"text": "sneaky"}),
    "backoffice:case-promise": _case_door(body={"amount": "10.00", "due_on": SOON}),
    "backoffice:case-decision-review": _case_door({"decision_id": "b.decision"}, body={"outcome": "x"}),
    "backoffice:case-arrangement-decide": _case_door(
        {"arrangement_id": "b.arrangement"}, body={"decision": "reject", "reason": "x"}
    ),
    "backoffice:case-situation": _case_door(
        body={
            "source": "debtor_statement",
            "obtained_on": "2026-01-15",
            "purpose": "debt_collection",
            "legal_basis": "6(1)(f)",
            "net_income": "1500.00",
        },
        roles_denied=("finance", "privacy", "admin"),
    ),
    "backoffice:case-flag": _case_door(
        body={"reason": "debt_counselling"}, roles_denied=("finance", "privacy", "admin")
    ),
    "backoffice:case-flag-lift": Door(
        (
            Attempt(
                {"case_id": "b.case", "flag_id": "b.flag"}, outside=("collector_a",), denied=(*NOT_STAFF, "auditor")
            ),
        ),
        owner="collector_b",
    ),
    "backoffice:case-portal-unlock": _case_door(roles_denied=("finance", "privacy", "legal")),
    "backoffice:letter-pdf": _case_door({"letter_id": "b.letter"}, write=False),
    "backoffice:dispute-file": _case_door({"file_id": "b.dispute_file"}, write=False),
    "backoffice:case-letter-send": _case_door(
        body={"kind": "reminder_letter", "language": "nl"}, roles_denied=("finance", "privacy")
    ),
    "backoffice:task-work": Door(
        (Attempt({"task_id": "b.task"}, outside=("collector_a",), denied=(*NOT_STAFF, "auditor")),),
        owner="collector_b",
        body={"outcome": "done", "done": "1"},
    ),
    "backoffice:complaint-detail": Door(
        (
            Attempt({"complaint_id": "b.complaint"}, outside=("collector_a",), denied=NOT_STAFF),
            Attempt({"complaint_id": "b.complaint"}, denied=("auditor",), methods=("post",)),
        ),
        owner="collector_b",
        body={"answer": "x", "close": "on"},
    ),
    # --- the back office: the agency's own objects, by role ---
    "backoffice:unmatched-match": _role_door(
        {"entry_id": "b.entry"}, "finance", ("collector_a", "auditor", "privacy", "legal"), {"case_number": "b.number"}
    ),
    "backoffice:payout-statement": _role_door(
        {"payout_id": "b.payout", "file_format": "csv"}, "finance", ("collector_a", "privacy", "legal")
    ),
    "backoffice:payout-credit-transfer": _role_door(
        {"payout_id": "b.payout"}, "finance", ("collector_a", "privacy", "legal")
    ),
    "backoffice:security-alert-acknowledge": _role_door(
        {"alert_id": "b.alert"}, "privacy", ("collector_a", "auditor", "finance", "legal", "admin")
    ),
    "backoffice:lockout-lift": _role_door({"lockout_id": "b.lockout"}, "admin", ADMIN_ONLY),
    "backoffice:user-edit": _role_door({"user_id": "b.user"}, "admin", ADMIN_ONLY),
    "backoffice:user-otp-reset": _role_door({"user_id": "b.user"}, "admin", ADMIN_ONLY),
    "backoffice:audit-log-entry": _role_door(
        {"sequence": "b.audit_entry"}, "privacy", ("collector_a", "finance", "legal")
    ),
    "backoffice:legal-hold-release": _role_door({"hold_id": "b.hold"}, "legal", ("collector_a", "auditor", "finance")),
    "backoffice:strategy-version": _role_door(STRATEGY, "admin", ADMIN_ONLY),
    "backoffice:strategy-version-new": _role_door(STRATEGY, "admin", ADMIN_ONLY),
    "backoffice:strategy-version-backtest": _role_door(STRATEGY, "admin", ADMIN_ONLY),
    "backoffice:strategy-version-activate": _role_door(STRATEGY, "admin", ADMIN_ONLY),
    "backoffice:strategy-version-challenger": _role_door(STRATEGY, "admin", ADMIN_ONLY),
    "backoffice:strategy-challenger-stop": _role_door(STRATEGY, "admin", ADMIN_ONLY),
    "rights:staff_detail": _role_door({"pk": "b.rights_request"}, "privacy", ("collector_a", "finance", "legal")),
    "rights:staff_action": _role_door(
        {"pk": "b.rights_request", "action": "verify"},
        "privacy",
        ("collector_a", "finance", "legal", "admin", "auditor"),
        {"note": "x"},
    ),
    # --- the client portal: B's case and B's objects ---
    "client_portal:case": _client_door({"number": "b.number"}),
    "client_portal:legal-steps": _client_door({"number": "b.number"}, {"decision": "approve", "reason": "x"}),
    "client_portal:import": _client_door({"batch_id": "b.batch"}),
    "client_portal:payout-statement": _client_door({"payout_id": "b.payout", "file_format": "csv"}),
    "client_portal:api-key-revoke": _client_door({"key_id": "b.api_key"}),
    "client_portal:webhook-disable": _client_door({"endpoint_id": "b.webhook"}),
    # --- the debtor portal: B's debtor's case and what hangs under it ---
    "debtor_portal:case": _debtor_door(),
    "debtor_portal:letter": _debtor_door({"letter_id": "b.letter"}),
    "debtor_portal:pay": _debtor_door(body={"method": "ideal", "what": "total"}, owner=None),  # the provider
    "debtor_portal:checkout": _debtor_door({"link_id": "b.payment_link"}),
    "debtor_portal:plan": _debtor_door(body={"months": "3", "first_due": SOON}),
    "debtor_portal:dispute": _debtor_door(body={"reason": "x", "text": "x"}),
    "debtor_portal:question": _debtor_door(body={"text": "x", "message": "x"}),
    "debtor_portal:complaint": _debtor_door(body={"text": "x", "message": "x"}),
    "debtor_portal:decision-review": _debtor_door({"decision_id": "b.decision"}, body={"reason": "x"}),
    # --- the API (django-ninja): an API key, client users, debtors and staff ---
    "api-v1:case_detail": Door(
        (Attempt({"number": "b.number"}, outside=("api_key_a", "client_a", "debtor_a", "collector_a")),),
        owner="client_b",
    ),
}

# Patterns whose identifier names nothing that belongs to a client, team or debtor, with why.
NOT_AN_OWNED_OBJECT = {
    "backoffice:queue": "a queue's name, the same for every user; its rows come from access_cases (test_isolation)",
    "privacy-statement-version": "a published privacy statement: public, the same for everybody",
    "newsletter-confirm": "the token is the credential (a signed, expiring link to one address); consent tests",
    "newsletter-unsubscribe": "the token is the credential (a signed link to one address); consent tests",
    "rights:public_verify": "a request's random intake key is the credential, with a code sent to the requester",
    "rights:export_download": "a signed, expiring export token is the credential (rights tests)",
    "rights:export_download_format": "a signed, expiring export token is the credential (rights tests)",
}


def _walk(
    patterns: list[URLPattern | URLResolver],
    prefix: str,
    namespace: str,
    skipped: tuple[str, ...] = ("admin/", "static/", "media/"),
) -> Iterator[tuple[str, str]]:
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, route, inner, skipped)
        elif entry.name and not route.startswith(skipped):
            yield f"{namespace}{entry.name}", route


def doors_with_an_identifier() -> set[str]:
    """Every named pattern (the API's included) with a parameter in its path."""
    return {name for name, route in _walk(get_resolver().url_patterns, "", "") if "<" in route}


def test_every_door_with_an_identifier_is_covered() -> None:
    found = doors_with_an_identifier()
    assert {"api-v1:case_detail", "backoffice:case-detail", "client_portal:case", "debtor_portal:letter"} <= found
    uncovered = found - set(DOORS) - set(NOT_AN_OWNED_OBJECT)
    assert not uncovered, f"add these URL patterns to DOORS (or NOT_AN_OWNED_OBJECT, saying why): {sorted(uncovered)}"
    gone = (set(DOORS) | set(NOT_AN_OWNED_OBJECT)) - found
    assert not gone, f"these patterns are gone: {sorted(gone)}"


@dataclass
class World:
    http: dict[str, HttpClient]
    ids: dict[str, str]
    b_debtor_id: int


def _role(user: User, role: Role) -> User:
    user.groups.add(Group.objects.get(name=role))
    return user


def _side(client, collector: User, number: str, surname: str, code: str) -> dict[str, object]:
    """A client's case with everything a door can name under it."""
    today = timezone.localdate()
    case = owing_case(client, number=number, surname=surname)
    letter = issue_code(case, code=code)
    decision = decisions_decide_bulk(inputs=[strategy_inputs(case)], on=today)[case.pk]
    arrangement = Arrangement.objects.create(
        case=case,
        proposed_by=ProposedBy.DEBTOR,
        total_cents=12_000,
        months=4,
        instalment_cents=3_000,
        first_due=today + datetime.timedelta(days=7),
    )
    flag = vulnerability_flag_set(actor=collector, debtor=case.debtor, reason="debt_counselling", source="test")
    upload = DisputeFile.objects.create(
        case=case,
        original_name="bon.pdf",
        content_type="application/pdf",
        size_bytes=4,
        sha256=hashlib.sha256(b"%PDF").hexdigest(),
        stored_path=f"disputes/{number}.pdf",
    )
    link = PaymentLink.objects.create(
        case=case,
        provider_payment_id=f"tr_{number}",
        amount_cents=1000,
        method="ideal",
        checkout_url="https://pay.example.test/checkout",
    )
    task = StaffTask.objects.create(case=case, kind=TaskKind.DISPUTE, title="Geheime betwisting", due_on=today)
    complaint = complaint_submit(case=case, text="Geheime klacht", channel=ComplaintChannel.EMAIL, source="test")
    payment_receive(case_id=case.pk, amount=eur("100.00"), received_on=case.opened_on, key=f"p-{number}", source="t")
    payout = payout_create(
        client_id=client.pk, period_start=case.opened_on, period_end=case.opened_on, key=f"po-{number}"
    )
    batch = ImportBatch.objects.create(client=client, source="csv", file_format="csv", filename=f"{surname}.csv")
    key, _secret = api_key_create(client=client, name=surname)
    endpoint, _secret = webhook_endpoint_create(client=client, url=f"https://hooks.example.test/{number}")
    return {
        "case": case,
        "number": case.number,
        "letter": letter,
        "decision": decision,
        "arrangement": arrangement,
        "flag": flag,
        "dispute_file": upload,
        "payment_link": link,
        "task": task,
        "complaint": complaint,
        "payout": payout,
        "batch": batch,
        "api_key": key,
        "webhook": endpoint,
    }


@pytest.fixture
def world(settings, tmp_path) -> World:
    settings.INCASSO_MEDIA_DIR = tmp_path / "media"
    (tmp_path / "media" / "disputes").mkdir(parents=True)
    a_client = ClientFactory(code="a", name="Eerste Klant B.V.")
    b_client = ClientFactory(code="b", name="Andere Klant B.V.")
    users = {
        "collector_a": make_staff("collector-a@example.com", Role.COLLECTOR, clients=(a_client,)),
        "collector_b": make_staff("collector-b@example.com", Role.COLLECTOR, clients=(b_client,)),
        "auditor": make_staff("auditor@example.com", Role.AUDITOR),
        "finance": make_staff("finance@example.com", Role.FINANCE),
        "privacy": make_staff("privacy@example.com", Role.PRIVACY_OFFICER),
        "legal": make_staff("legal@example.com", Role.LEGAL_OFFICER),
        "admin": make_staff("admin@example.com", Role.ADMINISTRATOR),
    }
    a = _side(a_client, users["collector_a"], "2026-000101", "Eerstman", "ABCD2345")
    b = _side(b_client, users["collector_b"], "2026-000202", "Zwartkop-Verborgen", "WXYZ6789")
    http = {name: HttpClient() for name in (*users, "client_a", "client_b", "debtor_a", "debtor_b", "api_key_a")}
    for name, user in users.items():
        staff_login(http[name], user)
    for name, client in (("client_a", a_client), ("client_b", b_client)):
        user = _role(UserFactory(username=f"{name}@example.com"), Role.CLIENT_USER)
        ClientMembershipFactory(user=user, client=client)
        http[name].force_login(user)
    assert portal_login_post(http["debtor_a"], str(a["number"]), code="ABCD2345").status_code == 302
    assert portal_login_post(http["debtor_b"], str(b["number"]), code="WXYZ6789", ip="10.0.0.2").status_code == 302
    _key, secret = api_key_create(client=a_client, name="a-main")
    http["api_key_a"].defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    version = StrategyVersionFactory()
    b_case = b["case"]
    extra = {
        "entry": _unmatched_entry_id(),
        "alert": SecurityAlert.objects.create(kind=SecurityAlertKind.MASS_READ, user=users["collector_b"]).pk,
        "lockout": LoginLockout.objects.create(
            scope=LockoutScope.USERNAME,
            value="b@example.com",
            failures=9,
            locked_until=timezone.now() + datetime.timedelta(days=1),
        ).pk,
        "user": users["collector_b"].pk,
        "audit_entry": AuditEvent.objects.filter(subject_type="parties.Debtor", subject_id=str(b_case.debtor_id))
        .order_by("-sequence")
        .values_list("sequence", flat=True)[0],
        "hold": legal_hold_place(placed_by=users["legal"], reason="court", case=b_case).pk,
        "strategy": version.strategy.code,
        "strategy_version": version.version,
        "rights_request": requests_receive(
            kind=RequestKind.ACCESS,
            channel=RequestChannel.WEB_FORM,
            requester=Requester(name="Eva", email="eva@example.com"),
            actor="test",
        )[0].pk,
    }
    ids = {f"a.{k}": _id(v) for k, v in a.items()} | {f"b.{k}": _id(v) for k, v in {**b, **extra}.items()}
    return World(http=http, ids=ids, b_debtor_id=b_case.debtor_id)


def _id(value: object) -> str:
    return str(getattr(value, "pk", value))


def _unmatched_entry_id() -> int:
    import io

    from incasso.payments.models import EntryStatus, StatementEntry
    from incasso.payments.services import statement_import
    from incasso.payments.tests.conftest import camt, camt_entry

    statement_import(stream=io.BytesIO(camt(camt_entry("75.50", ref="U-1", ustrd="geen kenmerk"))), filename="s.xml")
    return StatementEntry.objects.get(status=EntryStatus.UNMATCHED).pk


def _url(name: str, kwargs: dict[str, str], world: World) -> str:
    return reverse(name, kwargs={kwarg: world.ids.get(value, value) for kwarg, value in kwargs.items()})


def _body(door: Door, world: World) -> dict[str, str]:
    return {name: world.ids.get(value, value) for name, value in door.body.items()}


def _fingerprint() -> dict[str, str]:
    """Every table's rows as stored (raw SQL: sealed values are compared sealed), but those a refusal may write."""
    with connection.cursor() as cursor:
        tables = sorted(set(connection.introspection.table_names(cursor)) - MAY_CHANGE)
        prints = {}
        for table in tables:
            skipped = MAY_CHANGE_COLUMNS.get(table, set())
            columns = [
                connection.ops.quote_name(column.name)
                for column in connection.introspection.get_table_description(cursor, table)
                if column.name not in skipped
            ]
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT {', '.join(columns)} FROM {quoted}")  # noqa: S608 - names from the schema
            rows = sorted(repr(row) for row in cursor.fetchall())
            prints[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return prints


def _refused(response: object, who: str, what: str) -> None:
    status = response.status_code
    if status == 302:  # not logged in to this realm: to its log-in page, nothing shown
        login_pages = (reverse("login"), reverse("debtor_portal:login"))
        assert response["Location"].split("?")[0] in login_pages, f"{what} as {who}: to {response['Location']}"
        return
    assert status in {403, 404, 405}, f"{what} as {who}: {status}"
    content = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    assert not any(mark.encode() in content for mark in B_MARKS), f"{what} as {who} shows B's data"


@pytest.mark.parametrize("name", sorted(DOORS), ids=str)
def test_b_s_object_is_refused_to_everybody_else_and_served_to_b(name: str, world: World) -> None:
    door = DOORS[name]
    before, audited = _fingerprint(), AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True)[0]
    for attempt in door.attempts:
        url = _url(name, attempt.kwargs, world)
        for who in (*attempt.outside, *attempt.denied):
            alerts = SecurityAlert.objects.filter(kind=SecurityAlertKind.OUTSIDE_CASES).count()
            for method in attempt.methods:
                response = getattr(world.http[who], method)(url, data=_body(door, world) if method == "post" else None)
                _refused(response, who, f"{method.upper()} {url}")
            if who in attempt.outside:
                raised = SecurityAlert.objects.filter(kind=SecurityAlertKind.OUTSIDE_CASES).count() - alerts
                assert raised >= 1, f"{url} as {who}: no alert for access outside the caller's cases"
    after = _fingerprint()
    changed = sorted(table for table in before if before[table] != after.get(table))
    assert not changed, f"{name}: a refused request changed {changed}"
    read = AuditEvent.objects.filter(
        sequence__gt=audited, subject_type="parties.Debtor", subject_id=str(world.b_debtor_id)
    )
    assert not read.exists(), f"{name}: a refusal was audited as a read of B's debtor"
    if door.owner is not None:
        _b_uses_it(name, door, world)


def _b_uses_it(name: str, door: Door, world: World) -> None:
    """B's own user gets through the same door with the same object (so the refusals above were about the caller)."""
    url = _url(name, door.attempts[0].kwargs, world)
    http = world.http[door.owner or ""]
    response = http.get(url)
    if response.status_code == 405:
        response = http.post(url, data=_body(door, world))
    # 400/409/422: the door took the request and refused what it asked (an empty form, a letter that cannot render).
    assert response.status_code in {200, 302, 400, 409, 422}, f"{url} as {door.owner}: {response.status_code}"
    if response.status_code == 302:
        login_pages = (reverse("login"), reverse("debtor_portal:login"))
        assert response["Location"].split("?")[0] not in login_pages, f"{url} as {door.owner}: sent to log in"


def test_the_django_admin_is_closed_to_every_role_and_portal(world: World) -> None:
    """The admin's object pages (``admin/``, left out above) are for superusers only (Django's ``is_staff``), who
    see every tenant anyway: no role, client user or debtor gets past its log-in page."""
    change_pages = [
        name
        for name, route in _walk(get_resolver().url_patterns, "", "", skipped=())
        if route.startswith("admin/") and name.endswith("_change") and "<path:object_id>" in route
    ]
    assert len(change_pages) > 10
    admin_login = reverse("admin:login")
    for name in change_pages:
        url = reverse(name, kwargs={"object_id": world.ids["b.case"]})
        for who in ("collector_a", "admin", "client_a", "debtor_a"):
            response = world.http[who].get(url)
            assert response.status_code == 302 and response["Location"].startswith(admin_login), (url, who)
