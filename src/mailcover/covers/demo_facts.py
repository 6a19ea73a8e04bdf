"""The facts of the demo's cover requests: what an investigator would write, for the
offence the request cites, naming the subject and the place, with figures drawn from the
demo's seeded random source (so every run of the demo tells the same stories).

Each story says what happened, how the address is tied to it, and what the cover is
expected to show: the three things MC-WRITTEN asks the facts to carry.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from mailcover.matching.names import readings
from mailcover.postal.address import Address

STATE_NAMES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "the District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma",
    "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina",
    "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont",
    "VA": "Virginia", "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin",
    "WY": "Wyoming",
}  # fmt: skip


@dataclass(frozen=True)
class Story:
    """What a story may say: the subject, where they receive mail, and when it was told."""

    name: str
    address: Address
    told_on: date
    rng: random.Random

    @property
    def surname(self) -> str:
        return surname_of(self.name)

    @property
    def full_name(self) -> str:
        read = readings(self.name, surname_first_too=False)
        if not read or not read[0].given:
            return self.surname
        return f"{read[0].given.title()} {self.surname}"

    @property
    def place(self) -> str:
        city = self.address.city.title() if self.address.city else "the city"
        return f"{city}, {STATE_NAMES.get(self.address.state, self.address.state)}"

    def weeks_ago(self, low: int, high: int) -> str:
        return _day(self.told_on - timedelta(weeks=self.rng.randint(low, high)))

    def dollars(self, low: int, high: int) -> str:
        return f"${self.rng.randrange(low, high, 50):,}"

    def count(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)


def surname_of(name: str) -> str:
    """The surname as an investigator writes it: no title or suffix ("PHD", "JR")."""
    read = readings(name, surname_first_too=False)
    return (read[0].surname if read else name.split()[-1]).title()


def _day(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def _mail_fraud(s: Story) -> str:
    return (
        f"Since {s.weeks_ago(10, 20)}, {s.count(14, 40)} residents of {s.place} and nearby "
        f"counties have mailed cashier's checks totalling {s.dollars(60_000, 240_000)} as "
        '"release fees" for a sweepstakes prize none of them had entered. The letters '
        f"that asked for the fees name {s.full_name} as the claims agent and give this address "
        "for payment; two victims' checks were cashed at a branch near it. A cover on mail "
        "to the subject here should identify further victims before they pay, and the "
        "print shop or list broker sending the solicitations."
    )


def _wire_fraud(s: Story) -> str:
    return (
        f"{s.count(3, 7)} victims of a romance scheme, most of them widowed and over 70, wired "
        f"{s.dollars(40_000, 180_000)} to accounts abroad and were then told to mail "
        f"gift cards to {s.full_name} at this address. Tracking shows {s.count(9, 25)} such "
        f"envelopes delivered here since {s.weeks_ago(6, 12)}. The cover should show who "
        "else is mailing the subject money and who writes to the subject with instructions."
    )


def _drugs(s: Story) -> str:
    grams = s.count(180, 900)
    return (
        f"A parcel addressed to {s.full_name} at this address was opened under a search "
        f"warrant on {s.weeks_ago(2, 5)} and held {grams} grams of counterfeit oxycodone "
        f"tablets containing fentanyl. Tracking records show {s.count(6, 15)} parcels of "
        "similar weight from the same shipper to this address in the previous three "
        "months, and two overdoses in the area are linked to the same pills. The cover "
        "should identify the return addresses the shipper uses and any second recipient."
    )


def _mail_theft(s: Story) -> str:
    return (
        f"{s.count(11, 30)} residents on the subject's delivery route in {s.place} have "
        f"reported checks stolen from their mailboxes since {s.weeks_ago(8, 16)}. "
        f"Of those, {s.count(4, 9)} were washed and deposited, for {s.dollars(9_000, 38_000)} "
        f"in all, into an account opened in the name of {s.full_name} at this address. "
        "The cover should show whether stolen mail, new bank cards or account documents in "
        "other people's names are arriving here."
    )


def _laundering(s: Story) -> str:
    return (
        f"Bank records show {s.full_name} received {s.dollars(150_000, 600_000)} from "
        f"{s.count(20, 60)} victims of an investment fraud and moved it onward as prepaid "
        "cards and money orders mailed from this address. The cover should identify the "
        "card issuers and the people who send the subject the lists of where to mail them."
    )


def _access_devices(s: Story) -> str:
    return (
        f"Card numbers skimmed at {s.count(3, 8)} gas stations in {s.place} were used to "
        f"order gift cards worth {s.dollars(25_000, 90_000)} for delivery to this address "
        f"in the name of {s.full_name} and of people who do not live there. The cover should "
        "show the other names used at the address and the senders of the card stock."
    )


def _fugitive(s: Story) -> str:
    return (
        f"{s.full_name} failed to appear for sentencing on {s.weeks_ago(12, 30)} after a "
        "conviction for armed robbery, and a federal warrant issued. The subject's mother "
        "lives at this address and has received letters since with no return address, "
        f"postmarked in {('two', 'three', 'four')[s.count(0, 2)]} different states. The cover "
        "should show the "
        "postmarks and any return address the subject writes from."
    )


def _national_security(s: Story) -> str:
    return (
        f"{s.full_name}, an engineer with a clearance at a defense contractor, is believed to "
        "receive tasking from a foreign intelligence service through letters to this "
        f"address, the first seen on {s.weeks_ago(4, 10)}. The cover should identify the "
        "return addresses and mailing points of that correspondence."
    )


STATUTE_STORIES = {
    "18 U.S.C. 1341": _mail_fraud,
    "18 U.S.C. 1343": _wire_fraud,
    "21 U.S.C. 841": _drugs,
    "18 U.S.C. 1708": _mail_theft,
    "18 U.S.C. 1956": _laundering,
    "18 U.S.C. 1029": _access_devices,
}


def facts(grounds: str, statute: str, story: Story) -> str:
    """The facts of a demo request on `grounds` citing `statute`."""
    if grounds == "fugitive":
        return _fugitive(story)
    if grounds == "national_security":
        return _national_security(story)
    return STATUTE_STORIES.get(statute, _mail_fraud)(story)
