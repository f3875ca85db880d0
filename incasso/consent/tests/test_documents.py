"""Versioned documents: immutable once published; a new privacy statement is e-mailed to every client contact."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from incasso.consent.models import DocumentKind, DocumentVersion, StatementMailing
from incasso.consent.selectors import document_current
from incasso.consent.services import (
    PublishedVersionError,
    document_version_create,
    document_version_publish,
    document_version_update,
)
from incasso.parties.agreements import ClientContact
from incasso.parties.factories import ClientFactory

pytestmark = pytest.mark.django_db

TEXTS = {"title_nl": "Privacyverklaring", "title_en": "Privacy statement", "body_nl": "Nieuw.", "body_en": "New."}


def _draft(**changes: str) -> DocumentVersion:
    return document_version_create(kind=DocumentKind.PRIVACY_STATEMENT, **{**TEXTS, **changes})


def test_the_seeded_statement_is_published_in_both_languages_with_every_promise(statement_v1):
    assert statement_v1.is_published
    assert document_current(kind=DocumentKind.PRIVACY_STATEMENT) == statement_v1
    for promise in (
        "36 maanden",
        "Autoriteit Persoonsgegevens",
        "direct gewist",
        "verwerkersovereenkomst",
        "buiten de Europese Economische Ruimte",
    ):
        assert promise in statement_v1.body_nl
    for promise in (
        "36 months",
        "Autoriteit Persoonsgegevens",
        "erase your data at once",
        "processor agreement",
        "outside the European Economic Area",
    ):
        assert promise in statement_v1.body_en


def test_a_draft_changes_but_a_published_version_never_does(statement_v1):
    draft = _draft()
    assert draft.number == statement_v1.number + 1
    document_version_update(version=draft, body_en="Newer.")
    document_version_publish(version=draft)
    with pytest.raises(PublishedVersionError):
        document_version_update(version=draft, body_en="Changed after publication.")
    with pytest.raises(PublishedVersionError):
        document_version_update(version=statement_v1, body_nl="Anders.")
    with pytest.raises(PublishedVersionError):
        document_version_publish(version=draft)
    draft.refresh_from_db()
    assert draft.body_en == "Newer."
    statement_v1.refresh_from_db()
    assert "Anders." not in statement_v1.body_nl


def test_a_version_needs_both_languages():
    with pytest.raises(ValueError, match="body_en"):
        _draft(body_en=" ")
    assert not DocumentVersion.objects.filter(number=2).exists()


def test_publishing_a_statement_emails_every_client_contact_in_recorded_batches(
    monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("incasso.consent.services.BATCH_SIZE", 2)
    alpha, beta = ClientFactory(), ClientFactory()
    for client, names in ((alpha, ["a1", "a2", "a3"]), (beta, ["b1", "b2"])):
        for name in names:
            ClientContact.objects.create(client=client, name=name, email=f"{name}@example.nl")
    ClientContact.objects.create(client=beta, name="no mail", email="")
    draft = _draft()
    with django_capture_on_commit_callbacks(execute=True):
        document_version_publish(version=draft)
    assert sorted(m.to[0] for m in mail.outbox) == [f"{n}@example.nl" for n in ("a1", "a2", "a3", "b1", "b2")]
    assert f"/privacy-statement/{draft.number}/" in mail.outbox[0].body
    batches = list(StatementMailing.objects.filter(version=draft).order_by("batch"))
    assert [b.recipients for b in batches] == [2, 2, 1]
    assert all(b.sent_at is not None for b in batches)


def test_publishing_a_consent_text_emails_nobody(django_capture_on_commit_callbacks):
    ClientContact.objects.create(client=ClientFactory(), name="c", email="c@example.nl")
    draft = document_version_create(kind=DocumentKind.CONSENT_TEXT, purpose="newsletter", **TEXTS)
    with django_capture_on_commit_callbacks(execute=True):
        document_version_publish(version=draft)
    assert mail.outbox == []


def test_the_announcement_goes_over_smtp_with_starttls(smtp_server, django_capture_on_commit_callbacks):
    ClientContact.objects.create(client=ClientFactory(), name="Tls", email="tls@example.nl")
    with django_capture_on_commit_callbacks(execute=True):
        document_version_publish(version=_draft())
    [(message, encrypted)] = smtp_server.messages
    assert encrypted
    assert message["To"] == "tls@example.nl"


def test_the_public_page_shows_the_current_and_earlier_versions(client, statement_v1):
    response = client.get("/privacy-statement/", HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 200
    assert "Autoriteit Persoonsgegevens" in response.content.decode()
    english = client.get("/privacy-statement/1/?lang=en").content.decode()
    assert "Your rights" in english
    # The doors the statement promises for exercising a right are on the page itself.
    assert f'href="{reverse("rights:public_request")}"' in english
    assert f'href="{reverse("debtor_portal:login")}"' in english
    newer = _draft(body_en="Second version text.")
    document_version_publish(version=newer)
    page = client.get("/privacy-statement/?lang=en").content.decode()
    assert "Second version text." in page and 'href="/privacy-statement/1/"' in page
    assert client.get("/privacy-statement/99/").status_code == 404
    hidden = _draft(body_en="Not yet.")
    assert client.get(f"/privacy-statement/{hidden.number}/").status_code == 404


def test_the_documents_command_drafts_publishes_and_refuses_a_second_publication(
    tmp_path, capsys, django_capture_on_commit_callbacks
):
    ClientContact.objects.create(client=ClientFactory(), name="c", email="c@example.nl")
    (tmp_path / "nl.txt").write_text("# Nieuw\n\nTekst.", encoding="utf-8")
    (tmp_path / "en.txt").write_text("# New\n\nText.", encoding="utf-8")
    files = ["--body-nl-file", str(tmp_path / "nl.txt"), "--body-en-file", str(tmp_path / "en.txt")]
    call_command("documents", "draft", *files)
    draft = json.loads(capsys.readouterr().out)
    assert draft["number"] == 2 and not draft["published"]
    with django_capture_on_commit_callbacks(execute=True):
        call_command("documents", "publish", "--id", str(draft["id"]))
    assert json.loads(capsys.readouterr().out)["batches"] == 1
    assert [m.to for m in mail.outbox] == [["c@example.nl"]]
    with pytest.raises(CommandError, match="already published"):
        call_command("documents", "publish", "--id", str(draft["id"]))
    assert len(mail.outbox) == 1
