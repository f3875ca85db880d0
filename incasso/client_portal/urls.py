from django.urls import path, register_converter
from django.urls.converters import StringConverter

from incasso.cases.models import Case
from incasso.client_portal import views


class CaseNumberConverter(StringConverter):
    """What a case number can be: at most as long as the column, no NUL (which PostgreSQL refuses to compare);
    anything else answers 404 before a query is made."""

    regex = rf"[^/\x00]{{1,{Case._meta.get_field('number').max_length}}}"


register_converter(CaseNumberConverter, "case_number")

app_name = "client_portal"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("cases/", views.case_list, name="cases"),
    path("cases/<case_number:number>/", views.case_detail, name="case"),
    path("cases/<case_number:number>/legal-steps/", views.legal_steps, name="legal-steps"),
    path("claims/new/", views.claim_new, name="claim-new"),
    path("claims/upload/", views.upload, name="upload"),
    path("imports/<int:batch_id>/", views.import_detail, name="import"),
    path("payouts/", views.payouts, name="payouts"),
    path("payouts/<int:payout_id>/statement.<str:file_format>", views.payout_statement, name="payout-statement"),
    path("reports/", views.reports, name="reports"),
    path("api-keys/", views.api_keys, name="api-keys"),
    path("api-keys/<int:key_id>/revoke/", views.api_key_revoke_view, name="api-key-revoke"),
    path("webhooks/", views.webhooks, name="webhooks"),
    path("webhooks/<int:endpoint_id>/disable/", views.webhook_disable, name="webhook-disable"),
    path("data-subject-requests/", views.rights_requests, name="rights"),
    path("agreement/", views.agreement, name="agreement"),
    path("agreement/download/", views.agreement_download, name="agreement-download"),
]
