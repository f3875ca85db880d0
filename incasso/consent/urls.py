from django.urls import path

from incasso.consent import views

urlpatterns = [
    path("privacy-statement/", views.privacy_statement, name="privacy-statement"),
    path("privacy-statement/<int:number>/", views.privacy_statement, name="privacy-statement-version"),
    path("cookies/", views.cookie_settings, name="cookie-settings"),
    path("newsletter/", views.newsletter_subscribe, name="newsletter-subscribe"),
    path("newsletter/confirm/<str:token>/", views.newsletter_confirm, name="newsletter-confirm"),
    path("newsletter/unsubscribe/<str:token>/", views.newsletter_unsubscribe, name="newsletter-unsubscribe"),
]
