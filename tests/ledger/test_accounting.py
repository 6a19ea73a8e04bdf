"""The Privacy Act accounting (PA-ACCOUNT, PA-KEEP, PA-SUBJECT): disclosures go on the
ledger with the transaction that makes them, and the accounting per subject, as a page
and a CSV, is read back from the ledger alone; only oversight sees it."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from tests.conftest import signed_in as verified_session

from mailcover.accounts.models import Agency
from mailcover.covers.models import Subject
from mailcover.law.accounting import Nature, SystemOfRecords
from mailcover.law.errors import RuleBroken
from mailcover.ledger import accounting
from mailcover.ledger.models import Entry

AT = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)


@pytest.fixture
def subject(db: None) -> Subject:
    return Subject.objects.create(name="JOHN Q PUBLIC", address="123 MAIN ST, SPRINGFIELD IL")


@pytest.fixture
def agency(people: Any) -> Agency:
    found: Agency = people.requester.agency
    found.address = "800 E MONROE ST, SPRINGFIELD IL 62701"
    found.save()
    return found


def disclose(people: Any, subject: Subject, agency: Agency, **changes: Any) -> Entry:
    given: dict[str, Any] = {
        "subject_id": subject.pk,
        "case": "MC-2026-000001",
        "recipient": agency,
        "nature": Nature.CAPTURE_VIEW,
        "purpose": "Investigation of mail fraud, 18 U.S.C. 1341",
        "law_enforcement": True,
        "agency_head_written_request": False,
    } | changes
    return accounting.record_disclosure(people.requester, given.pop("at", AT), **given)


class TestRecordingADisclosure:
    def test_puts_date_nature_purpose_and_recipient_on_the_ledger(
        self, people: Any, subject: Subject, agency: Agency
    ) -> None:
        entry = disclose(people, subject, agency)

        assert entry.event == "disclosure"
        assert entry.subject_ref == subject.pk
        assert entry.details["recipient"] == {
            "name": "Springfield Police Department",
            "address": "800 E MONROE ST, SPRINGFIELD IL 62701",
        }
        assert entry.details["nature"] == Nature.CAPTURE_VIEW
        assert entry.refs["recipient_agency"] == agency.pk
        # The subject is an id on the ledger, never a name.
        assert b"JOHN Q PUBLIC" not in bytes(entry.data)

    def test_pa_account_is_refused_when_the_recipient_has_no_address_on_file(
        self, people: Any, subject: Subject
    ) -> None:
        before = Entry.objects.count()

        with pytest.raises(RuleBroken) as refused:
            disclose(people, subject, people.requester.agency)

        assert refused.value.rule == "PA-ACCOUNT"
        assert refused.value.violations[0].field == "recipient_address"
        assert Entry.objects.count() == before

    def test_is_refused_without_a_purpose(
        self, people: Any, subject: Subject, agency: Agency
    ) -> None:
        with pytest.raises(RuleBroken, match="purpose"):
            disclose(people, subject, agency, purpose=" ")

    def test_rolls_back_with_the_disclosure_that_failed(
        self, people: Any, subject: Subject, agency: Agency
    ) -> None:
        def disclose_then_fail() -> None:
            with transaction.atomic():
                disclose(people, subject, agency)
                raise RuntimeError("the disclosure itself failed")

        with pytest.raises(RuntimeError):
            disclose_then_fail()

        assert accounting.accounting_for(subject.pk) == []


class TestTheAccounting:
    def test_lists_a_subjects_disclosures_oldest_first_and_no_one_elses(
        self, people: Any, subject: Subject, agency: Agency
    ) -> None:
        other = Subject.objects.create(name="RICHARD ROE", address="1 ELM ST")
        later = disclose(people, subject, agency, at=AT.replace(day=5))
        earlier = disclose(people, subject, agency, at=AT.replace(day=3))
        disclose(people, other, agency)

        found = accounting.accounting_for(subject.pk)

        assert [a.seq for a in found] == [earlier.seq, later.seq]
        assert found[0].disclosed_by == "requester"
        assert accounting.subjects_with_disclosures() == [(subject.pk, 2), (other.pk, 1)]

    def test_pa_subject_the_subjects_copy_leaves_out_b7_disclosures_of_a_system_not_exempt(
        self, people: Any, subject: Subject, agency: Agency
    ) -> None:
        shown = disclose(people, subject, agency, system=SystemOfRecords.CUSTOMER)
        disclose(
            people,
            subject,
            agency,
            system=SystemOfRecords.CUSTOMER,
            agency_head_written_request=True,
        )

        full = accounting.accounting_for(subject.pk)
        copy = accounting.accounting_for(subject.pk, subject_copy=True)

        assert len(full) == 2
        assert [a.seq for a in copy] == [shown.seq]

    def test_pa_subject_the_subjects_copy_leaves_out_mail_cover_data_kept_in_full(
        self, people: Any, subject: Subject, agency: Agency
    ) -> None:
        entry = disclose(people, subject, agency, system=SystemOfRecords.MAIL_COVER)

        full = accounting.accounting_for(subject.pk)
        copy = accounting.accounting_for(subject.pk, subject_copy=True)

        assert entry.details["system_of_records"] == "USPS 700.100"
        assert [a.seq for a in full] == [entry.seq]
        assert full[0].disclosure.system is SystemOfRecords.MAIL_COVER
        assert copy == []

    def test_pa_keep_survives_the_destruction_of_the_subjects_record(
        self, people: Any, subject: Subject, agency: Agency
    ) -> None:
        disclose(people, subject, agency)
        subject_id = subject.pk
        subject.delete()

        assert len(accounting.accounting_for(subject_id)) == 1

    def test_pa_keep_a_disclosure_entry_cannot_be_deleted_or_changed(
        self, people: Any, subject: Subject, agency: Agency
    ) -> None:
        entry = disclose(people, subject, agency)

        with pytest.raises(PermissionError):
            entry.delete()
        with pytest.raises(PermissionError):
            Entry.objects.filter(event="disclosure").update(event="nothing")

        assert len(accounting.accounting_for(subject.pk)) == 1

    def test_csv_has_the_c1_columns_and_defuses_formulas(
        self, people: Any, subject: Subject, agency: Agency
    ) -> None:
        disclose(people, subject, agency, purpose="=HYPERLINK(1)")

        rows = list(
            csv.reader(io.StringIO(accounting.as_csv(accounting.accounting_for(subject.pk))))
        )

        assert rows[0] == [*accounting.CSV_COLUMNS, "date (UTC)"]
        assert rows[1][0] == "2026-11-02T15:00:00.000000Z"
        assert rows[1][-1] == "2026-11-02 15:00 UTC"
        assert rows[1][2] == "'=HYPERLINK(1)"
        assert rows[1][3:5] == [
            "Springfield Police Department",
            "800 E MONROE ST, SPRINGFIELD IL 62701",
        ]


def signed_in(user: Any) -> Client:
    """A session as the sign-in page leaves it (tests.conftest.signed_in)."""
    return verified_session(user)


class TestTheAccountingPages:
    def test_oversight_sees_the_index_the_subject_page_and_both_csvs(
        self, people: Any, subject: Subject, agency: Agency
    ) -> None:
        disclose(people, subject, agency, nature=Nature.CAPTURE_VIEW)
        disclose(
            people,
            subject,
            agency,
            nature=Nature.COVER_REPORT,
            agency_head_written_request=True,
            system=SystemOfRecords.CUSTOMER,
        )
        disclose(people, subject, agency, nature=Nature.DISCOVERY, system=SystemOfRecords.CUSTOMER)
        client = signed_in(people.oversight)

        index = client.get("/ledger/accounting")
        page = client.get(f"/ledger/accounting/{subject.pk}")
        full = client.get(f"/ledger/accounting/{subject.pk}?format=csv")
        copy = client.get(f"/ledger/accounting/{subject.pk}?format=csv&copy=subject")

        assert index.status_code == page.status_code == 200
        assert "JOHN Q PUBLIC" in index.content.decode()
        assert Nature.COVER_REPORT in page.content.decode()
        assert full["Content-Type"].startswith("text/csv")
        assert "subject-copy" in copy["Content-Disposition"]
        assert Nature.COVER_REPORT in full.content.decode()
        assert Nature.COVER_REPORT not in copy.content.decode()
        assert Nature.CAPTURE_VIEW in full.content.decode()
        assert Nature.CAPTURE_VIEW not in copy.content.decode()  # the mail cover system
        assert Nature.DISCOVERY in copy.content.decode()

    @pytest.mark.parametrize(
        "who", ["requester", "approver", "chief", "inspector", "operator", "admin"]
    )
    def test_no_one_but_oversight_may_read_it(
        self, people: Any, subject: Subject, agency: Agency, who: str
    ) -> None:
        disclose(people, subject, agency)
        client = signed_in(getattr(people, who))

        assert client.get("/ledger/accounting").status_code == 403
        assert client.get(f"/ledger/accounting/{subject.pk}").status_code == 403
        assert client.get(f"/ledger/accounting/{subject.pk}?format=csv").status_code == 403

    def test_someone_signed_out_is_sent_to_sign_in(self, subject: Subject) -> None:
        response = Client().get(f"/ledger/accounting/{subject.pk}?format=csv")

        assert response.status_code == 302
        assert "/sign-in" in response["Location"]
