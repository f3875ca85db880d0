"""Templates are versioned data: shipped as version 1, new versions checked, one active per kind and language."""

from __future__ import annotations

import pytest
from django.db import IntegrityError

from incasso.communications.models import Letter, LetterKind, LetterLanguage, LetterTemplate
from incasso.communications.rendering import LetterRenderError, shipped_template_source
from incasso.communications.services import (
    LetterRequest,
    letter_template_activate,
    letter_template_create,
    letters_queue_bulk,
    print_batch_render,
)
from incasso.communications.tests.conftest import POSTED, pdf_text


def test_the_migration_loads_every_shipped_template_as_active_version_1(db):
    active = LetterTemplate.objects.filter(active=True)
    assert {(t.kind, t.language) for t in active} == {
        (k, lang) for k in LetterKind.values for lang in LetterLanguage.values
    }
    for template in active:
        assert template.version == 1
        assert template.source == shipped_template_source(template.kind, template.language)


def test_a_template_that_does_not_compile_is_refused(db):
    with pytest.raises(LetterRenderError):
        letter_template_create(kind="reminder_letter", language="nl", source="#let letter(l) = [#l.no_such_field")
    assert LetterTemplate.objects.filter(kind="reminder_letter", language="nl").count() == 1


def test_a_new_version_is_used_from_activation_and_old_letters_keep_theirs(letter_case, settings):
    letters_queue_bulk(requests=[LetterRequest(case_id=letter_case.pk, kind="reminder_letter")], on=POSTED)
    print_batch_render(on=POSTED)
    old = Letter.objects.get(case=letter_case)
    source = shipped_template_source("reminder_letter", "nl").replace(
        "Herinnering: u heeft een rekening nog niet betaald", "Vriendelijke herinnering"
    )
    v2 = letter_template_create(kind="reminder_letter", language="nl", source=source, notes="friendlier subject")
    assert (v2.version, v2.active) == (2, False)
    letter_template_activate(template=v2)
    assert list(LetterTemplate.objects.filter(kind="reminder_letter", language="nl", active=True)) == [v2]
    later = POSTED.replace(day=30)
    letters_queue_bulk(requests=[LetterRequest(case_id=letter_case.pk, kind="reminder_letter")], on=later)
    batch = print_batch_render(on=later)
    assert "Vriendelijke herinnering" in pdf_text((settings.INCASSO_MEDIA_DIR / batch.pdf_path).read_bytes())
    old.refresh_from_db()
    assert old.template.version == 1


def test_the_database_allows_one_active_version(db):
    with pytest.raises(IntegrityError):
        LetterTemplate.objects.create(kind="reminder_letter", language="nl", version=9, source="", active=True)


def test_an_administrator_adds_and_activates_a_version_in_the_admin(admin_client):
    source = shipped_template_source("demand_letter", "en").replace("Formal demand", "Final demand")
    url = "/admin/communications/lettertemplate/add/"
    broken = admin_client.post(
        url, {"kind": "demand_letter", "language": "en", "source": "#let letter(l) = [#", "notes": ""}
    )
    assert broken.status_code == 200 and "does not render" in broken.content.decode()
    added = admin_client.post(url, {"kind": "demand_letter", "language": "en", "source": source, "notes": "wording"})
    assert added.status_code == 302
    v2 = LetterTemplate.objects.get(kind="demand_letter", language="en", version=2)
    assert not v2.active and v2.source == source
    admin_client.post(
        "/admin/communications/lettertemplate/", {"action": "activate", "_selected_action": [v2.pk]}, follow=True
    )
    assert LetterTemplate.objects.get(kind="demand_letter", language="en", active=True) == v2
