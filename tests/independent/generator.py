"""A small, independent generator of source files, written from the data spec.

It shares nothing with ``recoverylink.synth``: other names (``names.py``), another
age mix, another error model. Only the reference code lists shipped with
``recoverylink.spec`` (local authorities, police forces, offence codes) are read.

The model, in short:

* **People.** ``Scenario.people`` persons, 70% men; age at the start of the
  period drawn from a mixture (a young group around 31, an older one around 46,
  a flat tail 20..80). 1% are twins of the previous person (same surname, date
  of birth and home, another forename). A quarter have a middle name. Each lives
  in one of ``local_authorities`` local authorities (picked from the shipped
  list), with a home postcode there; one in eight moves once to another.
* **Treatment.** About 70% come into treatment, one to five episodes in turn,
  mostly at a provider of their own local authority. An episode has a referral,
  a triage up to a month later, interventions and TOP reviews inside it, and
  either a discharge with a reason or stays open. Each provider sends, for each
  financial year, its year-end cumulative extract (``treatment_<code>_<Y+1>-03.zip``)
  holding every episode open at some time in that year, as it stood at the end
  of March; a provider with no episode that year sends an empty extract. An
  episode spanning two years is in both files with the same ``episode_ref``.
* **Offending.** Half of those treated and 60% of the others offend: a career
  starting at 15..30, a Poisson number of offences, each with a conviction or
  caution; they are on the PNC extract (``pnc_<date>.zip``, dated a month after
  the period) with aliases for ``alias_rate`` of them.
* **Drug tests.** Some arrests in the period (trigger offences more often) are
  tested, and a few people never convicted are tested too. A test carries the
  PNC id for ``drug_test_pnc_id_fill`` of the people on the PNC.
* **Deaths.** A yearly hazard (higher for opiate users); about half of opiate
  users' deaths are drug poisonings. Nothing happens to a person after death;
  an episode open at death is discharged on that day (mostly as ``died``).
* **Errors.** Each non-PNC record independently: with ``dob_error_rate`` a
  date-of-birth slip (day/month swap, a digit off by one, 1 January default,
  year off by one), kept only if the record stays valid; with
  ``initial_error_rate`` a wrong first or last initial (for deaths, a wrong
  first letter of the forename or surname). 1% of treatment and test records
  give sex as ``not_stated``; 5% of episodes give ethnicity as ``not_stated``.

Every person's record keys go to ``truth/records.csv`` (``source,key,person``).
Everything is drawn from one ``random.Random(seed)`` in a fixed order, before
the sources are chosen, so a seed gives the same people whatever the sources,
and the same bytes on every run.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from recoverylink.spec import reference

from . import names

Date = dt.date

SOURCES = frozenset({"treatment", "pnc", "drug_tests", "deaths"})

EPISODE_COLUMNS = (
    "provider_code", "client_ref", "episode_ref", "consent", "first_initial", "last_initial",
    "date_of_birth", "sex", "postcode_district", "local_authority", "ethnicity",
    "referral_date", "referral_source", "triage_date", "substance_1", "substance_2",
    "substance_3", "injecting_status", "accommodation", "employment", "parental_status",
    "previously_treated", "discharge_date", "discharge_reason",
)  # fmt: skip
INTERVENTION_COLUMNS = (
    "provider_code", "episode_ref", "intervention_ref", "intervention_type", "setting",
    "referred_date", "start_date", "end_date", "exit_status",
)  # fmt: skip
TOP_COLUMNS = (
    "provider_code", "episode_ref", "top_date", "stage", "days_opiates", "days_crack",
    "days_cocaine", "days_amphetamines", "days_cannabis", "days_alcohol", "days_injected",
    "shoplifting_days", "drug_selling_days", "other_theft_days", "assault",
    "psychological_health", "physical_health", "quality_of_life", "acute_housing_problem",
    "housing_risk", "paid_work_days", "education_days",
)  # fmt: skip
NOMINAL_COLUMNS = (
    "pnc_id",
    "surname",
    "forenames",
    "date_of_birth",
    "sex",
    "postcode",
    "police_force",
)
ALIAS_COLUMNS = ("pnc_id", "surname", "forenames", "date_of_birth")
DISPOSAL_COLUMNS = (
    "pnc_id",
    "disposal_id",
    "offence_date",
    "disposal_date",
    "disposal_type",
    "offence_code",
)
DRUG_TEST_COLUMNS = (
    "test_id", "pnc_id", "first_initial", "last_initial", "date_of_birth", "sex",
    "police_force", "test_date", "opiates", "cocaine", "trigger_offence_code",
    "required_assessment",
)  # fmt: skip
DEATH_COLUMNS = (
    "death_id", "surname", "forenames", "date_of_birth", "sex", "postcode", "date_of_death",
    "date_registered", "underlying_cause", "drug_poisoning",
)  # fmt: skip
PROVIDER_COLUMNS = ("provider_code", "provider_name", "local_authority")

# The primary substance of a person, and how often (weights).
SUBSTANCES = (
    ("heroin", 34), ("crack", 9), ("methadone", 3), ("other_opiate", 2), ("cocaine", 12),
    ("alcohol", 17), ("cannabis", 10), ("amphetamine", 5), ("benzodiazepine", 3),
    ("new_psychoactive", 2), ("other", 3),
)  # fmt: skip
OPIATES = frozenset({"heroin", "methadone", "other_opiate"})
ETHNICITIES = (
    ("white_british", 70), ("white_irish", 3), ("white_other", 6), ("asian_pakistani", 4),
    ("asian_indian", 2), ("asian_bangladeshi", 1), ("black_caribbean", 4), ("black_african", 2),
    ("mixed_white_and_black_caribbean", 3), ("white_gypsy_or_irish_traveller", 1),
    ("other_any", 1), ("asian_other", 1), ("black_other", 1), ("mixed_other", 1),
)  # fmt: skip
REFERRAL_SOURCES = (
    ("self", 40), ("gp", 12), ("hospital", 4), ("social_services", 3), ("arrest_referral", 6),
    ("dip", 10), ("probation", 9), ("prison", 6), ("court_order", 4), ("other", 6),
)  # fmt: skip
DISCHARGE_REASONS = (
    ("completed_drug_free", 22), ("completed_alcohol_free", 6), ("completed_occasional_user", 6),
    ("transferred_not_in_custody", 8), ("transferred_in_custody", 4), ("dropped_out", 30),
    ("withdrawn_by_provider", 4), ("retained_in_custody", 3), ("declined_treatment", 5),
    ("moved_away", 4),
)  # fmt: skip
OFFENCE_GROUPS = (
    ("theft", 36), ("drug_possession", 14), ("burglary", 8), ("drug_supply", 5),
    ("violence", 11), ("public_order", 8), ("criminal_damage", 7), ("fraud_forgery", 5),
    ("robbery", 2), ("soliciting", 1), ("other", 3),
)  # fmt: skip
POISONING_CAUSES = ("X42", "X42", "X44", "X41", "F11.2", "F11.1", "X62", "Y12", "F19.2", "X40")
OTHER_CAUSES = (
    "I21.9", "C34.9", "J44.9", "K70.3", "X70", "V89.2", "R99", "I25.1", "J18.9", "K74.6",
    "B18.2", "X45",
)  # fmt: skip
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


@dataclass(frozen=True)
class Scenario:
    """What to generate. Rates are shares in 0..1; every field may take its extremes."""

    people: int = 4000  # persons in the population (some leave no record at all)
    seed: int = 1
    providers: int = 6
    local_authorities: int = 8  # local authorities people live in (1..151)
    dob_error_rate: float = 0.03  # non-PNC records with a date-of-birth slip
    initial_error_rate: float = 0.02  # non-PNC records with a wrong first or last initial
    postcode_fill: float = 0.9  # episodes with a postcode district (and nominals with a postcode)
    death_postcode_fill: float = 0.8  # death registrations with a postcode
    alias_rate: float = 0.2  # PNC nominals with one or more aliases
    drug_test_pnc_id_fill: float = 0.6  # drug tests of people on the PNC that carry the PNC id
    sources: frozenset[str] = SOURCES  # treatment is always written
    no_consent_provider: bool = False  # the first provider withholds consent on every episode
    first_year: int = 2008  # financial years first_year .. first_year + years - 1
    years: int = 3

    def __post_init__(self) -> None:
        if self.people < 1 or self.providers < 1 or self.years < 1:
            raise ValueError("people, providers and years must be at least 1")
        if not 1 <= self.local_authorities <= 151:
            raise ValueError("local_authorities must be 1..151")
        if not self.sources <= SOURCES:
            raise ValueError(f"unknown sources: {sorted(self.sources - SOURCES)}")
        rates = (
            self.dob_error_rate, self.initial_error_rate, self.postcode_fill,
            self.death_postcode_fill, self.alias_rate, self.drug_test_pnc_id_fill,
        )  # fmt: skip
        if not all(0.0 <= r <= 1.0 for r in rates):
            raise ValueError("rates must be in 0..1")

    @property
    def period_start(self) -> Date:
        return Date(self.first_year, 4, 1)

    @property
    def period_end(self) -> Date:
        return Date(self.first_year + self.years, 3, 31)

    @property
    def pnc_extract_date(self) -> Date:
        return Date(self.first_year + self.years, 4, 30)


@dataclass
class GeneratedData:
    """What ``generate`` wrote, with the bookkeeping tests compare the stores with."""

    out: Path
    scenario: Scenario
    providers_csv: Path
    files: dict[str, list[Path]]  # source -> files written, in name order
    rows: dict[str, dict[str, int]]  # file name -> table (member or dataset) -> rows
    truth_csv: Path
    truth: list[tuple[str, str, str]]  # (source, key, person)
    non_consenting: frozenset[str]  # treatment keys of episodes without consent
    provider_codes: tuple[str, ...]
    counts: dict[str, int] = field(default_factory=dict)

    def linkable_keys(self) -> set[tuple[str, str]]:
        """(source, key) of every record the linkage may link (consenting episodes, ...)."""
        return {
            (s, k) for s, k, _ in self.truth if not (s == "treatment" and k in self.non_consenting)
        }


# --------------------------------------------------------------------------- model


@dataclass
class Residence:
    since: Date
    la: str
    district: str
    postcode: str


@dataclass
class Person:
    index: int
    pid: str
    sex: str
    dob: Date
    forename: str
    middle: str
    surname: str
    ethnicity: str
    substance: str
    homes: list[Residence]
    death: Date | None = None
    poisoning: bool = False
    treated: bool = False
    offends: bool = False

    def home_on(self, day: Date) -> Residence:
        current = self.homes[0]
        for home in self.homes[1:]:
            if home.since <= day:
                current = home
        return current

    @property
    def forenames(self) -> str:
        return f"{self.forename} {self.middle}" if self.middle else self.forename


@dataclass
class Intervention:
    ref: str
    kind: str
    setting: str
    referred: Date
    start: Date
    end: Date | None
    exit_status: str


@dataclass
class Top:
    day: Date
    stage: str
    values: tuple[str, ...]


@dataclass
class Episode:
    person: Person
    provider: int
    client_ref: str
    ref: str
    consent: bool
    record: dict[str, str]  # the attributor and profile columns as recorded
    referral: Date
    triage: Date
    discharge: Date | None
    reason: str
    interventions: list[Intervention]
    tops: list[Top]


@dataclass
class Disposal:
    ref: str
    offence: Date
    disposed: Date
    kind: str
    code: str


@dataclass
class Nominal:
    person: Person
    pnc_id: str
    force: str
    postcode: str
    aliases: list[tuple[str, str, Date]]  # surname, forenames, date of birth
    disposals: list[Disposal]


@dataclass
class DrugTest:
    person: Person
    test_id: str
    row: dict[str, str]
    day: Date


@dataclass
class Death:
    person: Person
    death_id: str
    row: dict[str, str]
    registered: Date


def _weighted(rng: random.Random, table: Sequence[tuple[str, int]]) -> str:
    return rng.choices([k for k, _ in table], weights=[w for _, w in table])[0]


def _add_years(day: Date, years: int) -> Date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _age(born: Date, on: Date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _iso(day: Date | None) -> str:
    return "" if day is None else day.isoformat()


def _days(rng: random.Random, low: int, high: int) -> dt.timedelta:
    return dt.timedelta(days=rng.randint(low, high))


def _initial(name: str) -> str:
    return next(c for c in name.upper() if "A" <= c <= "Z")


def dob_slip(rng: random.Random, dob: Date) -> Date | None:
    """A clerk's slip in a date of birth, or None when none of the kinds fits this date."""
    kinds = ["swap", "digit", "digit", "january", "year"]
    rng.shuffle(kinds)
    for kind in kinds:
        try:
            if kind == "swap" and dob.day <= 12 and dob.day != dob.month:
                return Date(dob.year, dob.day, dob.month)
            if kind == "digit":
                part = rng.choice(("day", "month", "year", "decade"))
                step = rng.choice((-1, 1))
                if part == "day":
                    return dob.replace(day=dob.day + step)
                if part == "month":
                    return dob.replace(month=dob.month + step)
                return dob.replace(year=dob.year + step * (10 if part == "decade" else 1))
            if kind == "january" and (dob.month, dob.day) != (1, 1):
                return Date(dob.year, 1, 1)
            if kind == "year":
                return dob.replace(year=dob.year + rng.choice((-1, 1)))
        except ValueError:
            continue
    return None


def _wrong_letter(rng: random.Random, letter: str) -> str:
    return rng.choice([c for c in "ABCDEFGHIJKLMNOPRSTW" if c != letter])


class _Builder:
    """Draws the whole population and its records from one random stream."""

    def __init__(self, s: Scenario) -> None:
        self.s = s
        self.rng = random.Random(s.seed)
        las = reference.local_authorities()
        chosen = self.rng.sample(range(len(las)), s.local_authorities)
        self.las: list[str] = [str(las["la_code"].iloc[i]) for i in chosen]
        self.la_name = {str(r.la_code): str(r.la_name) for r in las.itertuples()}
        self.la_force = {str(r.la_code): str(r.police_force_code) for r in las.itertuples()}
        forces = reference.police_forces()
        self.forces = sorted(str(c) for c in forces["force_code"] if c)
        self.la_weight = [self.rng.uniform(0.5, 3.0) for _ in self.las]
        self.districts = {la: self._districts(la, k) for k, la in enumerate(self.las)}
        codes = reference.offence_codes()
        self.offences: dict[str, list[str]] = defaultdict(list)
        self.trigger: set[str] = set()
        for r in codes.itertuples():
            self.offences[str(r.offence_group)].append(str(r.offence_code))
            if r.is_trigger_offence == "y":
                self.trigger.add(str(r.offence_code))
        self.trigger_codes = sorted(self.trigger)
        self.provider_codes = [f"IG{k + 1:02d}{'ABCDEFGH'[k % 8]}" for k in range(s.providers)]
        self.provider_la = [self.las[k % len(self.las)] for k in range(s.providers)]
        self.used_ids: set[str] = set()

    def _districts(self, la: str, k: int) -> list[str]:
        letters = [c for c in self.la_name[la].upper() if "A" <= c <= "Z"]
        area = (letters[0] + letters[-1]) if k % 3 else letters[0]
        return [f"{area}{n}" for n in self.rng.sample(range(1, 30), 3)]

    def _unique(self, make: object) -> str:
        assert callable(make)
        while True:
            value = str(make())
            if value not in self.used_ids:
                self.used_ids.add(value)
                return value

    def _postcode(self, district: str) -> str:
        r = self.rng
        inward = f"{r.randint(0, 9)}{r.choice(INWARD_LETTERS)}{r.choice(INWARD_LETTERS)}"
        return f"{district} {inward}" if r.random() < 0.85 else f"{district}{inward}"

    def _residence(self, since: Date, la: str) -> Residence:
        district = self.rng.choice(self.districts[la])
        return Residence(since, la, district, self._postcode(district))

    # ---- people

    def people(self) -> list[Person]:
        s, r = self.s, self.rng
        start, end = s.period_start, s.period_end
        out: list[Person] = []
        for i in range(s.people):
            sex = "male" if r.random() < 0.7 else "female"
            if out and r.random() < 0.01:  # a twin of the previous person
                twin = out[-1]
                pool = names.MALE_FORENAMES if sex == "male" else names.FEMALE_FORENAMES
                forename = r.choice([n for n in pool if n != twin.forename])
                p = Person(
                    i, f"IP{i:06d}", sex, twin.dob, forename, "", twin.surname,
                    twin.ethnicity, _weighted(r, SUBSTANCES), list(twin.homes),
                )  # fmt: skip
                out.append(p)
                self._fate(p)
                continue
            u = r.random()
            if u < 0.55:
                age = r.gauss(31, 6)
            elif u < 0.85:
                age = r.gauss(46, 8)
            else:
                age = r.uniform(20, 80)
            age = min(max(age, 20.0), 85.0)
            dob = start - dt.timedelta(days=int(age * 365.25))
            pool = names.MALE_FORENAMES if sex == "male" else names.FEMALE_FORENAMES
            forename = r.choice(pool)
            middle = r.choice([n for n in pool if n != forename]) if r.random() < 0.25 else ""
            la = r.choices(self.las, weights=self.la_weight)[0]
            homes = [self._residence(Date(1900, 1, 1), la)]
            if r.random() < 0.12:
                moved = start + _days(r, 0, (end - start).days)
                other = r.choice(self.las)
                homes.append(self._residence(moved, other))
            p = Person(
                i, f"IP{i:06d}", sex, dob, forename, middle, r.choice(names.SURNAMES),
                _weighted(r, ETHNICITIES), _weighted(r, SUBSTANCES), homes,
            )  # fmt: skip
            out.append(p)
            self._fate(p)
        return out

    def _fate(self, p: Person) -> None:
        r, s = self.rng, self.s
        p.treated = r.random() < 0.7
        p.offends = r.random() < (0.5 if p.treated else 0.6)
        hazard = 0.02 if p.substance in OPIATES else 0.008
        if r.random() < 1 - (1 - hazard) ** s.years:
            p.death = s.period_start + _days(r, 0, (s.period_end - s.period_start).days)
            p.poisoning = r.random() < (0.5 if p.substance in OPIATES else 0.15)

    # ---- records

    def _slipped_dob(self, dob: Date, valid: object) -> Date:
        assert callable(valid)
        if self.rng.random() < self.s.dob_error_rate:
            slipped = dob_slip(self.rng, dob)
            if slipped is not None and valid(slipped):
                return slipped
        return dob

    def _initials(self, p: Person) -> tuple[str, str]:
        first, last = _initial(p.forename), _initial(p.surname)
        if self.rng.random() < self.s.initial_error_rate:
            if self.rng.random() < 0.5:
                first = _wrong_letter(self.rng, first)
            else:
                last = _wrong_letter(self.rng, last)
        return first, last

    def _sex(self, p: Person) -> str:
        return "not_stated" if self.rng.random() < 0.01 else p.sex

    def episodes(self, people: list[Person]) -> list[Episode]:
        s, r = self.s, self.rng
        start, end = s.period_start, s.period_end
        client_refs: dict[tuple[int, int], str] = {}
        refused: dict[tuple[int, int], bool] = {}
        out: list[Episode] = []
        for p in people:
            if not p.treated:
                continue
            referral = start - dt.timedelta(days=300) + _days(r, 0, (end - start).days + 290)
            count = 1
            while count < 5 and r.random() < 0.45:
                count += 1
            provider = -1
            for _ in range(count):
                limit = min(end, p.death) if p.death else end
                if referral > limit - dt.timedelta(days=2):
                    break
                triage = referral + _days(r, 0, min(30, (limit - referral).days))
                la = p.home_on(referral).la
                local = [k for k, code in enumerate(self.provider_la) if code == la]
                if provider < 0 or r.random() > 0.3:
                    provider = (
                        r.choice(local) if local and r.random() < 0.8 else r.randrange(s.providers)
                    )
                length = dt.timedelta(days=int(r.lognormvariate(5.0, 0.8)))
                discharge: Date | None = triage + length
                reason = _weighted(r, DISCHARGE_REASONS)
                assert discharge is not None
                if p.death and discharge >= p.death:
                    discharge = p.death
                    reason = "died" if r.random() < 0.85 else "dropped_out"
                elif discharge > end:
                    discharge, reason = None, ""
                key = (p.index, provider)
                if key not in client_refs:
                    client_refs[key] = self._unique(lambda: f"c{r.randint(100000, 999999)}")
                    refused[key] = r.random() < 0.03
                consent = not (refused[key] or (s.no_consent_provider and provider == 0))
                ep = Episode(
                    p, provider, client_refs[key],
                    self._unique(lambda: f"EP{r.randint(1000000, 9999999)}"),
                    consent, {}, referral, triage, discharge, reason, [], [],
                )  # fmt: skip
                ep.record = self._episode_record(ep)
                self._interventions(ep)
                self._tops(ep)
                out.append(ep)
                if discharge is None:
                    break
                referral = discharge + _days(r, 14, 500)
        return out

    def _episode_record(self, ep: Episode) -> dict[str, str]:
        p, r, s = ep.person, self.rng, self.s
        first, last = self._initials(p)
        home = p.home_on(ep.referral)

        def valid(d: Date) -> bool:
            return d < ep.referral and 18 <= _age(d, ep.referral) <= 100

        second = [x for x, _ in SUBSTANCES if x != p.substance]
        extra = r.sample(second, 2)
        inject = "never"
        if p.substance in OPIATES or p.substance in ("crack", "amphetamine"):
            inject = r.choice(("never", "previously", "previously", "currently", "declined"))
        return {
            "first_initial": first,
            "last_initial": last,
            "date_of_birth": self._slipped_dob(p.dob, valid).isoformat(),
            "sex": self._sex(p),
            "postcode_district": home.district if r.random() < s.postcode_fill else "",
            "local_authority": home.la,
            "ethnicity": "not_stated" if r.random() < 0.05 else p.ethnicity,
            "referral_source": _weighted(r, REFERRAL_SOURCES),
            "substance_1": p.substance,
            "substance_2": extra[0] if r.random() < 0.5 else "",
            "substance_3": extra[1] if r.random() < 0.2 else "",
            "injecting_status": inject,
            "accommodation": r.choice(("settled",) * 6 + ("housing_problem", "no_fixed_abode")),
            "employment": r.choice(
                ("unemployed",) * 4 + ("employed", "economically_inactive", "student", "not_stated")
            ),
            "parental_status": r.choice(
                (
                    "no_children",
                    "no_children",
                    "children_elsewhere",
                    "lives_with_children",
                    "not_stated",
                )
            ),
            "previously_treated": r.choice(("y", "n")),
        }

    def _interventions(self, ep: Episode) -> None:
        r, s = self.rng, self.s
        stop = ep.discharge or s.period_end
        start = ep.triage + _days(r, 0, 14)
        opiate = ep.person.substance in OPIATES
        for _ in range(r.choice((1, 1, 2, 2, 3))):
            if start > stop:
                break
            if opiate and r.random() < 0.6:
                kind, setting = "pharmacological", r.choice(("community", "primary_care"))
            else:
                kind = r.choice(
                    ("psychosocial", "psychosocial", "recovery_support", "inpatient_detox",
                     "residential_rehab")
                )  # fmt: skip
                setting = {"inpatient_detox": "inpatient", "residential_rehab": "residential"}.get(
                    kind, r.choice(("community", "community", "prison"))
                )
            referred = max(ep.referral, start - _days(r, 0, 10))
            end: Date | None = start + _days(r, 7, 240)
            assert end is not None
            if ep.discharge is not None:
                if end > ep.discharge or r.random() < 0.3:
                    end = ep.discharge
                if r.random() < 0.05:
                    end = None  # left open in a closed episode (allowed)
            elif end > s.period_end:
                end = None
            status = (
                "" if end is None else r.choice(("planned", "planned", "unplanned", "withdrawn"))
            )
            ref = self._unique(lambda: f"IV{r.randint(10000000, 99999999)}")
            ep.interventions.append(Intervention(ref, kind, setting, referred, start, end, status))
            start = start + _days(r, 20, 150)

    def _tops(self, ep: Episode) -> None:
        r, s = self.rng, self.s
        stop = ep.discharge or s.period_end
        day = ep.triage + _days(r, 0, 6)
        stage = "start"
        while day <= stop:
            ep.tops.append(Top(day, stage, self._top_values()))
            stage = "review"
            day = day + _days(r, 150, 200)
        if ep.discharge is not None and ep.reason != "died" and r.random() < 0.7:
            ep.tops.append(Top(ep.discharge, "exit", self._top_values()))

    def _top_values(self) -> tuple[str, ...]:
        r = self.rng

        def days() -> str:
            return str(r.choice((0, 0, 0, r.randint(0, 28))))

        def yn() -> str:
            return r.choice(("y", "n", "n"))

        return (
            *(days() for _ in range(10)), yn(),
            *(str(r.randint(0, 20)) for _ in range(3)), yn(), yn(), days(), days(),
        )  # fmt: skip

    def nominals(self, people: list[Person]) -> list[Nominal]:
        s, r = self.s, self.rng
        extract = s.pnc_extract_date
        out: list[Nominal] = []
        for p in people:
            if not p.offends:
                continue
            career = _add_years(p.dob, r.randint(15, 30))
            first = max(career, _add_years(s.period_start, -8))
            last = min(s.period_end, p.death) if p.death else s.period_end
            if first > last:  # a career that would start later: begin it two years back
                first = max(_add_years(p.dob, 15), _add_years(last, -2))
            span = (last - first).days
            n = 1 + min(int(r.expovariate(1 / 4.0)), 40)
            offences = sorted(first + _days(r, 0, span) for _ in range(n))
            disposals = []
            for day in offences:
                group = _weighted(r, OFFENCE_GROUPS)
                if group == "soliciting" and p.sex == "male":
                    group = "theft"
                disposed = min(day + _days(r, 0, 150), extract)
                if p.death:
                    disposed = min(disposed, p.death)
                disposals.append(
                    Disposal(
                        self._unique(lambda: f"DSP{r.randint(10**7, 10**8 - 1)}"), day,
                        disposed, "conviction" if r.random() < 0.75 else "caution",
                        r.choice(self.offences[group]),
                    )
                )  # fmt: skip
            yy = career.year % 100
            pnc_id = self._unique(
                lambda yy=yy: f"{yy:02d}/{r.randint(0, 999999):06d}{r.choice(INWARD_LETTERS)}"
            )
            home = p.home_on(extract)
            postcode = home.postcode if r.random() < s.postcode_fill else ""
            aliases: list[tuple[str, str, Date]] = []
            if r.random() < s.alias_rate:
                for _ in range(1 if r.random() < 0.7 else r.randint(2, 3)):
                    alias = self._alias(p, extract)
                    if alias is not None and alias not in aliases:
                        aliases.append(alias)
            out.append(Nominal(p, pnc_id, self.la_force[home.la], postcode, aliases, disposals))
        return out

    def _alias(self, p: Person, extract: Date) -> tuple[str, str, Date] | None:
        r = self.rng
        surname, forenames, dob = p.surname.upper(), p.forenames.upper(), p.dob
        kind = r.choice(("nickname", "surname", "dob", "swap", "middle", "other"))
        if kind == "nickname" and p.forename in names.NICKNAMES:
            forenames = r.choice(names.NICKNAMES[p.forename]).upper()
        elif kind == "surname":
            surname = r.choice([n for n in names.SURNAMES if n != p.surname]).upper()
        elif kind == "dob":
            dob = dob_slip(r, p.dob) or _add_years(p.dob, 1)
        elif kind == "swap":
            surname, forenames = p.forename.upper(), p.surname.upper()
        elif kind == "middle" and p.middle:
            forenames = p.middle.upper()
        else:  # another identity altogether, keeping the forename
            surname = r.choice(names.SURNAMES).upper()
            dob = p.dob + _days(r, -3000, 3000)
        if dob > extract:
            dob = p.dob
        alias = (surname, forenames, dob)
        return None if alias == (p.surname.upper(), p.forenames.upper(), p.dob) else alias

    def drug_tests(self, people: list[Person], nominals: list[Nominal]) -> list[DrugTest]:
        s, r = self.s, self.rng
        start, end = s.period_start, s.period_end
        of_person = {n.person.index: n for n in nominals}
        out: list[DrugTest] = []
        for p in people:
            nominal = of_person.get(p.index)
            arrests: list[tuple[Date, str]] = []
            if nominal is not None:
                for d in nominal.disposals:
                    chance = 0.5 if d.code in self.trigger else 0.1
                    if start <= d.offence <= end and r.random() < chance:
                        arrests.append((d.offence, d.code))
            elif r.random() < 0.08:
                last = min(end, p.death) if p.death else end
                if last > start:
                    day = start + _days(r, 0, (last - start).days)
                    arrests.append((day, r.choice(self.trigger_codes)))
            for day, code in arrests:
                first, last_i = self._initials(p)
                opiate = p.substance in OPIATES or p.substance == "crack"
                cocaine = p.substance in ("crack", "cocaine")
                opi = "positive" if r.random() < (0.85 if opiate else 0.08) else "negative"
                coc = "positive" if r.random() < (0.8 if cocaine else 0.2) else "negative"
                force = self.la_force[p.home_on(day).la]
                if r.random() < 0.05:
                    force = r.choice(self.forces)
                test_id = self._unique(lambda: f"{r.randint(10**8, 10**9 - 1)}")
                with_id = nominal is not None and r.random() < s.drug_test_pnc_id_fill
                row = {
                    "test_id": test_id,
                    "pnc_id": nominal.pnc_id if nominal is not None and with_id else "",
                    "first_initial": first,
                    "last_initial": last_i,
                    "date_of_birth": self._slipped_dob(p.dob, lambda d, t=day: d < t).isoformat(),
                    "sex": self._sex(p),
                    "police_force": force,
                    "test_date": day.isoformat(),
                    "opiates": opi,
                    "cocaine": coc,
                    "trigger_offence_code": code,
                    "required_assessment": "y" if "positive" in (opi, coc) else "n",
                }
                out.append(DrugTest(p, test_id, row, day))
        return out

    def deaths(self, people: list[Person]) -> list[Death]:
        s, r = self.s, self.rng
        out: list[Death] = []
        for p in people:
            if p.death is None:
                continue
            delay = _days(r, 3, 45) if r.random() < 0.85 else _days(r, 60, 420)
            registered = p.death + delay
            if p.poisoning:
                cause, flag = r.choice(POISONING_CAUSES), "y" if r.random() < 0.9 else "n"
            else:
                cause, flag = r.choice(OTHER_CAUSES), "n"
            forenames, surname = p.forenames, p.surname
            if r.random() < s.initial_error_rate:
                if r.random() < 0.5:
                    forenames = _wrong_letter(r, _initial(forenames)) + forenames[1:].lower()
                else:
                    surname = _wrong_letter(r, _initial(surname)) + surname[1:].lower()
            if r.random() < 0.5:
                surname = surname.upper()
            death = p.death
            row = {
                "death_id": "",
                "surname": surname,
                "forenames": forenames,
                "date_of_birth": self._slipped_dob(
                    p.dob, lambda d, death=death: d <= death
                ).isoformat(),
                "sex": p.sex,
                "postcode": p.home_on(p.death).postcode
                if r.random() < s.death_postcode_fill
                else "",
                "date_of_death": p.death.isoformat(),
                "date_registered": registered.isoformat(),
                "underlying_cause": cause,
                "drug_poisoning": flag,
            }
            death_id = self._unique(lambda y=registered.year: f"DR{y}{r.randint(0, 99999):05d}")
            row["death_id"] = death_id
            out.append(Death(p, death_id, row, registered))
        return out


# --------------------------------------------------------------------------- writing


def _csv_bytes(columns: Sequence[str], rows: Iterable[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _write_zip(path: Path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)


def _fy_bounds(year: int) -> tuple[Date, Date]:
    return Date(year, 4, 1), Date(year + 1, 3, 31)


def _episode_rows(
    episodes: list[Episode], code: str, fy_start: Date, fy_end: Date
) -> tuple[list[dict[str, str]], list[dict[str, str]], list[dict[str, str]]]:
    """The three members of one year-end extract: episodes as they stood at fy_end."""
    eps, ivs, tops = [], [], []
    for ep in episodes:
        if ep.triage > fy_end or (ep.discharge is not None and ep.discharge < fy_start):
            continue
        closed = ep.discharge is not None and ep.discharge <= fy_end
        row = {c: "" for c in EPISODE_COLUMNS}
        row.update(
            provider_code=code,
            client_ref=ep.client_ref,
            episode_ref=ep.ref,
            consent="y" if ep.consent else "n",
            referral_date=ep.referral.isoformat(),
            triage_date=ep.triage.isoformat(),
            discharge_date=_iso(ep.discharge) if closed else "",
            discharge_reason=ep.reason if closed else "",
        )
        if ep.consent:
            row.update(ep.record)
        eps.append(row)
        for iv in ep.interventions:
            if iv.start > fy_end:
                continue
            ended = iv.end is not None and iv.end <= fy_end
            ivs.append(
                {
                    "provider_code": code,
                    "episode_ref": ep.ref,
                    "intervention_ref": iv.ref,
                    "intervention_type": iv.kind,
                    "setting": iv.setting,
                    "referred_date": iv.referred.isoformat(),
                    "start_date": iv.start.isoformat(),
                    "end_date": _iso(iv.end) if ended else "",
                    "exit_status": iv.exit_status if ended else "",
                }
            )
        for top in ep.tops:
            if top.day > fy_end:
                continue
            values = dict(zip(TOP_COLUMNS[4:], top.values, strict=True))
            tops.append(
                {
                    "provider_code": code,
                    "episode_ref": ep.ref,
                    "top_date": top.day.isoformat(),
                    "stage": top.stage,
                    **values,
                }
            )
    return eps, ivs, tops


def generate(scenario: Scenario, out: Path) -> GeneratedData:
    """Write the scenario's files into ``out`` (created if need be); return what was written.

    Files: ``providers.csv``, ``treatment_<code>_<YYYY-03>.zip`` (one per provider per
    financial year), ``pnc_<date>.zip``, ``drug_tests_<YYYY-MM>.csv`` (months with a
    test), ``deaths_<YYYY>.csv`` (years with a registration) and ``truth/records.csv``.
    """
    s = scenario
    b = _Builder(s)
    people = b.people()
    episodes = b.episodes(people)
    nominals = b.nominals(people)
    tests = b.drug_tests(people, nominals)
    deaths = b.deaths(people)

    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, list[Path]] = defaultdict(list)
    rows: dict[str, dict[str, int]] = {}
    truth: list[tuple[str, str, str]] = []

    providers_csv = out / "providers.csv"
    providers_csv.write_bytes(
        _csv_bytes(
            PROVIDER_COLUMNS,
            (
                {
                    "provider_code": code,
                    "provider_name": f"Independent Recovery Service {k + 1}, "
                    f"{b.la_name[b.provider_la[k]]}",
                    "local_authority": b.provider_la[k],
                }
                for k, code in enumerate(b.provider_codes)
            ),
        )
    )

    by_provider: dict[int, list[Episode]] = defaultdict(list)
    for ep in episodes:
        by_provider[ep.provider].append(ep)
    written: dict[str, Episode] = {}
    for year in range(s.first_year, s.first_year + s.years):
        fy_start, fy_end = _fy_bounds(year)
        for k, code in enumerate(b.provider_codes):
            eps, ivs, tops = _episode_rows(by_provider[k], code, fy_start, fy_end)
            path = out / f"treatment_{code}_{year + 1}-03.zip"
            _write_zip(
                path,
                {
                    "episodes.csv": _csv_bytes(EPISODE_COLUMNS, eps),
                    "interventions.csv": _csv_bytes(INTERVENTION_COLUMNS, ivs),
                    "top.csv": _csv_bytes(TOP_COLUMNS, tops),
                },
            )
            files["treatment"].append(path)
            rows[path.name] = {"episodes": len(eps), "interventions": len(ivs), "top": len(tops)}
        for ep in by_provider_all(by_provider):
            if ep.triage <= fy_end and (ep.discharge is None or ep.discharge >= fy_start):
                written[f"{b.provider_codes[ep.provider]}|{ep.ref}"] = ep
    for key, ep in sorted(written.items()):
        truth.append(("treatment", key, ep.person.pid))
    non_consenting = frozenset(k for k, ep in written.items() if not ep.consent)

    if "pnc" in s.sources:
        extract = s.pnc_extract_date
        path = out / f"pnc_{extract.isoformat()}.zip"
        nominal_rows = [
            {
                "pnc_id": n.pnc_id,
                "surname": n.person.surname.upper(),
                "forenames": n.person.forenames.upper(),
                "date_of_birth": n.person.dob.isoformat(),
                "sex": n.person.sex,
                "postcode": n.postcode,
                "police_force": n.force,
            }
            for n in nominals
        ]
        alias_rows = [
            {
                "pnc_id": n.pnc_id,
                "surname": a[0],
                "forenames": a[1],
                "date_of_birth": a[2].isoformat(),
            }
            for n in nominals
            for a in n.aliases
        ]
        disposal_rows = [
            {
                "pnc_id": n.pnc_id,
                "disposal_id": d.ref,
                "offence_date": d.offence.isoformat(),
                "disposal_date": d.disposed.isoformat(),
                "disposal_type": d.kind,
                "offence_code": d.code,
            }
            for n in nominals
            for d in n.disposals
        ]
        _write_zip(
            path,
            {
                "nominals.csv": _csv_bytes(NOMINAL_COLUMNS, nominal_rows),
                "aliases.csv": _csv_bytes(ALIAS_COLUMNS, alias_rows),
                "disposals.csv": _csv_bytes(DISPOSAL_COLUMNS, disposal_rows),
            },
        )
        files["pnc"].append(path)
        rows[path.name] = {
            "nominals": len(nominal_rows),
            "aliases": len(alias_rows),
            "disposals": len(disposal_rows),
        }
        truth.extend(("pnc", n.pnc_id, n.person.pid) for n in nominals)

    if "drug_tests" in s.sources:
        by_month: dict[str, list[DrugTest]] = defaultdict(list)
        for t in tests:
            by_month[f"{t.day:%Y-%m}"].append(t)
        for month in sorted(by_month):
            path = out / f"drug_tests_{month}.csv"
            month_tests = sorted(by_month[month], key=lambda t: (t.day, t.test_id))
            path.write_bytes(_csv_bytes(DRUG_TEST_COLUMNS, (t.row for t in month_tests)))
            files["drug_tests"].append(path)
            rows[path.name] = {"drug_tests": len(month_tests)}
        truth.extend(("drug_tests", t.test_id, t.person.pid) for t in tests)

    if "deaths" in s.sources:
        by_year: dict[int, list[Death]] = defaultdict(list)
        for d in deaths:
            by_year[d.registered.year].append(d)
        for year in sorted(by_year):
            path = out / f"deaths_{year}.csv"
            year_deaths = sorted(by_year[year], key=lambda d: (d.registered, d.death_id))
            path.write_bytes(_csv_bytes(DEATH_COLUMNS, (d.row for d in year_deaths)))
            files["deaths"].append(path)
            rows[path.name] = {"deaths": len(year_deaths)}
        truth.extend(("deaths", d.death_id, d.person.pid) for d in deaths)

    truth_csv = out / "truth" / "records.csv"
    truth_csv.parent.mkdir(exist_ok=True)
    truth_csv.write_bytes(
        _csv_bytes(
            ("source", "key", "person"),
            ({"source": a, "key": k, "person": p} for a, k, p in truth),
        )
    )
    counts = {
        "people": s.people,
        "persons_with_records": len({p for _, _, p in truth}),
        "episodes": len(written),
        "episode_rows": sum(v.get("episodes", 0) for v in rows.values()),
        "non_consenting": len(non_consenting),
        "nominals": len(nominals) if "pnc" in s.sources else 0,
        "aliases": sum(len(n.aliases) for n in nominals) if "pnc" in s.sources else 0,
        "disposals": sum(len(n.disposals) for n in nominals) if "pnc" in s.sources else 0,
        "drug_tests": len(tests) if "drug_tests" in s.sources else 0,
        "deaths": len(deaths) if "deaths" in s.sources else 0,
    }
    return GeneratedData(
        out=out,
        scenario=s,
        providers_csv=providers_csv,
        files={k: sorted(v) for k, v in files.items()},
        rows=rows,
        truth_csv=truth_csv,
        truth=truth,
        non_consenting=non_consenting,
        provider_codes=tuple(b.provider_codes),
        counts=counts,
    )


def by_provider_all(by_provider: dict[int, list[Episode]]) -> list[Episode]:
    return [ep for k in sorted(by_provider) for ep in by_provider[k]]
