"""Newsletter: double opt-in, one-click unsubscribe that erases at once, suppression keeps marketing away."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils.html import escape

from incasso.consent.identity import email_hash
from incasso.consent.models import ConsentRecord, DocumentVersion, NewsletterIssue, Subscriber, Suppression
from incasso.consent.newsletter import (
    InvalidLink,
    newsletter_send,
    subscriber_confirm,
    subscriber_subscribe,
    subscriber_unsubscribe,
    unsubscribe_url,
)
from incasso.consent.selectors import marketing_allowed, subscribers_with_email
from incasso.consent.services import document_version_create, document_version_publish, suppression_add

pytestmark = pytest.mark.django_db

LINK = re.compile(r"/newsletter/(confirm|unsubscribe)/([^/\s]+)/")


def _subscribe(client, email="Ann@Example.nl", **extra):
    shown = re.search(r'name="version" value="(\d+)"', client.get("/newsletter/").content.decode()).group(1)
    return client.post("/newsletter/", {"email": email, "consent": "on", "version": shown, **extra})


def _token(body: str, kind: str) -> str:
    return next(m.group(2) for m in LINK.finditer(body) if m.group(1) == kind)


def _confirmed(client, django_capture_on_commit_callbacks, email="ann@example.nl") -> Subscriber:
    with django_capture_on_commit_callbacks(execute=True):
        _subscribe(client, email)
    client.get(f"/newsletter/confirm/{_token(mail.outbox[-1].body, 'confirm')}/")
    return subscribers_with_email(email=email).get()


def test_subscribing_sends_only_a_confirmation_link_and_nothing_before_confirmation(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _subscribe(client)
    assert response.status_code == 200
    [message] = mail.outbox
    assert message.to == ["ann@example.nl"]
    subscriber = Subscriber.objects.get()
    assert subscriber.confirmed_at is None
    mail.outbox.clear()
    issue = newsletter_send(subject="News", body="Hello")
    assert issue.recipients == 0 and mail.outbox == []
    assert not ConsentRecord.objects.exists()


def test_the_form_needs_the_unticked_box_ticked(client):
    response = client.post("/newsletter/", {"email": "ann@example.nl"})
    assert response.status_code == 400
    assert 'name="consent" required>' in client.get("/newsletter/").content.decode()  # not pre-ticked
    assert not Subscriber.objects.exists()


def test_confirming_records_consent_by_email_link_and_then_the_newsletter_arrives(
    client, django_capture_on_commit_callbacks
):
    subscriber = _confirmed(client, django_capture_on_commit_callbacks)
    assert subscriber.confirmed_at is not None
    record = ConsentRecord.objects.get(subject_kind="subscriber", subject_ref=str(subscriber.pk))
    assert (record.purpose, record.given, record.method) == ("newsletter", True, "email_link")
    assert record.version.purpose == "newsletter"
    mail.outbox.clear()
    issue = newsletter_send(subject="News", body="Hello")
    [message] = mail.outbox
    assert issue.recipients == 1 and issue.batches == 1
    assert message.extra_headers["List-Unsubscribe"] == f"<{unsubscribe_url(subscriber)}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/newsletter/unsubscribe/" in message.body


def test_consent_is_to_the_text_the_form_showed_even_if_a_newer_one_came_out(
    client, django_capture_on_commit_callbacks
):
    form = client.get("/newsletter/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    shown = DocumentVersion.objects.get(kind="consent_text", purpose="newsletter", number=1)
    assert escape(shown.body_en) in form
    with django_capture_on_commit_callbacks(execute=True):
        _subscribe(client)
    newer = document_version_create(
        kind="consent_text", purpose="newsletter", title_nl="N", title_en="N", body_nl="Nieuw.", body_en="New."
    )
    document_version_publish(version=newer)
    client.get(f"/newsletter/confirm/{_token(mail.outbox[-1].body, 'confirm')}/")
    assert ConsentRecord.objects.get(subject_kind="subscriber").version == shown


def test_an_expired_or_tampered_confirmation_link_confirms_nothing(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _subscribe(client)
    token = _token(mail.outbox[-1].body, "confirm")
    assert client.get(f"/newsletter/confirm/{token[:-2]}xx/").status_code == 400
    with pytest.raises(InvalidLink, match="not valid"):
        subscriber_confirm(token=token[:-1] + ("A" if token[-1] != "A" else "B"), where="test")
    with pytest.raises(InvalidLink, match=r"not valid"):
        subscriber_unsubscribe(token=token)  # a confirmation link is no unsubscribe link
    later = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=4)
    with time_machine.travel(later, tick=False), pytest.raises(InvalidLink, match="expired"):
        subscriber_confirm(token=token, where="test")
    assert Subscriber.objects.get().confirmed_at is None


def test_unsubscribing_deletes_the_data_at_once_and_suppression_blocks_remailing(
    client, django_capture_on_commit_callbacks
):
    subscriber = _confirmed(client, django_capture_on_commit_callbacks)
    token = _token(unsubscribe_url(subscriber), "unsubscribe")
    assert client.get(f"/newsletter/unsubscribe/{token}/").status_code == 200  # GET changes nothing
    assert Subscriber.objects.exists()
    response = client.post(f"/newsletter/unsubscribe/{token}/")  # one click, no session (RFC 8058)
    assert response.status_code == 200
    assert not Subscriber.objects.exists()
    assert not ConsentRecord.objects.filter(subject_kind="subscriber").exists()
    [entry] = Suppression.objects.all()
    assert entry.email_hash == email_hash("ann@example.nl") and "ann" not in entry.email_hash
    assert not marketing_allowed(email="ANN@example.nl ")
    # signing up again (by anyone) sends nothing, and the answer does not tell
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        again = _subscribe(client)
    assert again.status_code == 200 and mail.outbox == []
    assert newsletter_send(subject="News", body="Hello").recipients == 0
    assert client.post(f"/newsletter/unsubscribe/{token}/").status_code == 200  # twice: still fine


def test_an_objection_suppresses_and_erases_the_subscription(client, django_capture_on_commit_callbacks):
    _confirmed(client, django_capture_on_commit_callbacks, "bob@example.nl")
    _confirmed(client, django_capture_on_commit_callbacks, "cat@example.nl")
    assert marketing_allowed(email="bob@example.nl")
    suppression_add(email="Bob@Example.nl", reason="objection")
    suppression_add(email="bob@example.nl", reason="objection")  # twice: one entry
    assert not marketing_allowed(email="bob@example.nl")
    assert marketing_allowed(email="cat@example.nl")
    assert Suppression.objects.count() == 1
    assert [str(subscriber.email) for subscriber in Subscriber.objects.all()] == ["cat@example.nl"]
    mail.outbox.clear()
    newsletter_send(subject="News", body="Hello")
    assert [m.to for m in mail.outbox] == [["cat@example.nl"]]
    with pytest.raises(ValueError, match="unknown suppression reason"):
        suppression_add(email="bob@example.nl", reason="whim")


def test_the_send_command_batches_confirmed_subscribers(client, django_capture_on_commit_callbacks, tmp_path, capsys):
    for name in ("a", "b", "c"):
        _confirmed(client, django_capture_on_commit_callbacks, f"{name}@example.nl")
    with django_capture_on_commit_callbacks(execute=True):
        _subscribe(client, "unconfirmed@example.nl")
    body = tmp_path / "body.txt"
    body.write_text("Nieuws van het bureau.", encoding="utf-8")
    mail.outbox.clear()
    call_command("newsletter", "send", "--subject", "Nieuws", "--body-file", str(body), "--batch-size", "2")
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.nl", "b@example.nl", "c@example.nl"]
    issue = NewsletterIssue.objects.get()
    assert (issue.recipients, issue.batches) == (3, 2)
    assert '"recipients": 3' in capsys.readouterr().out


def test_stale_unconfirmed_subscriptions_are_deleted(client, django_capture_on_commit_callbacks):
    from incasso.consent.newsletter import subscribers_unconfirmed_purge

    subscriber_subscribe(email="late@example.nl", language="en", where="/newsletter/")
    assert subscribers_unconfirmed_purge() == 0
    later = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=4)
    assert subscribers_unconfirmed_purge(now=later) == 1
    assert not Subscriber.objects.exists()
