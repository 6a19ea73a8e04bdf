"""Times in the viewer's own time zone, with the UTC moment on hover; the zone is each
person's own to set, and nobody else's."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.test import Client
from tests.conftest import signed_in
from tests.covers.conftest import draft_for

from mailcover.accounts.models import User
from mailcover.covers import actions
from mailcover.web import times

FILED_AT = datetime(2026, 11, 24, 18, 15, tzinfo=UTC)  # 10:15 in Los Angeles, 12:15 in Chicago
MARKUP = '<time datetime="2026-11-24T18:15:00Z" title="2026-11-24 18:15 UTC">{}</time>'


def _filed(people: Any) -> int:
    return actions.file_request(people.requester, draft_for(people.requester), FILED_AT).pk


def _zone(user: User, name: str) -> None:
    user.time_zone = name
    user.save(update_fields=["time_zone"])


def test_a_person_in_los_angeles_sees_the_local_time_with_the_utc_moment_on_hover(
    people: Any,
) -> None:
    filed = _filed(people)
    _zone(people.approver, "America/Los_Angeles")

    page = signed_in(people.approver).get(f"/requests/{filed}").content.decode()

    assert MARKUP.format("2026-11-24 10:15 PST") in page
    assert "18:15 UTC</time>" not in page


def test_without_a_zone_of_their_own_a_person_sees_their_agency_s(people: Any) -> None:
    filed = _filed(people)
    agency = people.requester.agency
    agency.time_zone = "America/Chicago"
    agency.save(update_fields=["time_zone"])

    page = signed_in(people.requester).get(f"/requests/{filed}").content.decode()

    assert MARKUP.format("2026-11-24 12:15 CST") in page


def test_with_no_zone_anywhere_times_are_in_the_service_s_own(people: Any) -> None:
    filed = _filed(people)

    page = signed_in(people.approver).get(f"/requests/{filed}").content.decode()

    assert MARKUP.format("2026-11-24 18:15 UTC") in page


def test_the_api_keeps_utc_whatever_the_person_s_zone(people: Any, api: Any) -> None:
    filed = _filed(people)
    _zone(people.requester, "America/Los_Angeles")

    answer = api.get(f"/cover-requests/{filed}", people.requester).json()

    assert "2026-11-24T18:15:00" in str(answer)
    assert "10:15" not in str(answer)


def test_a_person_sets_their_zone_on_the_preferences_page(people: Any) -> None:
    browser = signed_in(people.requester)

    answer = browser.post("/accounts/preferences", {"time_zone": "America/Denver"})

    assert answer.status_code == 302
    people.requester.refresh_from_db()
    assert people.requester.time_zone == "America/Denver"
    page = browser.get("/accounts/preferences").content.decode()
    assert 'data-testid="zone-now">America/Denver<' in page


def test_an_empty_zone_goes_back_to_the_agency_s(people: Any) -> None:
    _zone(people.requester, "America/Denver")

    signed_in(people.requester).post("/accounts/preferences", {"time_zone": ""})

    people.requester.refresh_from_db()
    assert people.requester.time_zone == ""
    assert times.zone_name_for(people.requester) == "UTC"


def test_an_unknown_zone_is_refused_with_the_field_named(people: Any) -> None:
    _zone(people.requester, "America/Denver")

    answer = signed_in(people.requester).post(
        "/accounts/preferences", {"time_zone": "Mars/Olympus_Mons"}
    )

    assert answer.status_code == 422
    page = answer.content.decode()
    field = page.split('data-field="time_zone"')[1].split("</div>\n</div>")[0]
    assert "usa-error-message" in field
    assert "“Mars/Olympus_Mons” is not a time zone name we know" in field
    assert '<a href="#id_time_zone">Time zone</a>' in page  # the summary names the field
    people.requester.refresh_from_db()
    assert people.requester.time_zone == "America/Denver"


def test_a_path_is_not_a_zone(people: Any) -> None:
    assert times.zone_problem("../../etc/passwd") is not None
    assert times.zone_problem("America/Los_Angeles") is None
    assert times.zone_problem("UTC") is None


def test_nobody_changes_someone_else_s_zone(people: Any) -> None:
    _zone(people.colleague, "America/Chicago")

    signed_in(people.requester).post(
        "/accounts/preferences",
        {"time_zone": "Pacific/Guam", "user": people.colleague.pk, "username": "colleague"},
    )
    signed_in(people.admin).post(
        f"/accounts/preferences?user={people.colleague.pk}", {"time_zone": "Pacific/Guam"}
    )

    people.colleague.refresh_from_db()
    assert people.colleague.time_zone == "America/Chicago"
    people.requester.refresh_from_db()
    assert people.requester.time_zone == "Pacific/Guam"  # only ever their own


def test_someone_not_signed_in_changes_nothing(people: Any) -> None:
    answer = Client().post("/accounts/preferences", {"time_zone": "Pacific/Guam"})

    assert answer.status_code == 302
    assert "/sign-in" in answer["Location"]
    assert not User.objects.filter(time_zone="Pacific/Guam").exists()


def test_every_role_reaches_its_preferences(people: Any) -> None:
    for person in (people.requester, people.oversight, people.operator, people.admin):
        page = signed_in(person).get("/")
        assert 'href="/accounts/preferences"' in page.content.decode(), person.username
        assert signed_in(person).get("/accounts/preferences").status_code == 200
