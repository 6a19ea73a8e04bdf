from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from mailcover.covers.demo import DEMO_PASSWORD, seed, sign_ins
from mailcover.ledger import checkpoints
from mailcover.records.demo import customers_to_try


class Command(BaseCommand):
    help = "Seed the synthetic demo world (once) and print the demo sign-ins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=233)
        parser.add_argument(
            "--photographs",
            type=int,
            default=6,
            help="pieces the demo stream carries as a photograph alone, read by OCR",
        )
        parser.add_argument(
            "--no-photographs",
            action="store_true",
            help="draw no envelope images at all (a faster seed)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            made = seed(
                options["seed"],
                timezone.now(),
                photographs=None if options["no_photographs"] else options["photographs"],
            )
            # The demo's history is on the ledger; sign a checkpoint of all of it.
            checkpoints.publish(timezone.now())
        self.stdout.write("Seeded the demo world." if made else "The demo world is already seeded.")
        self.stdout.write(
            f"\nDemo sign-ins (password for all: {DEMO_PASSWORD}; the one-time code comes from "
            "the secret shown, in an authenticator app or `oathtool --totp -b SECRET`):"
        )
        for username, roles, note, secret in sign_ins():
            self.stdout.write(f"  {username:<10} {roles:<10} code secret {secret:<32}  {note}")
        self.stdout.write(
            "\nCustomers to try a records request with (synthetic; sign in as requester, "
            "choose Records requests, then File a records request, and give any one "
            "identifier with a date range inside the records' span):"
        )
        for customer in customers_to_try():
            self.stdout.write(
                f"  {customer.name:<24} email {customer.email:<32} account "
                f"{customer.account_number:<12} tracking {customer.tracking_number}  "
                f"records {customer.first} to {customer.last}"
            )
