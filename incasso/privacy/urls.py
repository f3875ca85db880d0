from django.urls import path

from incasso.privacy import views

urlpatterns = [
    path("register/", views.register_page, name="privacy-register"),
]
