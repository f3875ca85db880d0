"""Every HTML door fed malformed and hostile input, as a user who may use it (the API has its own fuzz test).

The doors are not written down here: they are read from the URL resolver (everything but the admin, the API and
static files), so a new page is fuzzed the day it is added. For each door, as its user:

* path parameters filled with the user's own object and with hostile ones (0, 2**63, a stranger's object, text
  that is not what the converter expects, NUL bytes, invalid UTF-8 escapes);
* GETs with hostile query strings (non-numeric and negative pages, impossible dates, markup, long values);
* POSTs with hostile bodies (empty, wrong types, 100 kB, NUL bytes, "1e9999", "NaN", duplicated keys, files that
  are not what they claim).

Never a 5xx, never a traceback; a body every form refuses changes no row; another client's or debtor's object
answers 403/404 and never shows.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, SlugConverter, UUIDConverter
from django.utils import timezone

from incasso.accounts.factories import ClientMembershipFactory, UserFactory
from incasso.accounts.models import LockoutScope, LoginLockout, SecurityAlert, SecurityAlertKind
from incasso.accounts.roles import Role
from incasso.accounts.testing import make_staff, staff_login
from incasso.arrangements.models import Arrangement
from incasso.audit.verification import audit_chain_verify
from incasso.backoffice.models import CaseNote
from incasso.cases.models import Case, Claim
from incasso.circumstances.models import VulnerabilityFlag
from incasso.complaints.models import Complaint, ComplaintChannel
from incasso.complaints.services import complaint_submit
from incasso.debtor_portal.models import ContactChange, DisputeFile
from incasso.debtor_portal.tests.conftest import issue_code, owing_case, portal_login_post
from incasso.intake.models import ClientApiKey, ImportBatch
from incasso.intake.services import api_key_create
from incasso.ledger.models import Payout
from incasso.ledger.services import payment_receive, payout_create
from incasso.ledger.tests.conftest import eur
from incasso.parties.factories import ClientFactory
from incasso.parties.models import Debtor
from incasso.privacy.models import LegalHold
from incasso.privacy.retention.holds import legal_hold_place
from incasso.rights.models import RequestChannel, RequestKind, RightsRequest
from incasso.rights.services import Requester, requests_receive
from incasso.webhooks.models import WebhookEndpoint

pytestmark = pytest.mark.django_db

SKIPPED_PREFIXES = ("admin/", "api/", "static/", "media/")
STRANGER_MARKS = ("2026-000202", "Zwartkop-Verborgen")
STAFF_ROLES = (Role.COLLECTOR, Role.LEGAL_OFFICER, Role.PRIVACY_OFFICER, Role.FINANCE, Role.ADMINISTRATOR)
LONG = "x" * 100_000


@dataclass(frozen=True)
class Door:
    """One URL pattern: its name (``namespace:name``), its route with converters, and its parameters."""

    name: str
    route: str
    params: tuple[tuple[str, str], ...]  # (kwarg, converter kind: int, str, slug or uuid)

    def __str__(self) -> str:
        return self.name


def _converter_kind(converter: object) -> str:
    """Django's converter kinds; a project converter is fuzzed as the kind it narrows."""
    for kind, base in (("int", IntConverter), ("uuid", UUIDConverter), ("slug", SlugConverter)):
        if isinstance(converter, base):
            return kind
    return "str"


def _walk(patterns: list[URLPattern | URLResolver], prefix: str, namespace: str, params: tuple) -> Iterator[Door]:
    for entry in patterns:
        route = prefix + str(entry.pattern)
        converters = tuple((k, _converter_kind(c)) for k, c in getattr(entry.pattern, "converters", {}).items())
        if route.startswith(SKIPPED_PREFIXES):
            continue
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, route, inner, params + converters)
        elif entry.name:
            yield Door(f"{namespace}{entry.name}", route, params + converters)


def project_doors() -> list[Door]:
    """Every named URL pattern of the project but the admin, the API and static files, by name."""
    doors = {door.name: door for door in _walk(get_resolver().url_patterns, "", "", ())}
    return sorted(doors.values(), key=lambda door: door.name)


DOORS = project_doors()

# Sentinels reversed into the URL and then replaced by the value under test (reverse refuses hostile values).
SENTINEL = {"int": "987654321", "str": "SENTINELSTR", "slug": "sentinel-slug", "uuid": str(uuid.UUID(int=987654321))}
HOSTILE_PATH = {
    "int": ["0", "-1", str(2**63), str(2**31), "99999999", "1e3", "abc"],
    "str": ["%00", "a%00b", "%ff%fe", "%3Cscript%3E", "x" * 2000, "..%2F..%2Fetc", "0", "-1"],
    "slug": ["nope", "x" * 500],
    "uuid": [str(uuid.uuid4()), "not-a-uuid"],
}
HOSTILE_QUERIES = [
    "page=abc&page=-1&page=0&page=99999999999999999999&closed=%00&paid=1e9999",
    "date=2026-02-30&from=2026-13-01&until=-0&months=NaN&first_due=2026-02-30&sort=%27%3B--&download=%00",
    "q=%3Cscript%3Ealert(1)%3C%2Fscript%3E&stage=%00&status=nope&lang=%ff%fe&next=%2F%2Fevil.example",
    f"q={'y' * 5000}&months=1e9999&first_due=0000-00-00&next=javascript:alert(1)",
    "q=%00&lang=en&months=-1&first_due=1&%ff=%fe",
]
# Every field name any HTML form of the project has, so each hostile body reaches every form's fields.
FIELDS = [
    "text",
    "to",
    "closed_reason",
    "reason",
    "outcome",
    "done",
    "net_income",
    "household",
    "living_situation",
    "other_debts",
    "attachments",
    "source",
    "source_reference",
    "obtained_on",
    "purpose",
    "legal_basis",
    "note",
    "answer",
    "close",
    "roles",
    "teams",
    "email",
    "full_name",
    "password",
    "active",
    "case_number",
    "until",
    "invoice_number",
    "invoice_date",
    "due_date",
    "amount",
    "description",
    "debtor_reference",
    "debtor_kind",
    "given_names",
    "surname",
    "organisation_name",
    "street",
    "house_number",
    "postcode",
    "city",
    "decision",
    "status",
    "q",
    "stage",
    "name",
    "url",
    "events",
    "instruction",
    "request",
    "code",
    "second_factor",
    "months",
    "first_due",
    "method",
    "subject",
    "message",
    "kind",
    "phone",
    "token",
    "accept",
    "action",
    "consent",
    "version",
    "analytics_cookies",
    "analytics_cookies_version",
    "marketing_cookies",
    "marketing_cookies_version",
    "username",
    "next",
]


def _body(value: object) -> dict[str, object]:
    return dict.fromkeys(FIELDS, value)


# (label, body, whether every form must refuse it)
HOSTILE_BODIES: list[tuple[str, dict[str, object], bool]] = [
    ("empty", {}, True),
    ("nul", _body("a\x00b"), True),
    ("1e9999", _body("1e9999"), False),
    ("nan", _body("NaN"), False),
    ("minus-zero", _body("-0"), False),
    ("thousands", _body("12,345.678"), False),
    ("bad-date", _body("2026-02-30"), False),
    ("long", _body(LONG), False),
    ("markup", _body("<script>alert(1)</script>"), False),
    ("duplicated", _body(["1", "abc", "2026-02-30"]), False),
    ("huge-int", _body(str(2**63)), False),
    (
        "cookie-choice",
        {
            "action": "choose",
            "analytics_cookies": "on",
            "analytics_cookies_version": "\u00b2",
            "marketing_cookies_version": str(2**64),
        },
        False,
    ),
    ("unicode-digits", _body("\u00b2\u0661"), False),  # "2" superscript and Arabic-Indic one: isdigit() yet not int()
]


# A body every form could accept (each field a plausible value of its kind), to reach the services behind the
# forms with one kind of value pushed to its edge.
PLAUSIBLE = {
    **dict.fromkeys(FIELDS, "plain words"),
    **{"to": "formal_demand", "closed_reason": "", "reason": "debt_counselling", "done": "1", "decision": "approve"},
    **{"household": "single", "living_situation": "", "source": "debtor_statement", "purpose": "debt_collection"},
    **{"legal_basis": "6(1)(f)", "kind": "access", "debtor_kind": "consumer", "method": "ideal", "status": "open"},
    **{
        "email": "edge@example.com",
        "url": "https://example.com/hook",
        "case_number": "2026-000101",
        "code": "ABCD2345",
    },
    **{"second_factor": "1012 AB", "postcode": "1012 AB", "action": "choose", "consent": "on", "version": "1"},
    **{"roles": "collector", "teams": "", "active": "on", "close": "on", "stage": "", "q": "", "request": "1"},
    **{"amount": "10.00", "net_income": "1500.00", "months": "3", "other_debts": "1", "attachments": "0"},
    **{"invoice_date": "2026-01-01", "due_date": "2026-02-01", "obtained_on": "2026-01-15", "until": "2026-12-31"},
    **{"first_due": "2026-12-01", "password": "a long enough password 1!", "next": "/"},
}
DATE_FIELDS = ("invoice_date", "due_date", "obtained_on", "until", "first_due")
AMOUNT_FIELDS = ("amount", "net_income")
COUNT_FIELDS = ("months", "other_debts", "attachments")
EDGES: list[tuple[str, dict[str, object]]] = [
    ("far-future", {**PLAUSIBLE, **dict.fromkeys(DATE_FIELDS, "9999-12-31")}),
    ("distant-past", {**PLAUSIBLE, **dict.fromkeys(DATE_FIELDS, "0001-01-01")}),
    (
        "huge",
        {**PLAUSIBLE, **dict.fromkeys(AMOUNT_FIELDS, "9999999999.99"), **dict.fromkeys(COUNT_FIELDS, "2147483648")},
    ),
    ("tiny", {**PLAUSIBLE, **dict.fromkeys(AMOUNT_FIELDS, "0.001"), **dict.fromkeys(COUNT_FIELDS, "0")}),
    ("exponent", {**PLAUSIBLE, **dict.fromkeys(AMOUNT_FIELDS, "1E+2"), **dict.fromkeys(COUNT_FIELDS, "1.0")}),
]


def _files() -> list[tuple[str, dict[str, object]]]:
    """Uploads that are not what they claim: an image called .csv, garbage called .pdf, NUL bytes, nothing."""
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    return [
        ("png-as-csv", {"file": SimpleUploadedFile("claims.csv", png, content_type="text/csv"), "reason": "r"}),
        ("junk-as-pdf", {"file": SimpleUploadedFile("x.pdf", b"%PDF-junk\x00\xff", content_type="application/pdf")}),
        ("xml-bomb", {"file": SimpleUploadedFile("c.xml", b"<!DOCTYPE a [<!ENTITY a 'aaaa'>]><a>&a;&a;</a>")}),
        ("empty-file", {"file": SimpleUploadedFile("empty.csv", b"", content_type="text/csv"), "reason": "r"}),
        ("no-file", {"file": "not a file", "reason": "r"}),
    ]


def _payout_made(case: Case) -> Payout:
    """A payout to the case's client of a payment on the case (its statement names the case)."""
    payment_receive(case_id=case.pk, amount=eur("100.00"), received_on=case.opened_on, key=f"p-{case.pk}", source="t")
    return payout_create(
        client_id=case.client_id, period_start=case.opened_on, period_end=case.opened_on, key=f"po-{case.pk}"
    )


@dataclass
class World:
    """Two clients with a case each; the users of each door; objects the doors take as parameters."""

    http: dict[str, HttpClient]
    own: dict[str, str]
    stranger: dict[str, str]


@pytest.fixture
def world(settings, tmp_path) -> World:
    settings.INCASSO_MEDIA_DIR = tmp_path / "media"
    ours = ClientFactory(code="ours", name="Onze Klant B.V.")
    theirs = ClientFactory(code="theirs", name="Andere Klant B.V.")
    our_case = owing_case(ours, number="2026-000101")
    their_case = owing_case(theirs, number="2026-000202", surname="Zwartkop-Verborgen")
    our_letter, their_letter = issue_code(our_case), issue_code(their_case, code="WXYZ6789")
    boss = make_staff("boss@example.com", *STAFF_ROLES, clients=(ours, theirs))
    collector = make_staff("collector@example.com", Role.COLLECTOR, clients=(ours,))
    client_user = UserFactory(username="client@example.com")
    client_user.groups.add(Group.objects.get(name=Role.CLIENT_USER))
    ClientMembershipFactory(user=client_user, client=ours)
    http = {name: HttpClient() for name in ("anonymous", "boss", "collector", "client", "debtor")}
    staff_login(http["boss"], boss)
    staff_login(http["collector"], collector)
    http["client"].force_login(client_user)
    assert portal_login_post(http["debtor"], our_case.number).status_code == 302
    complaint = complaint_submit(case=our_case, text="Te hoog", channel=ComplaintChannel.EMAIL, source="test")
    their_complaint = complaint_submit(case=their_case, text="Nee", channel=ComplaintChannel.EMAIL, source="test")
    rights = requests_receive(
        kind=RequestKind.ACCESS,
        channel=RequestChannel.WEB_FORM,
        requester=Requester(name="Eva", email="eva@example.com"),
        actor="test",
    )[0]
    key, _secret = api_key_create(client=ours, name="main")
    their_key, _secret = api_key_create(client=theirs, name="theirs")
    hold = legal_hold_place(placed_by=boss, reason="court", case=our_case)
    lockout = LoginLockout.objects.create(
        scope=LockoutScope.USERNAME, value="x@example.com", failures=9, locked_until=timezone.now() + timedelta(1)
    )
    alert = SecurityAlert.objects.create(kind=SecurityAlertKind.MASS_READ, user=collector)
    batch, their_batch = (
        ImportBatch.objects.create(client=client, source="csv", file_format="csv", filename=name)
        for client, name in ((ours, "ours.csv"), (theirs, "Zwartkop-Verborgen.csv"))
    )
    payout, their_payout = (_payout_made(case) for case in (our_case, their_case))
    own = {
        "case_id": str(our_case.pk),
        "number": our_case.number,
        "letter_id": str(our_letter.pk),
        "complaint_id": str(complaint.pk),
        "user_id": str(collector.pk),
        "hold_id": str(hold.pk),
        "alert_id": str(alert.pk),
        "lockout_id": str(lockout.pk),
        "key_id": str(key.pk),
        "batch_id": str(batch.pk),
        "payout_id": str(payout.pk),
        "pk": str(rights.pk),
        "intake_key": str(rights.intake_key),
        "key": "due-today",
        "action": "verify",
        "fmt": "json",
        "file_format": "csv",
        "token": "not-a-token",
    }
    stranger = {
        "case_id": str(their_case.pk),
        "number": their_case.number,
        "letter_id": str(their_letter.pk),
        "complaint_id": str(their_complaint.pk),
        "key_id": str(their_key.pk),
        "batch_id": str(their_batch.pk),
        "payout_id": str(their_payout.pk),
    }
    return World(http=http, own=own, stranger=stranger)


# Pages for anybody logged in (a client user may set up a second factor too).
LOGGED_IN_DOORS = {"second-factor-setup", "second-factor-verify", "confidentiality"}
REALMS = {"boss": "staff", "collector": "staff", "client": "client", "debtor": "debtor", "anonymous": "public"}


def _user_of(door: Door) -> str:
    """Who may use the door: the namespace decides; the public pages are for anybody."""
    if door.name.startswith(("backoffice:", "rights:staff")) or door.name in LOGGED_IN_DOORS | {"privacy-register"}:
        return "boss"
    if door.name.startswith("client_portal:"):
        return "client"
    if door.name.startswith("debtor_portal:") and door.name != "debtor_portal:login":
        return "debtor"
    return "anonymous"


def _url(door: Door, values: dict[str, str]) -> str:
    """The door's URL with ``values`` (raw, already percent-encoded) in its parameters."""
    sentinels = {kwarg: SENTINEL[kind] for kwarg, kind in door.params}
    url = reverse(door.name, kwargs=sentinels) if sentinels else reverse(door.name)
    for kwarg, kind in door.params:
        url = url.replace(SENTINEL[kind], values.get(kwarg, "1" if kind == "int" else SENTINEL[kind]), 1)
    return url


def _own_values(door: Door, world: World) -> dict[str, str]:
    values = {}
    for kwarg, kind in door.params:
        if kwarg == "number" and kind == "int":
            values[kwarg] = "1"  # a privacy-statement version
        elif kwarg in world.own:
            values[kwarg] = world.own[kwarg]
    return values


def _check(response: object, what: str) -> None:
    status = response.status_code
    assert status < 500, f"{what}: {status}"
    if status == 200 and not getattr(response, "streaming", False):
        assert b"Traceback (most recent call last)" not in response.content, what


def _row_counts() -> dict[str, int]:
    """What the doors' writes create; a body every form refuses must leave these as they were."""
    models = (
        *(Case, Claim, Debtor, CaseNote, Complaint, RightsRequest, LegalHold, Arrangement, LoginLockout, User),
        *(ClientApiKey, ImportBatch, WebhookEndpoint, DisputeFile, ContactChange, VulnerabilityFlag, Payout),
    )
    return {model.__name__: model.objects.count() for model in models}


def _path_variants(door: Door, own: dict[str, str]) -> Iterator[dict[str, str]]:
    yield own
    for kwarg, kind in door.params:
        for hostile in HOSTILE_PATH[kind]:
            yield {**own, kwarg: hostile}


def _send(http: HttpClient, method: str, url: str, what: str, **kwargs: object) -> object:
    response = getattr(http, method)(url, **kwargs)
    _check(response, what)
    return response


LAST = {"logout", "debtor_portal:logout"}  # they end the session: fuzzed like the others, but nothing after them


@pytest.mark.parametrize("door", DOORS, ids=str)
def test_hostile_input_never_breaks_the_door(door: Door, world: World) -> None:
    user = _user_of(door)
    own = _own_values(door, world)
    _every_other_user_is_turned_away_cleanly(door, world, user, _url(door, own))
    _hostile_requests(door, world.http[user], own)


def _every_other_user_is_turned_away_cleanly(door: Door, world: World, user: str, url: str) -> None:
    """The door as everybody else: never a 5xx, and a page of one realm (staff, client, debtor) never answers
    200 to a user of another."""
    for other, http in world.http.items():
        if other == user:
            continue
        for method in ("get", "post"):
            response = _send(http, method, url, f"{method.upper()} {url} as {other}")
            if door.name in LOGGED_IN_DOORS:
                foreign = other == "anonymous"
            else:
                foreign = REALMS[user] not in {"public", REALMS[other]}
            assert not (foreign and response.status_code == 200), f"{method.upper()} {url} answers 200 to {other}"


def _hostile_requests(door: Door, http: HttpClient, own: dict[str, str]) -> None:
    for values in _path_variants(door, own):
        url = _url(door, values)
        _send(http, "get", url, f"GET {url}")
    url = _url(door, own)
    for query in HOSTILE_QUERIES:
        _send(http, "get", f"{url}?{query}", f"GET {url}?{query}")
    _send(http, "get", f"{url}?{HOSTILE_QUERIES[1]}", f"htmx GET {url}", HTTP_HX_REQUEST="true")
    _hostile_posts(door, http, url)
    assert audit_chain_verify().whole


def _hostile_posts(door: Door, http: HttpClient, url: str) -> None:
    for label, body, refused in HOSTILE_BODIES:
        before = _row_counts() if refused else None
        response = _send(http, "post", url, f"POST {url} {label}", data=body)
        if response.status_code == 405:
            return  # a page that only reads
        if before is not None:
            assert _row_counts() == before, f"POST {url} {label} changed rows"
        if door.name in LAST:
            return
    _send(http, "post", url, f"htmx POST {url}", data=_body("NaN"), HTTP_HX_REQUEST="true")
    for label, body in EDGES + _files():
        _send(http, "post", url, f"POST {url} {label}", data=body)
    raw = b"%ff%fe=%00&text=%ff&reason=%c3%28&note=\xff\xfe"
    _send(http, "post", url, f"POST {url} raw", data=raw, content_type="application/x-www-form-urlencoded")
    _send(http, "post", url, f"POST {url} json", data=b'{"a": [1e9999]}', content_type="application/json")


STRANGER_KWARGS = {"case_id", "number", "complaint_id", "key_id", "letter_id", "batch_id", "payout_id"}


def _restricted_user_of(door: Door) -> str:
    """The user bound to one client or debtor: a team's collector, a client user, the portal's debtor."""
    user = _user_of(door)
    return "collector" if user == "boss" else user


# The doors that take an owned object (a public door has no owner).
OBJECT_DOORS = [
    door
    for door in DOORS
    if not door.name.startswith("privacy-statement")
    and any(kwarg in STRANGER_KWARGS for kwarg, _kind in door.params)
    and _restricted_user_of(door) != "anonymous"
]


@pytest.mark.parametrize("door", OBJECT_DOORS, ids=str)
def test_a_strangers_object_is_never_shown(door: Door, world: World) -> None:
    http = world.http[_restricted_user_of(door)]
    values = _own_values(door, world)
    strange = [kwarg for kwarg, _kind in door.params if kwarg in world.stranger]
    values.update({kwarg: world.stranger[kwarg] for kwarg in strange})
    if door.name == "debtor_portal:letter":
        values["case_id"] = world.own["case_id"]  # their letter under our case
    url = _url(door, values)
    before = _row_counts()
    for method in ("get", "post"):
        response = getattr(http, method)(url, data={"text": "hello", "reason": "why", "answer": "ok", "note": "n"})
        assert response.status_code in {403, 404, 405}, f"{method.upper()} {url}: {response.status_code}"
        assert not any(mark.encode() in response.content for mark in STRANGER_MARKS), f"{url} shows a stranger"
    assert _row_counts() == before


CSRF_DOORS = [
    ("debtor_portal:login", {"case_number": "2026-000101", "code": "ABCD2345", "second_factor": "1012 AB"}),
    ("rights:public_request", {"kind": "access", "name": "Eva", "email": "eva@example.com"}),
    ("cookie-settings", {"action": "accept_all"}),
    ("newsletter-subscribe", {"email": "a@example.com", "consent": "on", "version": "1"}),
    ("login", {"username": "boss@example.com", "password": "x"}),
]


@pytest.mark.parametrize(("name", "body"), CSRF_DOORS, ids=[name for name, _body in CSRF_DOORS])
@pytest.mark.parametrize("token", ["", "wrong-token-" + "x" * 52, "%00"])
def test_a_post_without_the_right_csrf_token_is_refused(name: str, body: dict[str, str], token: str, db) -> None:
    http = HttpClient(enforce_csrf_checks=True)
    http.get(reverse(name))  # the CSRF cookie, as a browser would have it
    before = _row_counts()
    data = {**body, "csrfmiddlewaretoken": token} if token else body
    response = http.post(reverse(name), data)
    assert response.status_code == 403, (name, response.status_code)
    assert _row_counts() == before


def test_the_doors_are_read_from_the_resolver() -> None:
    """The enumeration finds every portal (a broken walk would fuzz nothing and pass)."""
    names = {door.name for door in DOORS}
    assert {"backoffice:case-detail", "client_portal:claim-new", "debtor_portal:plan", "rights:public_request"} <= names
    assert {"login", "second-factor-verify", "confidentiality", "cookie-settings"} <= names
    assert not any(door.route.startswith(("admin/", "api/")) for door in DOORS)
    assert len(DOORS) > 50
