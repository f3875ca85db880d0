"""The debtor portal, mounted at ``/debtor/`` (the address printed in the letters' portal URL)."""

from django.urls import path

from incasso.debtor_portal import views

app_name = "debtor_portal"

urlpatterns = [
    path("", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("cases/", views.case_list, name="cases"),
    path("cases/<int:case_id>/", views.case_detail, name="case"),
    path("cases/<int:case_id>/letters/<int:letter_id>/", views.letter_download, name="letter"),
    path("cases/<int:case_id>/pay/", views.pay, name="pay"),
    path("cases/<int:case_id>/pay/<int:link_id>/", views.checkout, name="checkout"),
    path("cases/<int:case_id>/plan/", views.plan, name="plan"),
    path("cases/<int:case_id>/dispute/", views.dispute, name="dispute"),
    path("cases/<int:case_id>/question/", views.question, name="question"),
    path("cases/<int:case_id>/complaint/", views.complaint, name="complaint"),
    path("cases/<int:case_id>/decisions/<int:decision_id>/review/", views.decision_review, name="decision-review"),
    path("contact/", views.contact, name="contact"),
    path("privacy/", views.privacy, name="privacy"),
]
