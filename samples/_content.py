"""What the synthetic records say: councils, people and one letter template per document kind.

Kept apart from rendering so the wording (which the rule-based classifier is written against)
can be read and changed on its own. Every person, address and reference is invented: names
and streets come from Faker en_GB seeded per record; postcode areas (AH, KQ, GW, TJ) and the
01632 960xxx telephone range (reserved by Ofcom for drama) do not reach anyone real.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from faker import Faker

RECORD_TYPES: tuple[str, ...] = (
    "council_tax",
    "housing_benefit",
    "planning_application",
    "building_control",
    "electoral_registration",
    "social_care",
    "business_rates",
    "foi_request",
    "complaint",
)


@dataclass(frozen=True)
class Council:
    """A fictional council: its letterhead and the places its residents live."""

    slug: str
    name_lines: tuple[str, ...]
    address: tuple[str, ...]
    phone: str
    postcode_area: str
    localities: tuple[str, ...]
    welsh: bool = False


COUNCILS: dict[str, Council] = {
    c.slug: c
    for c in (
        Council(
            "ashbourne",
            ("Ashbourne Borough Council",),
            ("Town Hall, Market Place", "Ashbourne AH1 1TB"),
            "01632 960 100",
            "AH",
            ("Ashbourne", "Upper Ashbourne", "Milford Green", "Brackley Heath", "Oakhurst"),
        ),
        Council(
            "kingsmere",
            ("Kingsmere City Council",),
            ("Civic Centre, Guildhall Square", "Kingsmere KQ1 2GH"),
            "01632 960 200",
            "KQ",
            ("Kingsmere", "Northgate", "Harbour Quarter", "Fenwick Vale", "St Anselm"),
        ),
        Council(
            "glanyrafon",
            ("Cyngor Sir Glanyrafon", "Glanyrafon County Council"),
            ("Canolfan Ddinesig / Civic Centre", "Ffordd yr Afon, Llanafon GW7 3RA"),
            "01632 960 300",
            "GW",
            ("Llanafon", "Aberglan", "Pen-y-bryn", "Nant-yr-onnen", "Cwmderi"),
            welsh=True,
        ),
        Council(
            "thornbury",
            ("Thornbury District Council",),
            ("Council Offices, Castle Street", "Thornbury TJ5 8DX"),
            "01632 960 400",
            "TJ",
            ("Thornbury", "Little Thornbury", "Ashcombe", "Westley Marsh", "Fairholme"),
        ),
    )
}

WELSH_FIRST = ("Rhys", "Gareth", "Siân", "Bethan", "Dafydd", "Eleri", "Gwen", "Iwan", "Nia", "Owain")
WELSH_LAST = ("Jones", "Williams", "Evans", "Hughes", "Price", "Pritchard", "Morgan", "Powell", "Rees")
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

# Department names, English and (for the Welsh council) bilingual.
DEPARTMENTS: dict[str, tuple[str, str]] = {
    "council_tax": ("Revenues Service", "Treth y Cyngor / Council Tax"),
    "housing_benefit": ("Benefits Service", "Budd-dal Tai / Housing Benefit"),
    "planning_application": ("Development Management", "Cynllunio / Planning"),
    "building_control": ("Building Control", "Rheoli Adeiladu / Building Control"),
    "electoral_registration": ("Electoral Services", "Cofrestru Etholiadol / Electoral Registration"),
    "social_care": ("Adult Social Care", "Gofal Cymdeithasol Oedolion / Adult Social Care"),
    "business_rates": ("Business Rates", "Ardrethi Busnes / Business Rates"),
    "foi_request": ("Information Governance Team", "Rhyddid Gwybodaeth / Freedom of Information"),
    "complaint": ("Customer Feedback Team", "Cwynion / Complaints"),
}


@dataclass(frozen=True)
class Person:
    """A fictional resident or officer."""

    title: str
    first: str
    last: str
    address: tuple[str, ...] = ()

    @property
    def full(self) -> str:
        return f"{self.title} {self.first} {self.last}"

    @property
    def formal(self) -> str:
        return f"{self.title} {self.last}"


@dataclass
class Section:
    """A heading and its paragraphs; an annex section starts on a page of its own."""

    heading: str
    paragraphs: list[str]


@dataclass
class Letter:
    """The words of one record, before layout."""

    record_type: str
    department: str
    subject: str
    references: list[tuple[str, str]]
    paragraphs: list[str]
    officer_title: str
    annex: list[Section] = field(default_factory=list)
    min_paragraphs: int = 3


@dataclass
class Ctx:
    """Everything a template may draw on, all derived from one seeded RNG."""

    council: Council
    rng: random.Random
    fake: Faker
    date: dt.date
    recipient: Person
    officer: Person
    site: tuple[str, ...]

    @property
    def welsh(self) -> bool:
        return self.council.welsh

    @property
    def town(self) -> str:
        return self.council.localities[0]

    def digits(self, n: int) -> str:
        return "".join(str(self.rng.randrange(10)) for _ in range(n))

    def money(self, low: float, high: float) -> str:
        return gbp(self.rng.uniform(low, high))

    def later(self, days: int) -> str:
        return uk_date(self.date + dt.timedelta(days=days))

    def pick(self, options: list[str] | tuple[str, ...]) -> str:
        return self.rng.choice(options)


def gbp(amount: float) -> str:
    return f"£{amount:,.2f}"


def uk_date(day: dt.date) -> str:
    """UK style, no leading zero: 14 March 2025."""
    return f"{day.day} {day:%B %Y}"


def postcode(council: Council, rng: random.Random) -> str:
    letters = "".join(rng.choice(POSTCODE_LETTERS) for _ in range(2))
    return f"{council.postcode_area}{rng.randint(1, 9)} {rng.randint(1, 9)}{letters}"


def make_person(council: Council, rng: random.Random, fake: Faker, *, with_address: bool) -> Person:
    """A fictional person; Welsh-council residents sometimes get Welsh names."""
    title = rng.choice(("Mr", "Mrs", "Ms", "Miss", "Dr", "Mr", "Mrs"))
    female = title in ("Mrs", "Ms", "Miss") or (title == "Dr" and rng.random() < 0.5)
    if council.welsh and rng.random() < 0.6:
        first, last = rng.choice(WELSH_FIRST), rng.choice(WELSH_LAST)
    else:
        first = fake.first_name_female() if female else fake.first_name_male()
        last = fake.last_name()
    address = make_address(council, rng, fake) if with_address else ()
    return Person(title, first, last, address)


def make_address(council: Council, rng: random.Random, fake: Faker) -> tuple[str, ...]:
    street = f"{rng.randint(1, 148)} {fake.street_name()}"
    lines = [street]
    if rng.random() < 0.25:
        lines.insert(0, f"Flat {rng.randint(1, 24)}")
    lines += [rng.choice(council.localities), postcode(council, rng)]
    return tuple(lines)


def department(ctx: Ctx, record_type: str, english: str | None = None) -> str:
    en, cy = DEPARTMENTS[record_type]
    return cy if ctx.welsh else (english or en)


def addr(lines: tuple[str, ...]) -> str:
    return ", ".join(lines)


# --- council tax -------------------------------------------------------------------------

CT_RATIOS = {"A": 6, "B": 7, "C": 8, "D": 9, "E": 11, "F": 13, "G": 15, "H": 18, "I": 21}


def _ct_band(ctx: Ctx) -> tuple[str, float]:
    band = ctx.pick("ABCDEFG" + ("I" if ctx.welsh else "H"))
    band_d = ctx.rng.uniform(1980, 2320)
    return band, band_d * CT_RATIOS[band] / 9


def ctax_demand(ctx: Ctx) -> Letter:
    band, charge = _ct_band(ctx)
    account = f"CTAX {ctx.digits(4)} {ctx.digits(4)} {ctx.digits(1)}"
    discount = ctx.rng.random() < 0.5
    due = charge * (0.75 if discount else 1)
    first, rest = round(due / 10 + 0.07, 2), round(due / 10, 2)
    subject = "Council Tax Demand Notice 2025/26"
    if ctx.welsh:
        subject = "Hysbysiad Galw Treth y Cyngor / Council Tax Demand Notice 2025/26"
    paras = [
        f"This is your Council Tax bill for the year 1 April 2025 to 31 March 2026, issued under "
        f"the Local Government Finance Act 1992. Property: {addr(ctx.recipient.address)}.",
        f"Your property is in Valuation band {band}. The annual charge for band {band} is {gbp(charge)}.",
        (
            f"A single person discount of 25% has been applied because you have told us you live "
            f"alone. The amount payable is {gbp(due)}."
            if discount
            else f"No discounts or exemptions apply to this account. The amount payable is {gbp(due)}."
        ),
        f"Please pay by 10 monthly instalments: the first instalment of {gbp(first)} is due on "
        f"1 May 2025 and 9 further instalments of {gbp(rest)} are due on the 1st of each month.",
        "If you do not pay your instalments on time you will lose the right to pay by instalments. "
        "We may then apply to the magistrates' court for a liability order, which adds costs.",
        "The easiest way to pay is by Direct Debit. Please quote your account reference whenever "
        "you contact us.",
    ]
    return Letter(
        "council_tax", department(ctx, "council_tax"), subject,
        [("Account reference", account)], paras, "Revenues Manager",
    )


def ctax_reminder(ctx: Ctx) -> Letter:
    band, charge = _ct_band(ctx)
    account = f"CTAX {ctx.digits(4)} {ctx.digits(4)} {ctx.digits(1)}"
    arrears = ctx.money(120, 460)
    paras = [
        f"Our records show that the Council Tax instalment due on {ctx.later(-20)} for the property "
        f"at {addr(ctx.recipient.address)} has not been paid. The amount now overdue is {arrears}.",
        f"Your property is shown in the valuation list in Valuation band {band}.",
        f"Please pay the overdue amount within 7 days. If you pay, you may continue to pay by "
        f"instalments as shown on your Council Tax bill.",
        "If you do not pay, the whole of the balance for the year will become due and we will "
        "apply to the magistrates' court for a liability order under the Council Tax "
        "(Administration and Enforcement) Regulations 1992.",
        "A liability order allows us to ask your employer to deduct payments from your earnings "
        "or to pass the debt to enforcement agents.",
        "If you are having difficulty paying, please contact us now. You may be entitled to "
        "Council Tax Reduction or to a single person discount.",
    ]
    subject = "Council Tax reminder notice"
    if ctx.welsh:
        subject = "Hysbysiad Atgoffa Treth y Cyngor / Council Tax reminder notice"
    return Letter(
        "council_tax", department(ctx, "council_tax"), subject,
        [("Account reference", account)], paras, "Recovery Officer",
    )


def ctax_discount(ctx: Ctx) -> Letter:
    band, charge = _ct_band(ctx)
    account = f"CTAX {ctx.digits(4)} {ctx.digits(4)} {ctx.digits(1)}"
    paras = [
        f"Thank you for your application for a single person discount on your Council Tax account "
        f"for {addr(ctx.recipient.address)}.",
        f"We have awarded a single person discount of 25% from {ctx.later(-41)}. Your property "
        f"remains in Valuation band {band}.",
        "A revised Council Tax bill showing your new instalments is enclosed. Please cancel any "
        "previous instalment plan.",
        "You must tell us within 21 days if another adult aged 18 or over comes to live with you. "
        "You may be charged a penalty of £70 if you do not.",
        "This decision is made under the Local Government Finance Act 1992. If you disagree with "
        "it, please write to us explaining why.",
    ]
    return Letter(
        "council_tax", department(ctx, "council_tax"), "Council Tax single person discount awarded",
        [("Account reference", account)], paras, "Council Tax Officer",
    )


def annex_council_tax(ctx: Ctx) -> list[Section]:
    amount = ctx.rng.uniform(150, 260)
    months = ("May", "June", "July", "August", "September", "October", "November", "December")
    schedule = [f"Instalment {n + 1} due 1 {m} 2025 amount {gbp(amount)}" for n, m in enumerate(months)]
    schedule += [f"Instalment 9 due 1 January 2026 amount {gbp(amount)}",
                 f"Instalment 10 due 1 February 2026 amount {gbp(amount)}"]
    notes = [
        "Valuation bands are set by the Valuation Office Agency, not by the council. If you think "
        "your band is wrong you may ask the listing officer to review it.",
        "Discounts: a single person discount of 25% applies where only one adult lives in the "
        "property. Some people, such as full-time students, are disregarded.",
        "Council Tax Reduction helps people on a low income. You can apply online or by phone.",
        "If you miss an instalment we will send a reminder. If you still do not pay, we may apply "
        "for a liability order and add costs to your account.",
    ]
    return [Section("Your instalment plan", schedule), Section("Explanatory notes", notes)]


# --- housing benefit --------------------------------------------------------------------------


def hb_award(ctx: Ctx) -> Letter:
    ref = f"HB/{ctx.digits(6)}"
    rent = ctx.rng.uniform(95, 190)
    eligible = rent - ctx.rng.uniform(0, 15)
    award = eligible * ctx.rng.uniform(0.4, 1.0)
    paras = [
        f"We have now assessed your claim for Housing Benefit and Council Tax Reduction. Your "
        f"Housing Benefit award starts on {ctx.later(-14)}.",
        f"Your rent is {gbp(rent)} a week. After deductions for service charges your eligible rent "
        f"is {gbp(eligible)} a week.",
        f"We will pay you Housing Benefit of {gbp(award)} a week, paid every four weeks in arrears "
        f"into your bank account.",
        "Your award has been worked out under the Housing Benefit (General) Regulations 2006. A "
        "statement showing how we worked it out is attached.",
        "You must tell us straight away about any change of circumstances, for example if your "
        "income, rent or household changes. If you do not, you may be overpaid.",
        "If you think this decision is wrong you can ask us to look at it again within one month.",
    ]
    subject = "Housing Benefit decision notice"
    if ctx.welsh:
        subject = "Hysbysiad Penderfyniad Budd-dal Tai / Housing Benefit decision notice"
    return Letter(
        "housing_benefit", department(ctx, "housing_benefit"), subject,
        [("Claim reference", ref)], paras, "Benefits Assessment Officer",
    )


def hb_overpayment(ctx: Ctx) -> Letter:
    ref = f"HB/{ctx.digits(6)}"
    over = ctx.money(180, 2400)
    paras = [
        f"We have found that you have been paid too much Housing Benefit. The overpayment is "
        f"{over} for the period {ctx.later(-180)} to {ctx.later(-30)}.",
        "This happened because you did not tell us about a change of circumstances: your earnings "
        "increased and we were not informed.",
        "We have decided that this overpayment is recoverable under regulation 100 of the Housing "
        "Benefit (General) Regulations 2006.",
        "We will recover the overpayment by reducing your ongoing Housing Benefit by £15.30 a week "
        "until the balance is repaid.",
        "Your eligible rent and Council Tax Reduction are not affected by this decision.",
        "If you disagree, you can ask us to reconsider within one month of the date of this letter. "
        "You can then appeal to an independent tribunal.",
    ]
    return Letter(
        "housing_benefit", department(ctx, "housing_benefit"),
        "Housing Benefit overpayment decision", [("Claim reference", ref)], paras, "Overpayments Officer",
    )


def hb_rent_officer(ctx: Ctx) -> Letter:
    ref = f"HB/{ctx.digits(6)}"
    paras = [
        f"Thank you for your claim for Housing Benefit for {addr(ctx.recipient.address)}.",
        "Because you rent from a private landlord, we have asked the rent officer to decide the "
        "local housing allowance rate that applies to your home.",
        "The rent officer has told us the rate for a two bedroom property in your area. We have "
        f"used this to work out your eligible rent of {ctx.money(110, 175)} a week.",
        "To finish assessing your claim we need the following evidence within one month:",
        "1. your last two months of bank statements;",
        "2. your tenancy agreement signed by you and your landlord;",
        "3. proof of any income, such as payslips or a pension statement.",
        "If you also want Council Tax Reduction, please complete the enclosed form.",
    ]
    return Letter(
        "housing_benefit", department(ctx, "housing_benefit"),
        "Your Housing Benefit claim: information needed", [("Claim reference", ref)], paras,
        "Benefits Officer", min_paragraphs=7,
    )


def annex_housing_benefit(ctx: Ctx) -> list[Section]:
    rent = ctx.rng.uniform(110, 180)
    income = ctx.rng.uniform(90, 260)
    allowance = ctx.rng.uniform(90, 130)
    excess = max(income - allowance, 0)
    award = max(rent - 0.65 * excess, 0)
    calc = [
        f"Weekly rent {gbp(rent)}",
        "Less ineligible service charges £0.00",
        f"Eligible rent {gbp(rent)}",
        f"Your weekly income {gbp(income)}",
        f"Your applicable amount {gbp(allowance)}",
        f"Excess income {gbp(excess)}",
        f"65% of excess income {gbp(0.65 * excess)}",
        f"Weekly Housing Benefit {gbp(award)}",
    ]
    duties = [
        "You must tell us about any change of circumstances within one month, including changes to "
        "your income, savings, rent, address or the people who live with you.",
        "If you are paid too much because you did not tell us about a change, the overpayment can "
        "be recovered from you and you may be prosecuted.",
        "Calculations are made under the Housing Benefit (General) Regulations 2006.",
    ]
    return [Section("How we worked out your Housing Benefit", calc), Section("Your duty to tell us", duties)]


# --- planning -------------------------------------------------------------------------------

PROPOSALS = (
    ("HOU", "single storey rear extension"),
    ("HOU", "two storey side extension and loft conversion with rear dormer"),
    ("FUL", "change of use from shop (Class E) to two residential flats"),
    ("FUL", "erection of a detached dwelling with associated parking"),
    ("LBC", "replacement of timber sash windows to the front elevation"),
    ("HOU", "erection of a detached garage and garden room"),
)


def _planning_ref(ctx: Ctx, kind: str) -> str:
    return f"{ctx.date:%y}/{ctx.rng.randint(120, 2999):05d}/{kind}"


def planning_decision(ctx: Ctx) -> Letter:
    kind, proposal = ctx.pick(PROPOSALS)  # type: ignore[misc]
    ref = _planning_ref(ctx, kind)
    consent = "Listed Building Consent" if kind == "LBC" else "Planning Permission"
    act = (
        "Planning (Listed Buildings and Conservation Areas) Act 1990 and the Town and Country "
        "Planning Act 1990" if kind == "LBC" else "Town and Country Planning Act 1990"
    )
    paras = [
        f"Application No: {ref}",
        f"Site address: {addr(ctx.site)}",
        f"Proposal: {proposal}",
        f"Received: {ctx.later(-56)}",
        f"In pursuance of its powers under the {act}, the council hereby grants {consent} for the "
        f"development described above, subject to the following conditions:",
        "1. The development hereby permitted shall begin before the expiration of three years from "
        "the date of this decision.",
        "2. The development shall be carried out in accordance with the approved plans.",
        "3. The materials used in the external surfaces shall match those of the existing building.",
    ]
    subject = f"Decision Notice: Grant of {consent}"
    if ctx.welsh:
        subject = f"Hysbysiad Penderfyniad / Decision Notice: Grant of {consent}"
    return Letter(
        "planning_application", department(ctx, "planning_application"), subject,
        [("Application No", ref)], paras, "Head of Development Management", min_paragraphs=8,
    )


def planning_validation(ctx: Ctx) -> Letter:
    kind, proposal = ctx.pick(PROPOSALS)  # type: ignore[misc]
    ref = _planning_ref(ctx, kind)
    paras = [
        f"Thank you for your planning application, which was made valid on {ctx.later(-3)}.",
        f"Application No: {ref}",
        f"Site address: {addr(ctx.site)}",
        f"Proposal: {proposal}",
        f"The application will be decided by {ctx.later(53)}. We will consult neighbours and display "
        "a site notice under the Town and Country Planning (Development Management Procedure) "
        "(England) Order 2015.",
        "The case officer may visit the site. You can follow the progress of the application on our "
        "planning register using the application number above.",
        "If we have not decided the application by the target date you may appeal to the Planning "
        "Inspectorate against non-determination.",
    ]
    subject = "Acknowledgement of planning application"
    if ctx.welsh:
        paras[4] = (
            f"The application will be decided by {ctx.later(53)}. We will consult neighbours and "
            "display a site notice as required by the Town and Country Planning Act 1990."
        )
        subject = "Cais Cynllunio / Planning Application: acknowledgement"
    return Letter(
        "planning_application", department(ctx, "planning_application"), subject,
        [("Application No", ref)], paras, "Planning Officer", min_paragraphs=7,
    )


def planning_refusal(ctx: Ctx) -> Letter:
    kind, proposal = ctx.pick(PROPOSALS[:4])  # type: ignore[misc]
    ref = _planning_ref(ctx, kind)
    paras = [
        f"Application No: {ref}",
        f"Site address: {addr(ctx.site)}",
        f"Proposal: {proposal}",
        "The council, as local planning authority under the Town and Country Planning Act 1990, "
        "hereby refuses planning permission for the development described above for the "
        "following reason:",
        "1. By reason of its scale, bulk and siting the proposal would have an overbearing impact "
        "on the neighbouring property and would harm the character of the street scene.",
        "If you are aggrieved by this decision you may appeal to the Planning Inspectorate within "
        "12 weeks of the date of this Decision Notice.",
    ]
    return Letter(
        "planning_application", department(ctx, "planning_application"),
        "Decision Notice: Refusal of Planning Permission", [("Application No", ref)], paras,
        "Development Management Manager", min_paragraphs=6,
    )


def annex_planning(ctx: Ctx) -> list[Section]:
    conditions = [
        "4. No development shall take place until details of the surface water drainage scheme "
        "have been submitted to and approved in writing by the local planning authority.",
        "5. The first floor window in the side elevation shall be glazed with obscure glass and "
        "shall be fixed shut below 1.7 metres above floor level.",
        "6. Construction work shall only take place between 08:00 and 18:00 on weekdays and "
        "between 08:00 and 13:00 on Saturdays.",
        "Reasons: to comply with section 91 of the Town and Country Planning Act 1990, to protect "
        "the amenity of neighbouring occupiers and in the interests of good design.",
    ]
    notes = [
        "This permission does not remove the need for approval under the Building Regulations "
        "where that is required.",
        "Please note the conditions attached to this Decision Notice. Failure to comply with them "
        "may lead to enforcement action by Development Management.",
        "Appeals must be made to the Planning Inspectorate within six months of the date of this "
        "notice for householder and full planning applications.",
    ]
    return [Section("Conditions (continued)", conditions), Section("Informatives", notes)]


# --- building control ------------------------------------------------------------------------


def _bc_ref(ctx: Ctx) -> str:
    return f"BC/{ctx.date:%Y}/{ctx.rng.randint(1, 1999):04d}"


def bc_full_plans(ctx: Ctx) -> Letter:
    ref = _bc_ref(ctx)
    work = ctx.pick(("single storey rear extension", "loft conversion", "removal of load bearing wall"))
    paras = [
        f"Building Regulations 2010: Full Plans application for {work} at {addr(ctx.site)}.",
        "The plans you deposited have been checked and are approved subject to the conditions "
        "listed below.",
        "1. Structural calculations for the steel beams shall be submitted before work starts on "
        "site, in accordance with Approved Document A.",
        "2. The new roof shall be insulated to achieve the U-value required by Approved Document L.",
        "You must notify Building Control at least two days before you start work and at each "
        "stage of work so that an inspection can be carried out.",
        "When the work is finished and the final inspection is satisfactory we will issue a "
        "Completion Certificate. Keep it safe: you will need it when you sell the property.",
    ]
    subject = "Full Plans approval with conditions"
    if ctx.welsh:
        subject = "Cymeradwyaeth Cynlluniau Llawn / Full Plans approval with conditions"
    return Letter(
        "building_control", department(ctx, "building_control"), subject,
        [("Building Control ref", ref)], paras, "Principal Building Control Surveyor",
    )


def bc_completion(ctx: Ctx) -> Letter:
    ref = _bc_ref(ctx)
    paras = [
        "Building Regulations 2010, regulation 17: Completion Certificate.",
        f"Location of work: {addr(ctx.site)}",
        f"Description of work: {ctx.pick(('installation of a new boiler flue and extension', 'garage conversion to habitable room', 'replacement of roof covering'))}",
        f"Building Notice given: {ctx.later(-120)}",
        "The council certifies that, as far as it has been able to ascertain after taking all "
        "reasonable steps, the work described above complies with the relevant requirements of "
        "the Building Regulations.",
        f"Date of final inspection: {ctx.later(-6)}",
        "This certificate is evidence, but not conclusive evidence, that the requirements "
        "specified in it have been complied with.",
    ]
    return Letter(
        "building_control", department(ctx, "building_control"), "Completion Certificate",
        [("Building Control ref", ref)], paras, "Building Control Surveyor", min_paragraphs=6,
    )


def bc_inspection(ctx: Ctx) -> Letter:
    ref = _bc_ref(ctx)
    paras = [
        f"Our Building Control surveyor carried out an inspection at {addr(ctx.site)} on "
        f"{ctx.later(-4)} under your Building Notice.",
        "The following items do not yet comply with the Building Regulations 2010:",
        "1. The foundation trench depth was less than the 1 metre shown on the plans.",
        "2. Cavity trays are missing above the new window openings (Approved Document C).",
        "3. Fire doors to the new staircase enclosure have not been fitted (Approved Document B).",
        "Please correct these items and contact us to arrange a further inspection before the "
        "work is covered up. A Completion Certificate cannot be issued until they are resolved.",
    ]
    return Letter(
        "building_control", department(ctx, "building_control"), "Site inspection: work requiring attention",
        [("Building Control ref", ref)], paras, "Building Control Surveyor", min_paragraphs=6,
    )


def annex_building_control(ctx: Ctx) -> list[Section]:
    stages = [
        "Commencement: at least two days before work starts.",
        "Excavation for foundations, before concrete is poured.",
        "Oversite preparation and damp proof course.",
        "Drainage, before it is covered and when it is tested.",
        "Completion: within five days of the work being finished.",
    ]
    notes = [
        "Inspections are carried out by Building Control under the Building Regulations 2010 and "
        "the Building Act 1984. Guidance is in the Approved Documents.",
        "A Completion Certificate will be issued once the final inspection is satisfactory.",
    ]
    return [Section("Statutory inspection stages", stages), Section("Notes", notes)]


# --- electoral registration ------------------------------------------------------------------


def _district(ctx: Ctx) -> str:
    return f"{ctx.council.postcode_area[0]}{ctx.pick('ABCDEFGH')}{ctx.rng.randint(1, 9)}"


def er_hef(ctx: Ctx) -> Letter:
    district = _district(ctx)
    paras = [
        f"Household Enquiry Form for {addr(ctx.recipient.address)}. Polling district: {district}.",
        "The Electoral Registration Officer must keep the electoral register up to date. Please "
        "confirm who lives at this address by completing this form within 14 days.",
        "You must respond to this form. If you do not, you may be fined £1,000 under the "
        "Representation of the People Act 1983.",
        "Completing this form does not register anyone to vote. Anyone new who is eligible will be "
        "sent an Invitation to Register.",
        "The open register is an extract of the electoral register which can be bought by any "
        "person or organisation. You can ask to be removed from the open register at any time.",
        "You can respond online, by phone or by returning this form in the envelope provided.",
    ]
    subject = "Household Enquiry Form 2025"
    if ctx.welsh:
        subject = "Ffurflen Ymholiad Aelwyd / Household Enquiry Form 2025"
    return Letter(
        "electoral_registration", department(ctx, "electoral_registration"), subject,
        [("Security code", ctx.digits(4) + " " + ctx.digits(4))], paras, "Electoral Registration Officer",
    )


def er_invitation(ctx: Ctx) -> Letter:
    district = _district(ctx)
    paras = [
        f"Invitation to Register: our records show that {ctx.recipient.full} may be living at "
        f"{addr(ctx.recipient.address)} but is not on the electoral register.",
        "You can register online in about five minutes. You will need your National Insurance "
        "number and date of birth.",
        "If you are not registered you cannot vote in elections. It may also affect your credit "
        "rating.",
        "If you do not respond, we will send reminders and a canvasser may call. The Electoral "
        "Registration Officer may require you to register under the Representation of the People "
        "Act 1983 and a civil penalty of £80 may be imposed.",
        f"Your address is in polling district {district}.",
    ]
    return Letter(
        "electoral_registration", department(ctx, "electoral_registration"), "Invitation to Register to vote",
        [("Reference", f"ITR-{ctx.digits(7)}")], paras, "Electoral Registration Officer",
    )


def er_confirmation(ctx: Ctx) -> Letter:
    district = _district(ctx)
    elector = f"{district}-{ctx.rng.randint(1, 2400)}"
    paras = [
        f"I am pleased to confirm that {ctx.recipient.full} has been added to the electoral register "
        f"for {addr(ctx.recipient.address)}.",
        f"Your elector number is {elector} and your polling district is {district}. Your polling "
        "station will be shown on your poll card before each election.",
        "You have chosen not to appear in the open register. Your details will appear only in the "
        "full electoral register, which is used for elections and limited other purposes allowed "
        "by law.",
        "This notice is given under the Representation of the People Act 1983. Please keep it for "
        "your records.",
    ]
    return Letter(
        "electoral_registration", department(ctx, "electoral_registration"),
        "Confirmation of registration on the electoral register", [("Elector number", elector)], paras,
        "Electoral Registration Officer",
    )


def annex_electoral(ctx: Ctx) -> list[Section]:
    notes = [
        "Who can register: British, Irish and qualifying Commonwealth citizens, and some other "
        "citizens, who are 16 or over (14 or over in Wales).",
        "The full electoral register is used by the Electoral Registration Officer for elections, "
        "by credit reference agencies and for jury summoning.",
        "The open register can be bought by anyone. You can opt out of the open register at any "
        "time by contacting Electoral Services.",
    ]
    return [Section("About the electoral register", notes)]


# --- social care -----------------------------------------------------------------------------


def _asc_ref(ctx: Ctx) -> str:
    return f"ASC-{ctx.rng.randint(1000, 999999):07d}"


def sc_assessment(ctx: Ctx) -> Letter:
    ref = _asc_ref(ctx)
    act = "Social Services and Well-being (Wales) Act 2014" if ctx.welsh else "Care Act 2014"
    budget = ctx.money(85, 420)
    paras = [
        f"Thank you for meeting our social worker on {ctx.later(-12)} for a needs assessment under "
        f"the {act}.",
        "The assessment found that you have eligible needs for care and support with personal "
        "care, preparing meals and getting out into the community.",
        f"We have agreed a care and support plan with you. Your personal budget is {budget} a week, "
        "which you have chosen to receive as a direct payment.",
        "Your daughter, who is your main carer, has been offered a separate carer's assessment.",
        "We will review your care and support plan within 12 months, or sooner if your needs change.",
        "If you are worried that you or someone you know is at risk of abuse or neglect, please "
        "contact our safeguarding team straight away.",
    ]
    return Letter(
        "social_care", department(ctx, "social_care"), "Your needs assessment and care and support plan",
        [("Case reference", ref)], paras, "Senior Social Worker",
    )


def sc_carer(ctx: Ctx) -> Letter:
    ref = _asc_ref(ctx)
    act = "Social Services and Well-being (Wales) Act 2014" if ctx.welsh else "Care Act 2014"
    paras = [
        f"Thank you for talking to us about your role as a carer. Under the {act} carers have a "
        "right to an assessment of their own needs for support.",
        f"Your carer's assessment took place on {ctx.later(-9)}. We agreed that caring for your "
        "husband is affecting your health and your ability to work.",
        f"You have been awarded a carer's personal budget of {ctx.money(250, 600)} a year to spend on "
        "breaks and support that help you to continue caring.",
        "We have also arranged respite care for four weeks each year as part of your husband's "
        "care and support plan.",
        "Adult Social Care will review these arrangements in six months.",
    ]
    return Letter(
        "social_care", department(ctx, "social_care"), "Outcome of your carer's assessment",
        [("Case reference", ref)], paras, "Carers Support Worker",
    )


def sc_safeguarding(ctx: Ctx) -> Letter:
    ref = _asc_ref(ctx)
    paras = [
        f"I am writing following the safeguarding concern raised on {ctx.later(-21)} about your "
        "mother's care at home.",
        "Adult Social Care has made enquiries under section 42 of the Care Act 2014. We spoke to "
        "your mother, to her care provider and to her GP.",
        "The enquiry found that visits from the care agency had been missed. The agency has agreed "
        "an action plan and we will monitor it closely.",
        "We have also carried out a review of her needs assessment and updated her care and support "
        "plan to include a second daily visit.",
        "Your mother's personal budget has been increased to pay for the extra care.",
        "If you have any further concerns, please contact the safeguarding team.",
    ]
    subject = "Outcome of safeguarding enquiry"
    if ctx.welsh:
        paras[1] = (
            "Adult Social Care has made enquiries under section 126 of the Social Services and "
            "Well-being (Wales) Act 2014. We spoke to your mother, to her care provider and to her GP."
        )
    return Letter(
        "social_care", department(ctx, "social_care"), subject,
        [("Case reference", ref)], paras, "Safeguarding Team Manager",
    )


def annex_social_care(ctx: Ctx) -> list[Section]:
    plan = [
        "Outcome 1: to remain living safely in my own home.",
        "Support: home care visits twice daily for personal care and medication prompts.",
        "Outcome 2: to keep in touch with friends and my community.",
        "Support: day centre place two days a week, with transport.",
        "Outcome 3: my carer is able to have regular breaks.",
        "Support: respite care for four weeks a year.",
    ]
    money = [
        f"Total personal budget: {ctx.money(160, 480)} a week.",
        f"Your assessed contribution: {ctx.money(20, 90)} a week, following a financial assessment.",
        "Your care and support plan will be reviewed at least once a year by Adult Social Care.",
    ]
    return [Section("Care and support plan summary", plan), Section("Personal budget", money)]


# --- business rates --------------------------------------------------------------------------


def br_demand(ctx: Ctx) -> Letter:
    account = f"NNDR {ctx.digits(10)}"
    rv = ctx.rng.randrange(6000, 48000, 250)
    multiplier = 0.499 if rv < 51000 else 0.555
    gross = rv * multiplier
    relief = gross if rv <= 12000 else (gross * (15000 - rv) / 3000 if rv < 15000 else 0)
    paras = [
        "Non-Domestic Rates: Business Rates Demand Notice for the period 1 April 2025 to 31 March 2026.",
        f"Hereditament: {ctx.pick(('Shop and premises', 'Office and premises', 'Workshop and premises', 'Cafe and premises'))}, {addr(ctx.site)}.",
        f"Rateable value: {gbp(rv)}. The rateable value is set by the Valuation Office Agency.",
        f"Small business multiplier: {multiplier:.3f}. Gross charge: {gbp(gross)}.",
        f"Small business rate relief: {gbp(relief)}. Net amount payable: {gbp(gross - relief)}.",
        "The amount payable may be paid by 10 monthly instalments shown overleaf. If an instalment "
        "is not paid we will issue a reminder and may apply for a liability order.",
    ]
    return Letter(
        "business_rates", department(ctx, "business_rates"), "Business Rates Demand Notice 2025/26",
        [("Account", account)], paras, "Business Rates Manager",
    )


def br_relief(ctx: Ctx) -> Letter:
    account = f"NNDR {ctx.digits(10)}"
    rv = ctx.rng.randrange(5000, 12000, 250)
    paras = [
        f"Thank you for your application for small business rate relief for the hereditament at "
        f"{addr(ctx.site)}.",
        f"The rateable value of the property, shown in the list kept by the Valuation Office Agency, "
        f"is {gbp(rv)}.",
        "As this is below £12,000 and you occupy no other business property, you qualify for 100% "
        "small business rate relief from 1 April 2025. Your Non-Domestic Rates bill is reduced to nil.",
        "You must tell us within four weeks if you take on another property or if the rateable "
        "value changes.",
        "A revised Business Rates Demand Notice is enclosed.",
    ]
    return Letter(
        "business_rates", department(ctx, "business_rates"), "Small business rate relief awarded",
        [("Account", account)], paras, "Business Rates Officer",
    )


def br_change(ctx: Ctx) -> Letter:
    account = f"NNDR {ctx.digits(10)}"
    old, new = sorted((ctx.rng.randrange(14000, 60000, 500), ctx.rng.randrange(14000, 60000, 500)))
    paras = [
        "The Valuation Office Agency has altered the rating list entry for your hereditament at "
        f"{addr(ctx.site)}.",
        f"The rateable value has changed from {gbp(new)} to {gbp(old)} with effect from {ctx.later(-90)}.",
        "We have recalculated your Business Rates using the standard multiplier. An amended Demand "
        "Notice for Non-Domestic Rates is enclosed, showing a credit on your account.",
        "Any credit will be set against future instalments unless you ask for a refund.",
        "If you disagree with the new rateable value you should contact the Valuation Office Agency, "
        "not the council.",
    ]
    return Letter(
        "business_rates", department(ctx, "business_rates"), "Change to your rateable value",
        [("Account", account)], paras, "Business Rates Officer",
    )


def annex_business_rates(ctx: Ctx) -> list[Section]:
    notes = [
        "Rateable value: the Valuation Office Agency assesses the rateable value of each "
        "hereditament. It is not set by the council.",
        "Multipliers: the small business multiplier for 2025/26 is 0.499 and the standard "
        "multiplier is 0.555.",
        "Small business rate relief is available where the rateable value is below £15,000.",
        "Non-Domestic Rates are collected by the council and shared with central government.",
    ]
    return [Section("Explanatory notes: Business Rates", notes)]


# --- freedom of information -----------------------------------------------------------------


def _foi_ref(ctx: Ctx) -> str:
    return f"FOI-{ctx.date:%Y}-{ctx.rng.randint(1, 2999):04d}"


FOI_TOPICS = (
    "the number of potholes reported and repaired on council roads in the last three years",
    "the council's spending on agency staff in 2024/25",
    "the number of empty homes in the borough and empty homes premium charged",
    "the contracts held by the council for school transport",
)


def foi_response(ctx: Ctx) -> Letter:
    ref = _foi_ref(ctx)
    topic = ctx.pick(FOI_TOPICS)
    paras = [
        f"Thank you for your request for information received on {ctx.later(-18)} about {topic}.",
        "Your request has been dealt with under the Freedom of Information Act 2000. I can confirm "
        "under section 1(1) that the council holds the information you requested.",
        "The information is provided in the attached table. Names of junior officers have been "
        "withheld under the exemption in section 40(2), as this is personal data.",
        "We aim to respond to all requests within 20 working days.",
        "If you are not satisfied with this response you may ask for an internal review by writing "
        "to Information Governance within 40 working days. You may then contact the Information "
        "Commissioner's Office.",
    ]
    return Letter(
        "foi_request", department(ctx, "foi_request"), f"Freedom of Information request {ref}",
        [("FOI reference", ref)], paras, "Information Governance Officer",
    )


def foi_acknowledge(ctx: Ctx) -> Letter:
    ref = _foi_ref(ctx)
    paras = [
        f"Request for information: {ctx.pick(FOI_TOPICS)}.",
        f"Thank you for your request, which we received on {ctx.later(-2)}. It is being handled "
        "under the Freedom of Information Act 2000.",
        f"We will reply within 20 working days, by {ctx.later(26)}.",
        "If any of the information concerns the environment, your request will be dealt with under "
        "the Environmental Information Regulations 2004 instead.",
        "Please quote the FOI reference above in any correspondence with Information Governance.",
    ]
    return Letter(
        "foi_request", department(ctx, "foi_request"), "Acknowledgement of your request for information",
        [("FOI reference", ref)], paras, "Information Governance Assistant",
    )


def foi_eir(ctx: Ctx) -> Letter:
    ref = _foi_ref(ctx)
    paras = [
        f"Thank you for your request for information received on {ctx.later(-20)} about air quality "
        "monitoring near schools.",
        "As this is environmental information, we have dealt with your request under the "
        "Environmental Information Regulations 2004 rather than the Freedom of Information Act 2000.",
        "The monitoring results for 2023 to 2025 are attached. The home addresses of residents who "
        "reported concerns have been withheld because they are personal data, as under section 40(2) "
        "of the Freedom of Information Act 2000.",
        "If you are unhappy with this response you can ask Information Governance for an internal "
        "review within 40 working days.",
    ]
    return Letter(
        "foi_request", department(ctx, "foi_request"), "Response to your request for information",
        [("FOI reference", ref)], paras, "Information Governance Officer",
    )


def annex_foi(ctx: Ctx) -> list[Section]:
    rows = [f"{year}/{year - 1999:02d}: {ctx.rng.randint(120, 2400)} items, {ctx.money(10000, 900000)}"
            for year in (2022, 2023, 2024)]
    notes = [
        "This information is provided under the Freedom of Information Act 2000. It may be re-used "
        "under the Open Government Licence.",
        "Personal data has been withheld under section 40(2).",
    ]
    return [Section("Information provided", rows), Section("Notes", notes)]


# --- complaint --------------------------------------------------------------------------------

COMPLAINT_TOPICS = (
    "missed bin collections in your street",
    "the condition of the footpath outside your home",
    "the way a member of staff spoke to you at the customer service centre",
    "noise from the recycling depot early in the morning",
    "the time taken to repair a street light",
)


def _comp_ref(ctx: Ctx) -> str:
    return f"COMP-{ctx.date:%Y}-{ctx.rng.randint(1, 2999):04d}"


def _ombudsman(ctx: Ctx) -> str:
    return (
        "Public Services Ombudsman for Wales" if ctx.welsh else "Local Government and Social Care Ombudsman"
    )


def complaint_stage1(ctx: Ctx) -> Letter:
    ref = _comp_ref(ctx)
    topic = ctx.pick(COMPLAINT_TOPICS)
    paras = [
        f"Thank you for your complaint received on {ctx.later(-9)} about {topic}.",
        "I have investigated your complaint under stage 1 of our corporate complaints procedure. I "
        "have spoken to the service manager and looked at our records.",
        "I found that we did not provide the service you should expect. We apologise for the "
        "inconvenience this has caused you.",
        "The service has reminded its staff of the correct procedure and will monitor this closely "
        "for the next three months.",
        "I therefore uphold your complaint. If you are not satisfied with this stage 1 complaint "
        "response you can ask for a stage 2 review within 20 working days.",
    ]
    return Letter(
        "complaint", department(ctx, "complaint"), "Stage 1 complaint response",
        [("Complaint reference", ref)], paras, "Customer Feedback Officer",
    )


def complaint_stage2(ctx: Ctx) -> Letter:
    ref = _comp_ref(ctx)
    topic = ctx.pick(COMPLAINT_TOPICS)
    paras = [
        f"I am writing in response to your request to escalate your complaint about {topic} to "
        "stage 2 of the corporate complaints procedure.",
        "I have reviewed the stage 1 response, your further comments and the records held by the "
        "service.",
        "I agree that the stage 1 response did not address all of your concerns, and I apologise "
        "for this. I partly uphold your complaint.",
        "As a result, the service will carry out the work by the end of next month and a manager "
        "will contact you to confirm when it is complete.",
        f"This is the council's final response. If you remain dissatisfied you may ask the "
        f"{_ombudsman(ctx)} to look at your complaint.",
    ]
    return Letter(
        "complaint", department(ctx, "complaint"), "Stage 2 complaint response",
        [("Complaint reference", ref)], paras, "Complaints Manager",
    )


def complaint_ack(ctx: Ctx) -> Letter:
    ref = _comp_ref(ctx)
    paras = [
        f"Thank you for contacting us about {ctx.pick(COMPLAINT_TOPICS)}. We value customer feedback "
        "and we have logged your complaint.",
        "Your complaint will be dealt with under stage 1 of our complaints procedure. You will "
        "receive a full response within 10 working days.",
        "If we need more time we will write to explain why and tell you when to expect a reply.",
        f"If you are unhappy with our final response, you can contact the {_ombudsman(ctx)}.",
    ]
    return Letter(
        "complaint", department(ctx, "complaint"), "Acknowledgement of your complaint",
        [("Complaint reference", ref)], paras, "Customer Feedback Officer",
    )


def annex_complaint(ctx: Ctx) -> list[Section]:
    steps = [
        "Stage 1: the service responds to your complaint within 10 working days.",
        "Stage 2: a senior manager reviews the complaint within 20 working days.",
        f"After stage 2 you may contact the {_ombudsman(ctx)}.",
    ]
    return [Section("Our corporate complaints procedure", steps)]


Template = Callable[[Ctx], Letter]
TEMPLATES: dict[str, tuple[Template, ...]] = {
    "council_tax": (ctax_demand, ctax_reminder, ctax_discount),
    "housing_benefit": (hb_award, hb_overpayment, hb_rent_officer),
    "planning_application": (planning_decision, planning_validation, planning_refusal),
    "building_control": (bc_full_plans, bc_completion, bc_inspection),
    "electoral_registration": (er_hef, er_invitation, er_confirmation),
    "social_care": (sc_assessment, sc_carer, sc_safeguarding),
    "business_rates": (br_demand, br_relief, br_change),
    "foi_request": (foi_response, foi_acknowledge, foi_eir),
    "complaint": (complaint_stage1, complaint_stage2, complaint_ack),
}
ANNEXES: dict[str, Callable[[Ctx], list[Section]]] = {
    "council_tax": annex_council_tax,
    "housing_benefit": annex_housing_benefit,
    "planning_application": annex_planning,
    "building_control": annex_building_control,
    "electoral_registration": annex_electoral,
    "social_care": annex_social_care,
    "business_rates": annex_business_rates,
    "foi_request": annex_foi,
    "complaint": annex_complaint,
}


def make_context(council: Council, rng: random.Random) -> Ctx:
    """One record's fictional cast, all drawn from the record's own seeded RNG."""
    fake = Faker("en_GB")
    fake.seed_instance(rng.randrange(2**31))
    date = dt.date(2024, 4, 1) + dt.timedelta(days=rng.randrange(600))
    recipient = make_person(council, rng, fake, with_address=True)
    officer = make_person(council, rng, fake, with_address=False)
    site = make_address(council, rng, fake)
    return Ctx(council, rng, fake, date, recipient, officer, site)


def compose(record_type: str, ctx: Ctx, *, annex_pages: int) -> Letter:
    """Pick a template with the RNG and attach `annex_pages` continuation sections."""
    letter = ctx.rng.choice(TEMPLATES[record_type])(ctx)
    sections = ANNEXES[record_type](ctx)
    letter.annex = sections[:annex_pages]
    while len(letter.annex) < annex_pages:  # short annex lists repeat a generic notes page
        letter.annex.append(Section("Notes (continued)", sections[-1].paragraphs))
    return letter


# --- notes on the backs of sheets (stacks) ---------------------------------------------------

BACK_NOTES = (
    "Copy sent to applicant {date}",
    "Scanned {date} {initials}",
    "File closed {date}",
    "Seen by team leader {initials}",
    "Passed to Revenues {date}",
    "No further action {initials}",
)


def back_note(rng: random.Random, day: dt.date) -> str:
    """A one-line note an officer might write on the back of a sheet (nearly blank, not blank)."""
    initials = "".join(rng.choice("ABCDEGHJKLMPRSTW") for _ in range(2))
    return rng.choice(BACK_NOTES).format(date=f"{day.day}/{day.month}/{day.year % 100:02d}", initials=initials)
