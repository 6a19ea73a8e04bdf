"""SEC-OPERATOR: the operator probing an address, and the operator planting a piece.

An operator account feeds the mail stream. It must learn nothing of which addresses are
under cover (the answer to a batch is the same whether or not any piece in it was captured
or withheld as attorney mail), it feeds only the facilities it is bound to, and every
capture says which feed and account delivered it, up to the discovery package a court
sees. A batch of photographs is refused over a small size: no request does unbounded work.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import zipfile
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from tests.covers.conftest import draft_for

from mailcover import cli, matching
from mailcover.accounts.models import Agency
from mailcover.covers import actions, feeds, ingest
from mailcover.covers.models import AttorneyExclusion, Capture, OperatorFacility, StreamTally
from mailcover.imaging.read import ImageError
from mailcover.law.errors import RuleBroken
from mailcover.ledger.models import Entry

SPRINGFIELD = "SPRINGFIELD IL P&DC"
TO_SUBJECT = ["JOHN Q PUBLIC", "123 MAIN ST APT 4", "SPRINGFIELD IL 62704-1234"]
FROM_ATTORNEY = ["JANE ROE ESQ", "1 COURT SQ", "SPRINGFIELD IL 62701"]
UNCOVERED = ["MARY MAJOR", "77 OAK ST", "SPRINGFIELD IL 62704"]
DISCOVERY = {
    "proceeding": "UNITED STATES v. PUBLIC, No. 1:26-cr-00042",
    "court": "U.S. DISTRICT COURT, N.D. ILL.",
    "recipient_name": "JANE ROE ESQ, counsel for the defendant",
    "recipient_address": "1 COURT SQ, SPRINGFIELD IL 62701",
}


def event(piece_id: str, addressee: Any = TO_SUBJECT, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "piece_id": piece_id,
        "scanned_at": timezone.now().isoformat(),
        "facility": SPRINGFIELD,
        "mail_class": "first-class",
        "imb": None,
        "addressee": addressee,
        "return_address": ["ACME CORP", "PO BOX 100", "DENVER CO 80201"],
        "image": None,
    }
    body.update(changes)
    return body


def probe() -> list[dict[str, Any]]:
    """The operator's probe: the subject's mail, the attorney's letter to the subject, a
    neighbour's letter, and one bad item (so the answer has a rejection to compare too)."""
    return [
        event("P-SUBJECT"),
        event("P-ATTORNEY", return_address=FROM_ATTORNEY),
        event("P-NEIGHBOUR", UNCOVERED),
        event("P-BAD", mail_class="postcard"),
    ]


@pytest.fixture(autouse=True)
def springfield_operator(people: Any) -> None:
    Agency.objects.filter(address="").update(address="1 POLICE PLAZA, SPRINGFIELD IL 62701")
    feeds.bind(people.operator, SPRINGFIELD, timezone.now())


def put_under_cover(people: Any) -> Any:
    filed = actions.file_request(people.requester, draft_for(people.requester), timezone.now())
    return actions.approve(people.approver, filed, 30, timezone.now())


def feed(api: Any, people: Any, batch: Any) -> Any:
    return api.post("/mail-pieces", batch, people.operator)


# --- the operator probing an address --------------------------------------------------------


def test_sec_operator_the_answer_is_the_same_whether_or_not_an_address_is_under_cover(api, people):
    nothing_covered = feed(api, people, probe())
    order = put_under_cover(people)
    covered = feed(api, people, probe())

    # The cover did its work: the subject's piece is kept, the attorney's letter withheld...
    assert list(Capture.objects.values_list("piece_id", flat=True)) == ["P-SUBJECT"]
    assert AttorneyExclusion.objects.get(order=order).pieces == 1
    # ...and the operator cannot tell: the same status, the same bytes, the same headers.
    assert covered.status_code == nothing_covered.status_code == 200
    assert covered.content == nothing_covered.content
    assert covered.headers == nothing_covered.headers
    answer = json.loads(covered.content)
    assert set(answer) == {"received", "rejected"}
    assert answer["received"] == 4
    assert [r["index"] for r in answer["rejected"]] == [3]
    # Oversight still has every count, in the tally and on the ledger.
    tally = StreamTally.objects.order_by("pk").last()
    assert (tally.captured, tally.excluded, tally.no_order) == (1, 1, 1)


def test_sec_operator_a_one_piece_probe_tells_nothing_either(api, people):
    put_under_cover(people)
    answers = {
        name: feed(api, people, [piece]).content
        for name, piece in [
            ("subject", event("P-1")),
            ("attorney", event("P-2", return_address=FROM_ATTORNEY)),
            ("neighbour", event("P-3", UNCOVERED)),
        ]
    }
    assert len(set(answers.values())) == 1, answers


def test_sec_operator_made_up_addresses_at_the_subjects_door_tell_nothing(api, people):
    # Text-only pieces are parsed only near an order (the slow part); what the sender is told
    # must still not depend on it: a street corner, a number without a street, a broken
    # ZIP+4, a state that is none, at the subject's ZIP and house number, and slips that the
    # matcher forgives, each answered alike with and without the cover.
    made_up = [
        ["JOHN Q PUBLIC", "123 MAIN ST & OAK AVE", "SPRINGFIELD IL 62704"],
        ["JOHN Q PUBLIC", "123", "SPRINGFIELD IL 62704"],
        ["JOHN Q PUBLIC", "123 MAIN ST APT 4", "SPRINGFIELD IL 62704-12"],
        ["JOHN Q PUBLIC", "123 MAIN ST APT 4", "SPRINGFIELD ZZ 62704"],
        ["JOHN Q PUBLIC", "123 MAIN ST APT 4", "SPRINGFIELD MO 62704"],
        ["MR JOHN PUBLIC", "123 MA1N 5T", "5TE 4", "5PRINGFIELD 1L 62704"],
        ["JOHN Q PUBLIC", "SPRINGFIELD IL 62704"],
    ]
    batch = [event(f"P-{i}", lines) for i, lines in enumerate(made_up)]
    nothing_covered = feed(api, people, batch)
    put_under_cover(people)
    covered = feed(api, people, [event(f"Q-{i}", lines) for i, lines in enumerate(made_up)])
    assert covered.status_code == nothing_covered.status_code == 200
    assert covered.content == nothing_covered.content
    assert Capture.objects.filter(piece_id="Q-5").exists()  # the slips were forgiven


def test_sec_operator_a_matching_failure_is_counted_not_told(api, people, monkeypatch):
    """A failure inside matching may depend on the orders a piece met: it is not a
    rejection the sender would see."""
    put_under_cover(people)

    def fails(*args: Any, **kwargs: Any) -> Any:
        raise ingest.MatchError("matching a piece failed (KeyError)")

    monkeypatch.setattr(matching.MatchIndex, "match", fails)
    answer = feed(api, people, [event("P-1")]).json()
    assert answer == {"received": 1, "rejected": []}
    assert StreamTally.objects.get().unreadable == 1


# --- the operator planting a piece ----------------------------------------------------------


def test_sec_operator_a_piece_from_another_facility_is_refused_and_the_rest_kept(api, people):
    put_under_cover(people)
    planted = event("P-PLANTED", facility="DENVER CO P&DC")
    answer = feed(api, people, [event("P-1"), planted, event("P-3")]).json()

    assert answer["received"] == 3
    [refused] = answer["rejected"]
    assert refused["index"] == 1
    assert "(SEC-OPERATOR)" in refused["error"]
    assert "DENVER" not in refused["error"]  # the reason quotes nothing of the piece
    assert sorted(Capture.objects.values_list("piece_id", flat=True)) == ["P-1", "P-3"]


def test_sec_operator_facilities_compare_by_spelling_not_case_or_spacing(api, people):
    put_under_cover(people)
    answer = feed(api, people, [event("P-1", facility="  springfield   il p&dc ")]).json()
    assert answer["rejected"] == []
    assert Capture.objects.get().piece_id == "P-1"


def test_sec_operator_an_operator_bound_to_no_facility_feeds_nothing(api, people):
    put_under_cover(people)
    feeds.unbind(people.operator, SPRINGFIELD, timezone.now())
    answer = feed(api, people, [event("P-1"), event("P-2")]).json()
    assert [r["index"] for r in answer["rejected"]] == [0, 1]
    assert not Capture.objects.exists()


def test_sec_operator_binding_is_on_the_ledger_and_only_for_operator_accounts(people):
    now = timezone.now()
    assert feeds.bind(people.operator, "Denver CO P&DC", now)
    assert not feeds.bind(people.operator, "DENVER CO P&DC", now)  # already bound
    bound = Entry.objects.filter(event="operator.facility_bound").order_by("seq").last()
    assert bound.entry.details["facility"] == "DENVER CO P&DC"
    assert bound.entry.refs["user"] == people.operator.pk
    assert feeds.unbind(people.operator, "denver co p&dc", now)
    assert Entry.objects.filter(event="operator.facility_unbound").count() == 1

    with pytest.raises(RuleBroken) as refused:
        feeds.bind(people.requester, SPRINGFIELD, now)
    assert refused.value.rule == "SEC-OPERATOR"
    # The admin's form runs the same rule (the model's clean).
    with pytest.raises(ValidationError, match="SEC-OPERATOR"):
        OperatorFacility(operator=people.requester, facility=SPRINGFIELD).full_clean()


def test_sec_operator_the_server_shell_binds_and_lists_an_operators_facilities(people, capsys):
    code = cli.main(["operator", "facilities", "operator", "--add", "Peoria IL P&DC"])
    assert code == 0
    assert "PEORIA IL P&DC" in capsys.readouterr().out
    assert set(feeds.bound_facilities(people.operator)) == {SPRINGFIELD, "PEORIA IL P&DC"}
    assert cli.main(["operator", "facilities", "requester", "--add", "X"]) == 2
    assert "SEC-OPERATOR" in capsys.readouterr().err
    assert cli.main(["operator", "facilities", "nobody"]) == 2


# --- provenance -----------------------------------------------------------------------------


def test_sec_operator_a_capture_keeps_which_feed_and_account_delivered_it(api, people):
    put_under_cover(people)
    feed(api, people, [event("P-API")])
    ingest.ingest_lines([json.dumps(event("P-SHELL"))], "cli")

    by_piece = {c.piece_id: c for c in Capture.objects.all()}
    assert (by_piece["P-API"].feed, by_piece["P-API"].fed_by) == ("api", people.operator)
    assert (by_piece["P-SHELL"].feed, by_piece["P-SHELL"].fed_by) == ("cli", None)
    recorded = Entry.objects.filter(event="capture.recorded").order_by("seq").first().entry
    assert recorded.details["feed"] == "api"
    assert recorded.actor.username == "operator"


def test_sec_operator_the_discovery_package_shows_each_captures_provenance(api, people):
    order = put_under_cover(people)
    feed(api, people, [event("P-API")])
    ingest.ingest_lines([json.dumps(event("P-SHELL"))], "cli")

    answer = api.post(f"/cover-orders/{order.pk}/discovery", DISCOVERY, people.requester)
    assert answer.status_code == 200, answer.content
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    rows = {
        r["piece_id"]: r for r in csv.DictReader(io.StringIO(archive.read("captures.csv").decode()))
    }
    assert (rows["P-API"]["feed"], rows["P-API"]["fed_by"]) == ("api", "operator")
    assert (rows["P-SHELL"]["feed"], rows["P-SHELL"]["fed_by"]) == ("cli", "")
    provenance = json.loads(archive.read("manifest.json"))["provenance"]
    assert provenance["captures_by_feed"] == [
        {"feed": "api", "fed_by": "operator", "captures": 1},
        {"feed": "cli", "fed_by": None, "captures": 1},
    ]
    assert set(provenance["feeds"]) == {"api", "cli"}


# --- no unbounded work in the web server ---------------------------------------------------


def photograph(piece_id: str) -> dict[str, Any]:
    return event(piece_id, None, return_address=None, image="data:image/png;base64,AAAA")


def test_an_image_only_batch_over_the_limit_is_refused_whole(api, people, settings):
    settings.MAILCOVER_IMAGE_ONLY_BATCH_MAX = 2
    response = feed(api, people, [photograph(f"P-{i}") for i in range(3)] + [event("P-9")])
    assert response.status_code == 413
    detail = response.json()["detail"]
    assert "at most 2" in detail
    assert "mailcover ingest" in detail
    assert not StreamTally.objects.exists()  # nothing was read


class Unreadable:
    """An envelope reader that reads nothing (the real one starts an OCR process)."""

    def read(self, data: bytes) -> Any:
        raise ImageError("unreadable", "no text found")

    def close(self) -> None:
        pass


def test_the_ocr_budget_holds_even_for_pieces_the_count_did_not_see(people):
    """The web server counts photographs before it starts; the ingest holds the line too."""
    fed = ingest.Ingestor(
        "api",
        people.operator,
        facilities=frozenset({SPRINGFIELD}),
        ocr_limit=1,
        reader=Unreadable(),  # type: ignore[arg-type]
    )
    fed.feed(0, photograph("P-1"))
    fed.feed(1, photograph("P-2"))
    summary = fed.finish()
    assert [r.index for r in summary.rejected] == [0, 1]  # P-1: not read; P-2: over budget
    assert "mailcover ingest" in summary.rejected[1].error


def test_a_batch_stops_at_its_time_limit_and_keeps_the_tally(api, people, monkeypatch, settings):
    settings.MAILCOVER_BATCH_SECONDS = 30
    ticks = itertools.count(0, 20)  # each look at the clock: 20 s later
    monkeypatch.setattr("mailcover.covers.api.monotonic", lambda: next(ticks))
    put_under_cover(people)
    # The clock is read only every TIME_CHECK_EVERY items: the first chunk is read whole,
    # and the cut falls on a chunk's edge, whatever each piece cost.
    from mailcover.covers.api import TIME_CHECK_EVERY

    pieces = [event(f"P-{i}") for i in range(TIME_CHECK_EVERY + 2)]
    answer = feed(api, people, pieces).json()
    assert answer["received"] == TIME_CHECK_EVERY + 2
    [late] = answer["rejected"]
    assert late["index"] == TIME_CHECK_EVERY
    assert (
        f"items {TIME_CHECK_EVERY} to {TIME_CHECK_EVERY + 1} were not read within the 30 seconds"
        in late["error"]
    )
    assert StreamTally.objects.get().received == TIME_CHECK_EVERY + 2
    assert Capture.objects.filter(piece_id="P-0").exists()
    assert not Capture.objects.filter(piece_id=f"P-{TIME_CHECK_EVERY}").exists()
