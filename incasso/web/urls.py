from django.contrib.auth import views as auth_views
from django.urls import include, path

from incasso.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("second-factor/setup/", views.second_factor_setup, name="second-factor-setup"),
    path("second-factor/verify/", views.second_factor_verify_page, name="second-factor-verify"),
    path("confidentiality/", views.confidentiality, name="confidentiality"),
    path("cases/", views.case_list, name="case-list"),
    path("cases/<int:case_id>/", views.case_detail, name="case-detail"),
    path("security/alerts/", views.security_alerts, name="security-alerts"),
    path(
        "security/alerts/<int:alert_id>/acknowledge/",
        views.security_alert_acknowledge_view,
        name="security-alert-acknowledge",
    ),
    path("privacy/", include("incasso.privacy.urls")),
    # set_language: the language switch in the page header posts here.
    path("i18n/", include("django.conf.urls.i18n")),
]
