from django.urls import path

from incasso.rights import views

app_name = "rights"

urlpatterns = [
    path("", views.public_request, name="public_request"),
    path("verify/<str:intake_key>/", views.public_verify, name="public_verify"),
    path("export/<str:token>/<str:fmt>/", views.export_download, name="export_download_format"),
    path("export/<str:token>/", views.export_download, name="export_download"),
    path("office/", views.staff_queue, name="staff_queue"),
    path("office/phone/", views.staff_phone, name="staff_phone"),
    path("office/<int:pk>/", views.staff_detail, name="staff_detail"),
    path("office/<int:pk>/<str:action>/", views.staff_action, name="staff_action"),
]
