from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "mailcover.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # SEC-TOKENS: tokens end when the password changes, the account is deactivated or
        # loses a role, on every path that saves the account.
        from mailcover.accounts import tokens  # noqa: F401
        from mailcover.accounts.admin import unregister_device_pages

        # The admin discovered every app's pages before this (django.contrib.admin comes
        # first in INSTALLED_APPS): no admin page makes or shows another person's device.
        unregister_device_pages()
