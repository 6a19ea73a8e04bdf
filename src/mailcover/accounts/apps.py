from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "mailcover.accounts"
    label = "accounts"
    verbose_name = "Accounts"
