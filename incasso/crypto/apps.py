from django.apps import AppConfig


class CryptoConfig(AppConfig):
    name = "incasso.crypto"
    label = "crypto"
    verbose_name = "Field encryption"
