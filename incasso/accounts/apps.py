from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "incasso.accounts"
    label = "accounts"
