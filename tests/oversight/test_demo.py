"""The demo's oversight pages: every compliance check with a real figure, from the world the
demo seeds (OIG-*)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone
from tests.conftest import signed_in

from mailcover.accounts.models import User
from mailcover.covers.models import Capture
from mailcover.law.compliance import Check
from mailcover.law.terms import Policy
from mailcover.oversight import compliance, retention

pytestmark = pytest.mark.django_db(transaction=False)


def test_the_demo_gives_every_check_a_figure_and_the_failures_it_seeded():
    with TestCase.captureOnCommitCallbacks(execute=True):  # keys go once the seed commits
        call_command("seed_demo", "--no-photographs", stdout=StringIO())
    results = {r.check: r for r in compliance.run_all(timezone.now(), Policy())}
    assert set(results) == set(Check)
    for check in (Check.AUTHORITY, Check.JUSTIFICATION, Check.UNIQUE, Check.AFTER_EXPIRY):
        assert results[check].figure == "0", results[check].findings
        assert results[check].examined > 0
    assert results[Check.AFTER_EXPIRY].examined == Capture.objects.count()
    nondisclosure = results[Check.NONDISCLOSURE]
    assert [f.user_id for f in nondisclosure.findings] == [User.objects.get(username="analyst").pk]
    assert results[Check.RETURN].figure == "1"
    late = [f.reason for f in results[Check.TIMELINESS].findings]
    assert "request decided after 168.0 h (target 120.0 h)" in late
    assert results[Check.REVIEW].figure == "0"
    # The improper order's data was destroyed; nothing is left due (MC-IMPROPER).
    assert retention.due_for_destruction(timezone.now()) == []

    client = signed_in(User.objects.get(username="oversight"))
    page = client.get("/compliance").content.decode()
    for check in Check:
        assert f'data-check="{check.value}"' in page
