from django.urls import path

from incasso.web import views

urlpatterns = [
    path("", views.home, name="home"),
]
