from django.contrib.auth import views as auth_views
from django.urls import include, path

from incasso.accounts.forms import LockoutAuthenticationForm
from incasso.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=LockoutAuthenticationForm),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("second-factor/setup/", views.second_factor_setup, name="second-factor-setup"),
    path("second-factor/verify/", views.second_factor_verify_page, name="second-factor-verify"),
    path("confidentiality/", views.confidentiality, name="confidentiality"),
    path("office/", include("incasso.backoffice.urls")),
    path("privacy/", include("incasso.privacy.urls")),
    path("rights/", include("incasso.rights.urls")),
    # Public: privacy statement, cookie choice, newsletter (issue 6 items 6-7).
    path("", include("incasso.consent.urls")),
    # set_language: the language switch in the page header posts here.
    path("i18n/", include("django.conf.urls.i18n")),
]
