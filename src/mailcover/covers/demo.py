"""A believable synthetic world for the demo: agencies of every level, a person for
every role, and requests in every state, made by the same actions people use,
at moments in the past."""

from __future__ import annotations

import base64
import hashlib
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from faker import Faker

from mailcover.accounts import grants
from mailcover.accounts.models import Agency, User
from mailcover.accounts.provisioning import NewUser, add_user
from mailcover.covers import actions, demo_facts, feeds, in_force, ingest
from mailcover.covers.models import CoverOrder, CoverRequest
from mailcover.imaging.render import NOISE, Envelope, encoded, render
from mailcover.law.extensions import ExtensionDraft
from mailcover.law.grants import ChangeKind
from mailcover.law.requests import AgencyHeadApproval, AttorneyEntry, CoverRequestDraft
from mailcover.law.sign_in import needs_second_factor
from mailcover.law.terms import REQUESTING_LEVELS, AgencyLevel, Role
from mailcover.matching import synth
from mailcover.matching.names import readings
from mailcover.oversight import retention
from mailcover.oversight.actions import record_report_return
from mailcover.postal.address import Address
from mailcover.postal.imb import ImbError, read
from mailcover.records.demo import RecordsWorld

DEMO_PASSWORD = "mailcover-demo-2026"

AGENCIES = [
    ("U.S. Postal Inspection Service", AgencyLevel.POSTAL),
    ("Federal Bureau of Investigation", AgencyLevel.FEDERAL),
    ("Drug Enforcement Administration", AgencyLevel.FEDERAL),
    ("U.S. Marshals Service", AgencyLevel.FEDERAL),
    ("Illinois State Police", AgencyLevel.STATE),
    ("Colorado Bureau of Investigation", AgencyLevel.STATE),
    ("Springfield Police Department", AgencyLevel.LOCAL),
    ("Denver Police Department", AgencyLevel.LOCAL),
    ("Office of Inspector General, U.S. Postal Service", AgencyLevel.OVERSIGHT),
]
POSTAL = AGENCIES[0][0]
# Each agency's time zone, where its people read times (web/times.py): the headquarters of
# the federal agencies and of the oversight body are in the Washington area.
TIME_ZONES = {
    "Illinois State Police": "America/Chicago",
    "Springfield Police Department": "America/Chicago",
    "Colorado Bureau of Investigation": "America/Denver",
    "Denver Police Department": "America/Denver",
}
OVERSIGHT_BODY = AGENCIES[-1][0]

# PA-ACCOUNT: a disclosure names its recipient's address, so each agency has one: the
# published address of its headquarters, whose city, state and ZIP Code fit together.
AGENCY_ADDRESSES = {
    "U.S. Postal Inspection Service": "475 L'Enfant Plaza SW, Washington, DC 20260",
    "Federal Bureau of Investigation": "935 Pennsylvania Ave NW, Washington, DC 20535",
    "Drug Enforcement Administration": "8701 Morrissette Dr, Springfield, VA 22152",
    "U.S. Marshals Service": "1215 S Clark St, Arlington, VA 22202",
    "Illinois State Police": "801 S 7th St, Springfield, IL 62703",
    "Colorado Bureau of Investigation": "690 Kipling St, Lakewood, CO 80215",
    "Springfield Police Department": "800 E Monroe St, Springfield, IL 62701",
    "Denver Police Department": "1331 Cherokee St, Denver, CO 80204",
    "Office of Inspector General, U.S. Postal Service": "1735 N Lynn St, Arlington, VA 22209",
}
# Where each requester's cases are: a state or city agency's subjects live in its state.
CASE_STATES = {"requester": "IL", "trooper": "IL"}


@dataclass(frozen=True)
class DemoPerson:
    username: str
    agency: str
    roles: tuple[str, ...]
    delegation: str | None = None
    scope: str | None = None
    note: str = ""


PEOPLE = [
    DemoPerson(
        "requester",
        "Springfield Police Department",
        ("requester",),
        note="local police officer: files cover and records requests",
    ),
    DemoPerson(
        "agent",
        "Federal Bureau of Investigation",
        ("requester",),
        note="federal agent: files cover and records requests",
    ),
    DemoPerson(
        "trooper", "Illinois State Police", ("requester",), note="state trooper: files requests"
    ),
    DemoPerson(
        "inspector",
        POSTAL,
        ("inspector",),
        note="postal inspector: files cover requests, reviews records requests",
    ),
    DemoPerson(
        "approver",
        POSTAL,
        ("approver",),
        "DEL-OSG-2025-07",
        "osg_designee",
        "Operations Support Group designee",
    ),
    DemoPerson(
        "hq",
        POSTAL,
        ("approver",),
        "DEL-HQ-2025-01",
        "hq_designee",
        "headquarters designee: national security and past 120 days",
    ),
    DemoPerson(
        "iic",
        POSTAL,
        ("approver",),
        "DEL-IIC-2025-12",
        "inspector_in_charge",
        "Inspector in Charge: emergencies only",
    ),
    DemoPerson("chief", POSTAL, ("chief",), "DEL-CPI-2024-01", "chief", "Chief Postal Inspector"),
    DemoPerson(
        "oversight", OVERSIGHT_BODY, ("oversight",), note="reads everything, changes nothing"
    ),
    DemoPerson(
        "head",
        OVERSIGHT_BODY,
        ("oversight", "oversight_head"),
        note="head of oversight: confirms oversight grants and acknowledgments",
    ),
    DemoPerson(
        "analyst",
        OVERSIGHT_BODY,
        ("oversight",),
        note="oversight analyst whose nondisclosure form is not on file yet (OIG-NONDISCLOSURE)",
    ),
    DemoPerson("operator", POSTAL, ("operator",), note="feeds the mail stream"),
    DemoPerson(
        "admin",
        POSTAL,
        ("admin",),
        note="manages accounts; proposes changes to power over cases, confirms none",
    ),
]

STATUTES = [
    ("18 U.S.C. 1341", 20),
    ("18 U.S.C. 1343", 20),
    ("21 U.S.C. 841", 20),
    ("18 U.S.C. 1708", 5),
    ("18 U.S.C. 1956", 20),
    ("18 U.S.C. 1029", 10),
]


class World:
    def __init__(self, seed: int, now: datetime, photographs: int | None = 6) -> None:
        self.photographs = photographs
        self.fake = Faker("en_US")
        self.fake.seed_instance(seed)
        self.rng = random.Random(seed)
        self.now = now
        self.people: dict[str, User] = {}

    def at(self, days_ago: float) -> datetime:
        return self.now - timedelta(days=days_ago)

    def add_people(self) -> None:
        levels = dict(AGENCIES)
        since = self.at(730)
        for person in PEOPLE:
            self.people[person.username] = add_user(
                NewUser(
                    username=person.username,
                    agency=person.agency,
                    agency_level=levels[person.agency].value,
                    roles=list(person.roles),
                    password=DEMO_PASSWORD,
                    delegation=person.delegation,
                    delegation_scope=person.scope,
                    nondisclosure=person.username != "analyst",
                    totp_secret=demo_totp_secret(person.username, person.roles),
                    full_name=self.fake.name(),
                    email=f"{person.username}@example.gov",
                    agency_verified=self.verification(person.agency),
                ),
                since,
                settings.MAILCOVER_POLICY,
            )
        for name, level in AGENCIES:
            if name not in {p.agency for p in PEOPLE}:
                add_user(
                    NewUser(
                        username=name.split()[0].lower() + "-officer",
                        agency=name,
                        agency_level=level.value,
                        roles=["requester"],
                        password=DEMO_PASSWORD,
                        nondisclosure=True,
                        full_name=self.fake.name(),
                        agency_verified=self.verification(name),
                        totp_secret=demo_totp_secret(name, ("requester",)),
                    ),
                    since,
                    settings.MAILCOVER_POLICY,
                )
        for name, _ in AGENCIES:
            Agency.objects.filter(name=name).update(
                time_zone=TIME_ZONES.get(name, "America/New_York")
            )
        for agency in Agency.objects.filter(address=""):
            agency.address = AGENCY_ADDRESSES[agency.name]
            agency.save(update_fields=["address"])

    def verification(self, agency: str) -> str | None:
        """SEC-ROLE-AGENCY: requesters sit at verified law-enforcement agencies."""
        level = dict(AGENCIES)[agency]
        return f"LE-VERIFY-{agency.split()[0].upper()}" if level in REQUESTING_LEVELS else None

    def pending_change(self) -> None:
        """SEC-TWO-PERSON: the analyst's acknowledgment, proposed by the admin, waits for
        the head of oversight to confirm it (OIG-NONDISCLOSURE finds it missing until then)."""
        grants.propose(
            self.people["admin"],
            grants.Proposal(
                ChangeKind.RECORD_ACKNOWLEDGMENT,
                account=self.people["analyst"],
                signed_on=self.at(1).date(),
            ),
            self.at(0.5),
            settings.MAILCOVER_POLICY,
        )

    def address(self, state: str | None = None) -> Address:
        # On the ZIP list, so that the matcher can read it (postal.address).
        return synth.address(self.rng, state)

    def draft(self, who: str, days_ago: float = 0, **changes: object) -> CoverRequestDraft:
        grounds = str(changes.get("grounds", "crime"))
        statute, years = self.rng.choice(STATUTES)
        if grounds == "fugitive":
            statute = "18 U.S.C. 1073"
        name = self.fake.name().upper()
        home = self.address(CASE_STATES.get(who))
        story = demo_facts.Story(name, home, self.at(days_ago).date(), self.rng)
        fields: dict[str, object] = dict(
            subject_name=name,
            subject_address=_text(home),
            aliases=_initial_and_surname(name),
            grounds=grounds,
            statute=statute,
            max_penalty_years=Decimal(years),
            scope="addressee",
            days=30,
            facts=demo_facts.facts(grounds, statute, story),
            requester_agency_level=self.people[who].agency.agency_level,  # type: ignore[union-attr]
            attorneys=(
                AttorneyEntry(
                    self.fake.name().upper() + " ESQ", _text(self.address(home.state or None))
                ),
            ),
        )
        fields.update(changes)
        return CoverRequestDraft(**fields)  # type: ignore[arg-type]

    def file(self, who: str, days_ago: float, **changes: object) -> CoverRequest:
        draft = self.draft(who, days_ago, **changes)
        return actions.file_request(self.people[who], draft, self.at(days_ago))

    def from_before(self) -> None:
        """An order filed before SVC-MATCHABLE refused subjects the matcher cannot use: in
        force, capturing nothing, and shown with a warning on its page and on the homes of
        the people who may see it. Filed as it was then, so its record is whole."""
        draft = self.draft(
            "trooper",
            3,
            subject_address="THE BLUE HOUSE BEHIND THE OLD MILL, SPRINGFIELD",
            aliases=("J JR.",),
        )
        filed = actions._file(  # only the demo files past the rule: data from before it
            self.people["trooper"], draft, self.at(3), None, matchable=False
        )
        self.approve("approver", filed, 2.9)

    def approve(
        self, who: str, filed: CoverRequest, days_ago: float, days: int | None = None
    ) -> CoverOrder:
        return actions.approve(self.people[who], filed, days, self.at(days_ago))

    def extend(
        self, who: str, order: CoverOrder, days_ago: float, approver: str, approved_days_ago: float
    ) -> CoverRequest:
        order.refresh_from_db()
        filed = actions.file_extension(
            self.people[who],
            order,
            ExtensionDraft(
                30,
                "Two covered pieces tied the subject to a second mail drop; the next period "
                "should identify the supplier.",
                indicted=False,
                represented_by_attorney=False,
            ),
            self.at(days_ago),
        )
        if approver:
            self.approve(approver, filed, approved_days_ago)
        return filed

    def review(self, who: str, order: CoverOrder, days_ago: float) -> None:
        actions.review(
            self.people[who],
            CoverOrder.objects.get(pk=order.pk),
            "Reviewed the facts, the captures so far and the scope: still necessary.",
            self.at(days_ago),
        )

    def build(self) -> None:
        self.add_people()
        self.every_state()
        for i in range(8):  # a believable backlog from several agencies
            who = self.rng.choice(["requester", "agent", "trooper", "inspector"])
            grounds = "postal_statute" if who == "inspector" else "crime"
            filed = self.file(who, 60 - i * 7, grounds=grounds)
            if i % 3 != 2:
                self.approve("approver", filed, 59 - i * 7)
        self.from_before()
        self.mail()
        # The stream is replayed at the moments it was scanned, so the improper order takes
        # pieces scanned before its ruling; the retention run destroys them, as in service.
        retention.run(self.now)
        RecordsWorld(self.people, self.rng.randrange(1 << 30), self.now).build()
        self.pending_change()

    def mail(self, pieces_per_order: int = 400) -> None:
        """A synthetic mail stream about every order (matching.synth), fed by the operator
        in the order it was scanned, each piece a couple of minutes after its scan: so that
        orders give captures while they were in force, ended ones included. Pieces an order
        is to capture carry a photograph of their envelope (imaging.render); the first
        `photographs` of them carry only that, and are read by OCR (None: no photographs)."""
        events: list[dict[str, object]] = []
        photographed = 0
        for order in in_force.covered_orders():
            facts = order.facts
            moment = min(self.now, facts.ends_at - timedelta(hours=1))
            if moment <= facts.starts_at:
                continue
            seed = self.rng.randrange(1 << 30)
            for event, truth in synth.stream([order], pieces_per_order, seed, moment):
                event["piece_id"] = f"D{order.order_id}-{event['piece_id']}"
                if self.photographs is not None and truth.captures and event.get("addressee"):
                    event["image"] = _photograph(event, seed)
                    if photographed < self.photographs:  # the first few: the photograph alone
                        photographed += 1
                        event["addressee"] = event["return_address"] = event["imb"] = None
                events.append(event)
        events.sort(key=lambda e: str(e["scanned_at"]))
        operator = self.people["operator"]
        for facility in sorted({str(e["facility"]) for e in events}):  # SEC-OPERATOR
            feeds.bind(operator, facility, self.now)
        clock = _StreamClock(self.now)
        feed = ingest.Ingestor(
            "demo", operator, clock=clock, facilities=frozenset(feeds.bound_facilities(operator))
        )
        for number, event in enumerate(events, 1):
            clock.at(datetime.fromisoformat(str(event["scanned_at"])))
            feed.feed(number, event)
            feed.flush()  # written at the demo's moment, not at the end of its history
        clock.at(self.now)
        feed.finish()

    def every_state(self) -> None:
        self.file("requester", 1)  # pending
        actions.deny(
            self.people["approver"],
            self.file("agent", 10),
            "The facts do not tie the address to the offence.",
            self.at(9),
        )
        self.approve("approver", self.file("trooper", 5), 4)  # active
        self.approve("approver", self.file("requester", 80), 79)  # ended
        waiting = self.file(
            "agent",
            1,
            emergency=True,
            emergency_reason="Evidence of a "
            "kidnapping ransom demand is expected by mail within days.",
        )
        self.approve("iic", waiting, 0.9)  # emergency awaiting written confirmation
        lapsed = self.file(
            "requester",
            10,
            emergency=True,
            emergency_reason="Risk of losing evidence: the drop address is about to be abandoned.",
        )
        self.approve("iic", lapsed, 9.9)  # suspended: never confirmed
        confirmed = self.file(
            "trooper",
            20,
            emergency=True,
            emergency_reason="Threat of immediate physical harm to a witness.",
        )
        order = self.approve("iic", confirmed, 19.9)
        actions.confirm_emergency(
            self.people["trooper"],
            order,
            "Written confirmation of the oral request of the 4th, with the facts restated.",
            self.at(19),
        )
        extended = self.approve("approver", self.file("agent", 50), 50)
        self.extend("agent", extended, 25, "approver", 24)
        self.extend("agent", extended, 2, "", 0)  # an extension waiting in the queue
        self.long_running()
        self.oversight()
        indicted = self.approve("approver", self.file("trooper", 20), 20)
        actions.notify_indictment(
            self.people["trooper"],
            indicted,
            (self.at(3)).date(),
            "Indicted by the grand jury.",
            self.at(2),
        )
        improper = self.approve("approver", self.file("requester", 15), 15)
        actions.rule_improper(
            self.people["chief"],
            improper,
            "The facts describe a misdemeanour "
            "under state law; the cited federal statute does not apply.",
            self.at(6),
        )
        self.approve("approver", self.file("requester", 12, grounds="fugitive", days=60), 12)
        self.approve(
            "hq",
            self.file(
                "agent",
                8,
                grounds="national_security",
                days=60,
                agency_head_approval=AgencyHeadApproval(
                    self.fake.name(), "Director", (self.at(9)).date()
                ),
            ),
            7,
        )

    def oversight(self) -> None:
        """What the compliance checks have to find: a decision made after its target
        (OIG-TIMELINESS), and two covers long ended, one whose report documents came back in
        time and one whose did not (OIG-RETURN)."""
        self.approve("approver", self.file("requester", 40), 33)  # 168 hours: over target
        returned = self.approve("approver", self.file("trooper", 200), 199.5)
        record_report_return(
            self.people["trooper"],
            returned,
            how="destroyed",
            certified_by=f"{self.fake.name().upper()}, evidence custodian",
            done_on=self.at(150).date(),
            note="Report copies shredded under the agency's records schedule.",
            now=self.at(150),
        )
        self.approve("approver", self.file("agent", 160), 159.5)  # documents never returned

    def long_running(self) -> None:
        """An order extended past 120 days: reviewed, then approved by the chief."""
        order = self.approve("approver", self.file("inspector", 125, grounds="postal_statute"), 125)
        for filed_ago in (96, 66, 36):
            self.extend("inspector", order, filed_ago, "approver", filed_ago - 0.5)
        self.review("hq", order, 8)
        self.extend("inspector", order, 7, "chief", 6)


def _text(address: Address) -> str:
    return ", ".join(address.lines())


def _initial_and_surname(name: str) -> tuple[str, ...]:
    """The alias a demo subject goes by: "J FIELDS" for JOHN FIELDS JR. (a title or suffix
    is not a surname), or none for a name that reads as nobody."""
    read = readings(name, surname_first_too=False)
    if not read or not read[0].given:
        return ()
    return (f"{read[0].given[0]} {read[0].surname}",)


def _photograph(event: dict[str, object], seed: int) -> str:
    """The envelope drawn at the default noise, inline as a data URL."""
    addressee = tuple(str(line) for line in event["addressee"])  # type: ignore[attr-defined]
    back = event.get("return_address")
    bars = event.get("imb")
    envelope = Envelope(
        addressee=addressee,
        return_address=tuple(str(line) for line in back) if isinstance(back, list) else None,
        bars=bars if isinstance(bars, str) and _decodes(bars) else None,
    )
    image = render(envelope, NOISE["default"], seed=seed % 100_000)
    return "data:image/jpeg;base64," + base64.b64encode(encoded(image.image, "JPEG", 85)).decode()


def _decodes(bars: str) -> bool:
    try:
        read(bars)
    except ImbError:
        return False
    return True


class _StreamClock:
    """The ingest's clock in the demo's past: a couple of minutes after each scan."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.moment = now

    def at(self, scanned_at: datetime) -> None:
        self.moment = min(self.now, scanned_at + timedelta(minutes=2))

    def __call__(self) -> datetime:
        return self.moment


def seed(seed: int, now: datetime, photographs: int | None = 6) -> bool:
    """Build the world once; False when the database already holds it."""
    if User.objects.filter(username="requester").exists():
        return False
    World(seed, now, photographs).build()
    return True


def demo_totp_secret(username: str, roles: tuple[str, ...]) -> str | None:
    """SEC-SECOND-FACTOR: the one-time-code secret of a demo person who needs one, derived
    from the name so that every run of the demo prints the same ones. A demo only: real
    accounts enrol at first sign-in, or get a random secret through --totp-secret-file."""
    if not needs_second_factor(Role(r) for r in roles):
        return None
    digest = hashlib.sha256(f"mailcover demo one-time code: {username}".encode()).digest()
    return base64.b32encode(digest[:20]).decode()


def sign_ins() -> list[tuple[str, str, str, str]]:
    """Who may sign in: username, roles, what they do, and the base32 secret of their
    one-time code (add it to an authenticator app, or `oathtool --totp -b SECRET`); the
    operator, a machine account, signs in with the password alone."""
    return [
        (
            p.username,
            ", ".join(p.roles),
            p.note,
            demo_totp_secret(p.username, p.roles) or "(none: password only)",
        )
        for p in PEOPLE
    ]
