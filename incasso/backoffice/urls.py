from django.urls import path

from incasso.backoffice.views import (
    arrangements,
    cases,
    circumstances,
    complaints,
    decisions,
    home,
    payments,
    privacy,
    security,
    users,
)

app_name = "backoffice"

urlpatterns = [
    path("", home.home, name="home"),
    path("queues/<slug:key>/", home.queue, name="queue"),
    path("tasks/<int:task_id>/work/", home.task_work, name="task-work"),
    path("queues/unmatched/<int:entry_id>/match/", payments.unmatched_match, name="unmatched-match"),
    path("cases/", cases.case_list, name="case-list"),
    path("cases/<int:case_id>/", cases.case_detail, name="case-detail"),
    path("cases/<int:case_id>/move/", cases.case_move, name="case-move"),
    path("cases/<int:case_id>/notes/", cases.case_note, name="case-note"),
    path("cases/<int:case_id>/promises/", arrangements.case_promise, name="case-promise"),
    path(
        "cases/<int:case_id>/decisions/<int:decision_id>/review/",
        decisions.case_decision_review,
        name="case-decision-review",
    ),
    path(
        "cases/<int:case_id>/arrangements/<int:arrangement_id>/decide/",
        arrangements.case_arrangement_decide,
        name="case-arrangement-decide",
    ),
    path("cases/<int:case_id>/situation/", circumstances.case_situation, name="case-situation"),
    path("cases/<int:case_id>/vulnerability/", circumstances.case_flag, name="case-flag"),
    path("cases/<int:case_id>/vulnerability/<uuid:flag_id>/lift/", circumstances.case_flag_lift, name="case-flag-lift"),
    path("cases/<int:case_id>/portal-unlock/", cases.case_portal_unlock, name="case-portal-unlock"),
    path("cases/<int:case_id>/letters/<int:letter_id>.pdf", cases.letter_pdf, name="letter-pdf"),
    path("cases/<int:case_id>/disputes/<int:file_id>/", cases.dispute_file, name="dispute-file"),
    path("security/alerts/", security.security_alerts, name="security-alerts"),
    path(
        "security/alerts/<int:alert_id>/acknowledge/",
        security.security_alert_acknowledge_view,
        name="security-alert-acknowledge",
    ),
    path("security/lockouts/", security.lockouts, name="lockouts"),
    path("security/lockouts/<int:lockout_id>/lift/", security.lockout_lift, name="lockout-lift"),
    path("complaints/", complaints.complaints, name="complaints"),
    path("complaints/<int:complaint_id>/", complaints.complaint_detail, name="complaint-detail"),
    path("users/", users.user_list, name="users"),
    path("users/new/", users.user_new, name="user-new"),
    path("users/<int:user_id>/", users.user_edit, name="user-edit"),
    path("users/<int:user_id>/second-factor-reset/", users.user_second_factor_reset, name="user-otp-reset"),
    path("privacy/breaches/", privacy.breaches, name="breaches"),
    path("privacy/legal-holds/", privacy.legal_holds, name="legal-holds"),
    path("privacy/legal-holds/<int:hold_id>/release/", privacy.legal_hold_release_view, name="legal-hold-release"),
]
