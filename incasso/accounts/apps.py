from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "incasso.accounts"
    label = "accounts"

    def ready(self) -> None:
        # Django reports log-ins only through these signals; the handlers audit them and raise alerts.
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from incasso.accounts.alerts import on_user_logged_in, on_user_login_failed
        from incasso.accounts.sessions import on_user_logged_in_mark_seen

        user_login_failed.connect(on_user_login_failed, dispatch_uid="incasso.accounts.login_failed")
        user_logged_in.connect(on_user_logged_in, dispatch_uid="incasso.accounts.logged_in")
        user_logged_in.connect(on_user_logged_in_mark_seen, dispatch_uid="incasso.accounts.idle_clock")
