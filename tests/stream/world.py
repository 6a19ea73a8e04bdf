"""The cases the stream tests' workers match against, filed and approved in the tests'
database by a process of its own (the workers are processes too, so the database is a real
one they share: a file for SQLite, a database of its own on PostgreSQL).

    python -m tests.stream.world setup      the people, and an order on JOHN Q PUBLIC
    python -m tests.stream.world approve    an order on MARY MAJOR, approved now
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from mailcover.config.startup import start

PASSWORD = "stream-test-password"
JOHN = ("JOHN Q PUBLIC", "123 MAIN ST APT 4, SPRINGFIELD IL 62704-1234")
MARY = ("MARY MAJOR", "77 OAK ST, SPRINGFIELD IL 62704")


def _people() -> tuple[object, object]:
    from mailcover.accounts.models import User
    from mailcover.accounts.provisioning import NewUser, add_user
    from mailcover.law.terms import Policy

    earlier = datetime(2020, 1, 1, tzinfo=UTC)
    requester = User.objects.filter(username="requester").first() or add_user(
        NewUser("requester", "Springfield Police Department", ["requester"], PASSWORD,
                agency_level="local", nondisclosure=True, agency_verified="LE-VERIFY-TEST"),
        earlier, Policy(),
    )  # fmt: skip
    approver = User.objects.filter(username="approver").first() or add_user(
        NewUser("approver", "U.S. Postal Inspection Service", ["approver"], PASSWORD,
                agency_level="postal", delegation="DEL-OSG-1", delegation_scope="osg_designee",
                nondisclosure=True),
        earlier, Policy(),
    )  # fmt: skip
    return requester, approver


def order_on(name: str, address: str, starts: datetime) -> int:
    from mailcover.covers import actions
    from mailcover.law.requests import CoverRequestDraft

    requester, approver = _people()
    draft = CoverRequestDraft(
        subject_name=name,
        subject_address=address,
        aliases=(),
        grounds="crime",
        statute="18 U.S.C. 1341",
        max_penalty_years=Decimal(20),
        facts="Victims of a lottery scheme mailed cheques to this address.",
        scope="addressee",
        days=30,
        requester_agency_level="local",
        attorneys=(),
    )
    filed = actions.file_request(requester, draft, starts - timedelta(minutes=1))
    return int(actions.approve(approver, filed, None, starts).pk)


def main() -> None:
    start()
    from django.core.management import call_command
    from django.utils import timezone

    if sys.argv[1] == "setup":
        call_command("migrate", interactive=False, verbosity=0)
        order = order_on(*JOHN, timezone.now() - timedelta(days=1))
    else:
        order = order_on(*MARY, timezone.now())
    print(json.dumps({"order": order}))


if __name__ == "__main__":
    main()
