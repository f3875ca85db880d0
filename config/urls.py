from django.contrib import admin
from django.urls import include, path

from incasso.accounts.forms import LockoutAdminAuthenticationForm
from incasso.api.urls import api

# The admin's log-in counts failures and locks out exactly like the staff log-in (accounts.lockout).
admin.site.login_form = LockoutAdminAuthenticationForm

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("debtor/", include("incasso.debtor_portal.urls")),
    path("client/", include("incasso.client_portal.urls")),
    path("", include("incasso.web.urls")),
]
