from django.contrib import admin
from django.urls import include, path

from incasso.api.urls import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("debtor/", include("incasso.debtor_portal.urls")),
    path("client/", include("incasso.client_portal.urls")),
    path("", include("incasso.web.urls")),
]
