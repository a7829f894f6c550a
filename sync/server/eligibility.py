"""Who is invited to the portal, as a pure function of a force's rules and a case's facts.

    decide(rules, facts) -> Verdict(decision, rule)

The rules are tried in this order, the first that applies deciding (each rule's name is a key
of ``assets/content/eligibility-reasons.json``, which says it in plain words):

    victim_declined            the victim said no                       never (even without rules)
    no_rules                   the force has set none                   officer
    excluded_domestic_abuse    flag, where the force excludes it        never
    excluded_sexual_offence    flag, where the force excludes it        never
    excluded_phone_risk        officer's mark, where the force excludes never
    excluded_under_16 / _18    younger than the force's minimum age     never
    crime_type_not_included    in neither list                          never
    outside_pilot              eligible, outside the pilot's share      never
    age_unknown                would be invited, age not recorded       officer
    officer_crime_type         in the officer-decides list              officer
    invite_crime_type          in the invite list                       invite
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from sync.protocol import EligibilityRules, InviteDecision


@dataclass(frozen=True)
class Facts:
    force_code: str
    crime_reference: str
    crime_type: str
    domestic_abuse: bool
    sexual_offence: bool
    phone_risk: bool
    portal_consent: bool | None
    date_of_birth: date | None
    age: int | None


@dataclass(frozen=True)
class Verdict:
    decision: InviteDecision
    rule: str


def age_on(day: date, facts: Facts) -> int | None:
    """The victim's age on ``day``: from the date of birth where known, else the age recorded."""
    born = facts.date_of_birth
    if born is None:
        return facts.age
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def pilot_bucket(force_code: str, key: str) -> int:
    """0-99, fixed for a key: the same crime type (or reference) is always in or out of a pilot."""
    digest = hashlib.sha256(f"{force_code}\x00{key.strip().casefold()}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 100


def decide(rules: EligibilityRules | None, facts: Facts, *, today: date) -> Verdict:
    if facts.portal_consent is False:
        return Verdict(InviteDecision.NEVER, "victim_declined")
    if rules is None:
        return Verdict(InviteDecision.OFFICER, "no_rules")
    if rules.exclude_domestic_abuse and facts.domestic_abuse:
        return Verdict(InviteDecision.NEVER, "excluded_domestic_abuse")
    if rules.exclude_sexual_offence and facts.sexual_offence:
        return Verdict(InviteDecision.NEVER, "excluded_sexual_offence")
    if rules.exclude_phone_risk and facts.phone_risk:
        return Verdict(InviteDecision.NEVER, "excluded_phone_risk")
    age = age_on(today, facts)
    if age is not None and age < rules.minimum_age:
        return Verdict(InviteDecision.NEVER, f"excluded_under_{rules.minimum_age}")
    crime_type = facts.crime_type.strip().casefold()
    if crime_type in {name.casefold() for name in rules.invite_crime_types}:
        eligible = InviteDecision.INVITE
    elif crime_type in {name.casefold() for name in rules.officer_crime_types}:
        eligible = InviteDecision.OFFICER
    else:
        return Verdict(InviteDecision.NEVER, "crime_type_not_included")
    if rules.pilot_percent < 100:
        key = facts.crime_type if rules.pilot_by == "crime_type" else facts.crime_reference
        if pilot_bucket(facts.force_code, key) >= rules.pilot_percent:
            return Verdict(InviteDecision.NEVER, "outside_pilot")
    if eligible == InviteDecision.OFFICER:
        return Verdict(InviteDecision.OFFICER, "officer_crime_type")
    if age is None:
        return Verdict(InviteDecision.OFFICER, "age_unknown")
    return Verdict(InviteDecision.INVITE, "invite_crime_type")
