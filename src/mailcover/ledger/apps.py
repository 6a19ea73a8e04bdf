from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "mailcover.ledger"
    label = "ledger"
    verbose_name = "Ledger"
