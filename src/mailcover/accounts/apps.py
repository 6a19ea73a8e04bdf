from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "mailcover.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # SEC-TOKENS: tokens end when the password changes, the account is deactivated or
        # loses a role, on every path that saves the account.
        from mailcover.accounts import tokens  # noqa: F401
