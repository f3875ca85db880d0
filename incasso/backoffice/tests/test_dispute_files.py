"""A debtor's dispute upload, read by the collector who works the case: as stored, audited, and only theirs."""

import hashlib

import pytest
from django.urls import reverse

from incasso.accounts.roles import Role
from incasso.audit.models import AuditEvent
from incasso.backoffice.tests.conftest import login_as
from incasso.debtor_portal.models import DisputeFile
from incasso.privacy.retention.anonymise import anonymise_debtors

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% a receipt\n%%EOF\n"


def _upload(case, settings, content: bytes = PDF) -> DisputeFile:
    path = settings.INCASSO_MEDIA_DIR / "disputes" / f"test-{case.pk}.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return DisputeFile.objects.create(
        case=case,
        original_name="kassabon.pdf",
        content_type="application/pdf",
        size_bytes=len(content),
        sha256=hashlib.sha256(PDF).hexdigest(),
        stored_path=f"disputes/{path.name}",
    )


@pytest.fixture
def media(settings, tmp_path):
    settings.INCASSO_MEDIA_DIR = tmp_path
    return settings


def test_the_collector_sees_and_downloads_the_debtors_file(collector_client, two_teams, media):
    case = two_teams["our_case"]
    upload = _upload(case, media)
    page = collector_client.get(reverse("backoffice:case-detail", args=[case.pk]))
    url = reverse("backoffice:dispute-file", args=[case.pk, upload.pk])
    assert url in page.content.decode() and "kassabon.pdf" in page.content.decode()

    response = collector_client.get(url)

    assert response.status_code == 200 and response.content == PDF
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="{case.number}-dispute-{upload.pk}.pdf"' in response["Content-Disposition"]
    reads = AuditEvent.objects.filter(action="read", subject_id=str(case.debtor_id))
    assert any("dispute_files" in str(event.fields) for event in reads)


def test_a_file_changed_on_disk_is_not_served(collector_client, two_teams, media):
    case = two_teams["our_case"]
    upload = _upload(case, media, content=b"%PDF-1.4\nsomething else\n")
    response = collector_client.get(reverse("backoffice:dispute-file", args=[case.pk, upload.pk]))
    assert response.status_code == 409 and b"something else" not in response.content


def test_a_file_deleted_at_anonymisation_says_so(
    collector_client, two_teams, media, django_capture_on_commit_callbacks
):
    case = two_teams["our_case"]
    upload = _upload(case, media)
    with django_capture_on_commit_callbacks(execute=True):
        anonymise_debtors([case.debtor_id])
    response = collector_client.get(reverse("backoffice:dispute-file", args=[case.pk, upload.pk]))
    assert response.status_code == 410
    assert "geanonimiseerd" in response.content.decode()
    assert not (media.INCASSO_MEDIA_DIR / "disputes" / f"test-{case.pk}.pdf").exists()


def test_another_teams_collector_gets_404(client, two_teams, media):
    upload = _upload(two_teams["their_case"], media)
    outsider = login_as(client, "ours@example.com", Role.COLLECTOR, clients=[two_teams["ours"]])
    url = reverse("backoffice:dispute-file", args=[two_teams["their_case"].pk, upload.pk])
    assert outsider.get(url).status_code == 404
    # Nor through a case of their own: the file must belong to the case in the address.
    own = reverse("backoffice:dispute-file", args=[two_teams["our_case"].pk, upload.pk])
    assert outsider.get(own).status_code == 404
