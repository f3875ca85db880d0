"""``DELETED_ON_ERASURE`` names every model whose rows erasure deletes, so a restore deletes them again (docs/adr/0008).

The expected list is derived, not copied: the data map (``privacy/data_map.py``) says which models hold personal
data, and the project's own code says which of them erasure and retention delete rows of (every ``.delete()`` on a
model, found in the source). Each model of the data map must be accounted for: deleted on erasure (and then in the
list), reached by a restore in another way (its data key destroyed again, its debtor anonymised again, its payer
data blanked again), or kept on erasure for a stated reason. A new model with personal data fails here until it is
placed, and a new ``.delete()`` of personal rows fails until the model is in the list.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.apps import apps

from incasso.backups.erasures import DELETED_ON_ERASURE
from incasso.crypto.fields import KEY_ATTNAME
from incasso.payments.models import StatementEntry
from incasso.privacy.data_map import PERSONAL_FIELDS
from incasso.privacy.retention.anonymise import ANONYMISED_MODELS

SOURCE = Path(__file__).resolve().parents[2]  # incasso/

# Rows deleted elsewhere than an erasure, or deleted by erasure and removed again by a restore in another way.
DELETED_NOT_BY_ERASURE = {
    "otp_totp.TOTPDevice": "an administrator's second-factor reset: no one's erasure",
    "communications.PortalAccessCode": "deleted by anonymise_debtors, which a restore runs again for each debtor "
    "anonymised since the backup",
}

# The case file's models whose free text ``anonymise_debtors`` blanks (``ANONYMISED_MODELS``, checked below).
BLANKED_BY_ANONYMISATION = (
    "backoffice.CaseNote",
    "complaints.Complaint",
    "debtor_portal.DisputeFile",
    "arrangements.Arrangement",
    "client_portal.LegalStepsDecision",
    "handover.Handover",
    "print_house.DeliveryLine",
)

# Models of the data map whose rows erasure keeps (their personal values, if any, go by another road or stay for a
# reason the register states), by why.
KEPT_ON_ERASURE: dict[str, tuple[str, ...]] = {
    "accountability (GDPR art. 5(2)) and security (P-7): who did what, kept apart from the person's data": (
        "audit.AuditEvent",
        "admin.LogEntry",
        "accounts.SecurityAlert",
        "accounts.LoginLockout",
        "auth.User",
        "otp_totp.TOTPDevice",
        "sessions.Session",
        "disclosures.Breach",
        "disclosures.BreachNotification",
        "disclosures.BreachStep",
        "disclosures.Disclosure",
        "disclosures.DisclosureSubject",
        "disclosures.RefusedDisclosure",
        "disclosures.Recipient",
        "privacy.LegalHold",
        "rights.RequestEvent",
        "rights.ExportDelivery",
        "rights.VerificationCode",
        "consent.StatementMailing",
        "consent.Suppression",
    ),
    "bookkeeping (AWR art. 52: 7 years): amounts and references, the debtor behind them anonymised": (
        "ledger.Entry",
        "ledger.LedgerTransaction",
        "ledger.PaymentAllocation",
        "ledger.Payout",
        "ledger.PayoutItem",
        "payments.StatementImport",
        "paylinks.PaymentLink",
        "paylinks.PaymentLinkEvent",
        "intake.ClaimCredit",
        "parties.Client",
    ),
    "the case file's rows: they stay, pointing at the anonymised debtor; their free text (and a dispute's uploaded "
    "file) is blanked by the anonymisation, which a restore runs again": BLANKED_BY_ANONYMISATION,
    "the case file's rows: they stay, pointing at the anonymised debtor; amounts, dates, statuses and outcomes that "
    "statistics need and that identify nobody, no free text": (
        "cases.Case",
        "cases.CaseParty",
        "cases.Measure",
        "arrangements.Instalment",
        "arrangements.PromiseToPay",
        "decisions.ProfilingObjection",
        # Which contact fields the debtor changed in the portal, by name; the values themselves were on the debtor.
        "debtor_portal.ContactChange",
        # What was sent to the client (controller): case number, stage, amounts; never names or contact details.
        "webhooks.WebhookDelivery",
    ),
    "security (P-7), not linked to a debtor: the case number as typed and the address it came from": (
        "debtor_portal.LoginAttempt",
        "debtor_portal.LoginLock",
    ),
    "a recipient's certificate, by e-mail address, not linked to a debtor": ("integrations.SmimeCertificate",),
    "a rejected import row: sealed under its batch's own data key, erased by destroying it": ("intake.ImportBatch",),
}


def _labels(models: object) -> set[str]:
    return {model._meta.label for model in models}  # type: ignore[attr-defined]


def personal_models() -> set[str]:
    """The models the data map declares personal fields of."""
    return {declaration.model for declaration in PERSONAL_FIELDS}


def reached_by_a_restore_otherwise() -> set[str]:
    """Models whose erased values a restore erases again without deleting rows: sealed under a data key (destroyed
    again), changed by the anonymiser (run again), the payer data the bookkeeping sweep blanks (blanked again)."""
    sealed = {
        label
        for label in personal_models()
        if any(field.attname == KEY_ATTNAME for field in apps.get_model(label)._meta.concrete_fields)
    }
    return sealed | set(ANONYMISED_MODELS) | {"parties.Debtor", StatementEntry._meta.label, *DELETED_NOT_BY_ERASURE}


def _root(node: ast.AST) -> str | None:
    """The name a chain of calls and attributes starts from: ``Subscriber`` in ``Subscriber.objects.filter(...)``."""
    while isinstance(node, ast.Call | ast.Attribute | ast.Subscript):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _names_behind(node: ast.AST, function: ast.AST | None) -> set[str]:
    """What a ``.delete()`` is called on: the root of its chain; a variable is followed to its assignment or its
    annotation in the same function (``stale = Subscriber.objects.filter(...)``, ``subscriber: Subscriber``)."""
    root = _root(node)
    if root is None:
        return set()
    names = {root}
    for inner in ast.walk(function) if function is not None else ():
        if isinstance(inner, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == root for target in inner.targets
        ):
            names |= {_root(inner.value)} - {None}  # type: ignore[arg-type]
        if isinstance(inner, ast.arg) and inner.arg == root and inner.annotation is not None:
            annotation = inner.annotation
            text = annotation.value if isinstance(annotation, ast.Constant) else ast.unparse(annotation)
            names |= {part.strip() for part in str(text).split("|")}
    return names


def models_deleted_in_the_source() -> dict[str, str]:
    """Personal models some code outside the backups deletes rows of, each with where."""
    by_name = {apps.get_model(label).__name__: label for label in personal_models()}
    found: dict[str, str] = {}
    for path in SOURCE.rglob("*.py"):
        relative = path.relative_to(SOURCE)
        if {"tests", "migrations"} & set(relative.parts) or relative.parts[0] == "backups":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)]
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "delete"):
                continue
            enclosing = next((f for f in functions if f.lineno <= node.lineno <= (f.end_lineno or f.lineno)), None)
            for name in _names_behind(node.func.value, enclosing) & set(by_name):
                found.setdefault(by_name[name], f"{relative}:{node.lineno}")
    return found


def test_the_scan_finds_the_deletions_it_must() -> None:
    """The source scan is what the list is checked against: it must see the known deletions (a broken scan would
    find nothing and pass)."""
    found = models_deleted_in_the_source()
    assert {"consent.Subscriber", "consent.ConsentRecord", "sensitive.SpecialCategoryRecord", "aml.AmlCheck"} <= set(
        found
    ), found
    assert "communications.PortalAccessCode" in found


def test_every_model_whose_rows_erasure_deletes_is_deleted_again_by_a_restore() -> None:
    listed = _labels(DELETED_ON_ERASURE)
    missing = {label: where for label, where in models_deleted_in_the_source().items() if label not in listed}
    missing = {label: where for label, where in missing.items() if label not in DELETED_NOT_BY_ERASURE}
    assert not missing, f"add to backups.erasures.DELETED_ON_ERASURE (erasure deletes their rows): {missing}"
    assert listed <= personal_models(), "DELETED_ON_ERASURE names a model without personal data"


def test_every_model_with_personal_data_is_accounted_for() -> None:
    """A new model of the data map fails until it is placed: deleted on erasure (``DELETED_ON_ERASURE``), reached by
    a restore another way (a data key, the anonymiser, the bookkeeping blanking), or kept, with why."""
    kept = {label for labels in KEPT_ON_ERASURE.values() for label in labels}
    placed = _labels(DELETED_ON_ERASURE) | reached_by_a_restore_otherwise() | kept
    unplaced = personal_models() - placed
    assert not unplaced, (
        "how does erasure reach these models' personal data? If it deletes their rows, add them to "
        f"backups.erasures.DELETED_ON_ERASURE; otherwise to KEPT_ON_ERASURE here, saying why: {sorted(unplaced)}"
    )
    assert not (kept - personal_models()), f"no longer in the data map: {sorted(kept - personal_models())}"
    assert not (kept & _labels(DELETED_ON_ERASURE)), "a model cannot be both kept and deleted on erasure"


def test_the_kept_models_said_to_be_blanked_are_blanked_by_the_anonymisation() -> None:
    """A reason above that says the anonymisation blanks a model's free text must be true."""
    assert set(BLANKED_BY_ANONYMISATION) <= set(ANONYMISED_MODELS), set(BLANKED_BY_ANONYMISATION) - set(
        ANONYMISED_MODELS
    )
