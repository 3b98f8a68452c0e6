"""Demo data for ``manage.py seed_demo``: the catalogue and the figures as plain data, and the builder.

Everything here is illustrative. Organisation and innovation names are real public
bodies and programmes; hub priorities, adoption histories, learning notes and every
measurement are made up for the demo, and each measurement is stored with
``is_synthetic=True``.

The builder is idempotent: it looks every row up by its natural key (slug, name,
username, (hub, innovation), (indicator, period, quintile), …) and only creates what
is missing, so a second run adds no rows, not even history rows. Dates are computed
relative to today, so the two years of stage history and figures always end before
today; the random figures come from a fixed seed.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from core.months import add_months
from evaluation import summaries
from evaluation.models import Indicator, Measurement, Metric
from hubs.access import AHSN_ADMINS, EVALUATORS
from hubs.models import ClinicalArea, Hub, Membership, Organisation, Partnership, Programme
from hubs.vocabulary import ensure_vocabulary
from innovations.models import Adoption, Innovation
from innovations.services import adoption_move, adoption_start
from innovations.stages import Stage
from learning.models import LearningNote, LearningSummary, SummaryEmailPreference
from learning.summaries import summary_create, summary_publish, summary_submit

SEED = 2024
MONTHS = 24  # months of figures per indicator, ending with the last complete month
SYNTHETIC_REASON = "Synthetic demo figure (seed_demo)"


class DemoDataError(Exception):
    """The database is not ready for the demo data (for example, migrations not run)."""


# --------------------------------------------------------------------------------------
# Programme, organisations and hubs
# --------------------------------------------------------------------------------------

PROGRAMME = {
    "slug": "adopting-innovation",
    "name": "Adopting Innovation",
    "funder": "The Health Foundation",
    "award_cap": Decimal("475000"),
    "duration_months": 30,
    "description": (
        "A Health Foundation programme funding four hubs, each awarded up to £475,000 over "
        "two and a half years, to help their local health and care systems adopt proven "
        "innovations and tackle health inequalities through partnership working. Hubs are "
        "hosted with their regional AHSN, supported by a collaborative development programme "
        "run by the Innovation Unit, and independently evaluated; learning is spread through "
        "the AHSN Network."
    ),
}

K = Organisation.Kind
ORGANISATIONS: list[tuple[str, str, str]] = [
    # (name, kind, region)
    ("Wessex AHSN", K.AHSN, "South West"),
    ("Yorkshire & Humber AHSN", K.AHSN, "Yorkshire and the Humber"),
    ("Eastern AHSN", K.AHSN, "East of England"),
    ("Health Innovation Manchester", K.AHSN, "North West"),
    # Dorset
    ("NHS Dorset ICB", K.ICB, "South West"),
    ("Dorset HealthCare University NHS Foundation Trust", K.NHS_TRUST, "South West"),
    ("Dorset Council", K.LOCAL_AUTHORITY, "South West"),
    ("Help and Care", K.VCSE, "South West"),
    ("Bournemouth University", K.UNIVERSITY, "South West"),
    # Bradford and Craven
    ("Bradford Teaching Hospitals NHS Foundation Trust", K.NHS_TRUST, "Yorkshire and the Humber"),
    ("NHS West Yorkshire ICB", K.ICB, "Yorkshire and the Humber"),
    ("City of Bradford Metropolitan District Council", K.LOCAL_AUTHORITY, "Yorkshire and the Humber"),
    ("Community Action Bradford & District", K.VCSE, "Yorkshire and the Humber"),
    ("University of Bradford", K.UNIVERSITY, "Yorkshire and the Humber"),
    # Cambridgeshire and Peterborough
    ("NHS Cambridgeshire and Peterborough ICB", K.ICB, "East of England"),
    ("Cambridgeshire Community Services NHS Trust", K.NHS_TRUST, "East of England"),
    ("Cambridgeshire County Council", K.LOCAL_AUTHORITY, "East of England"),
    ("Peterborough City Council", K.LOCAL_AUTHORITY, "East of England"),
    ("Anglia Ruskin University", K.UNIVERSITY, "East of England"),
    # Manchester
    ("NHS Greater Manchester ICB", K.ICB, "North West"),
    ("Manchester University NHS Foundation Trust", K.NHS_TRUST, "North West"),
    ("Manchester City Council", K.LOCAL_AUTHORITY, "North West"),
    ("Manchester Homelessness Partnership", K.VCSE, "North West"),
    ("The University of Manchester", K.UNIVERSITY, "North West"),
]

R = Partnership.Role
HUB_START = datetime.date(2024, 10, 1)
HUB_END = datetime.date(2027, 3, 31)

HUBS: list[dict] = [
    {
        "slug": "dorset",
        "name": "Dorset",
        "region": "South West",
        "host": "Wessex AHSN",
        "lead": "NHS Dorset ICB",
        "award": Decimal("475000"),
        "priorities": (
            "Illustrative priorities for the demo, not the hub's own:\n\n"
            "- find and treat high blood pressure earlier in coastal towns;\n"
            "- care for more people at home rather than in hospital;\n"
            "- reach people who live far from services."
        ),
        "plus_groups": "Coastal communities\nPeople living in rural areas",
        "clinical_areas": ["hypertension", "chronic-respiratory-disease"],
        "partners": [
            ("Dorset HealthCare University NHS Foundation Trust", R.DELIVERY),
            ("Dorset Council", R.DELIVERY),
            ("Help and Care", R.COMMUNITY),
            ("Bournemouth University", R.EVALUATION),
        ],
        # IMD quintiles 1..5 of the people reached (synthetic), and months not yet reviewed.
        "quintile_weights": (0.14, 0.20, 0.24, 0.23, 0.19),
        "pending_months": 2,
    },
    {
        "slug": "bradford-and-craven",
        "name": "Bradford and Craven",
        "region": "Yorkshire and the Humber",
        "host": "Yorkshire & Humber AHSN",
        "lead": "Bradford Teaching Hospitals NHS Foundation Trust",
        "award": Decimal("470000"),
        "priorities": (
            "Illustrative priorities for the demo, not the hub's own:\n\n"
            "- hypertension case-finding with South Asian communities;\n"
            "- earlier diagnosis of cancer;\n"
            "- proactive care for people living with frailty."
        ),
        "plus_groups": "South Asian communities\nPeople with multiple long-term conditions",
        "clinical_areas": ["hypertension", "early-cancer-diagnosis", "children-asthma"],
        "partners": [
            ("NHS West Yorkshire ICB", R.DELIVERY),
            ("City of Bradford Metropolitan District Council", R.DELIVERY),
            ("Community Action Bradford & District", R.COMMUNITY),
            ("University of Bradford", R.EVALUATION),
        ],
        "quintile_weights": (0.42, 0.22, 0.15, 0.12, 0.09),
        "pending_months": 3,
    },
    {
        "slug": "cambridgeshire-and-peterborough",
        "name": "Cambridgeshire and Peterborough",
        "region": "East of England",
        "host": "Eastern AHSN",
        "lead": "NHS Cambridgeshire and Peterborough ICB",
        "award": Decimal("468500"),
        "priorities": (
            "Illustrative priorities for the demo, not the hub's own:\n\n"
            "- better diagnosis and care of asthma;\n"
            "- safer prescribing in general practice;\n"
            "- reaching Gypsy, Roma and Traveller communities."
        ),
        "plus_groups": "Gypsy, Roma and Traveller communities\nPeople living in rural areas",
        "clinical_areas": ["children-asthma", "chronic-respiratory-disease", "hypertension"],
        "partners": [
            ("Cambridgeshire Community Services NHS Trust", R.DELIVERY),
            ("Cambridgeshire County Council", R.DELIVERY),
            ("Peterborough City Council", R.COMMUNITY),
            ("Anglia Ruskin University", R.EVALUATION),
        ],
        "quintile_weights": (0.12, 0.17, 0.22, 0.24, 0.25),
        "pending_months": 2,
    },
    {
        "slug": "manchester",
        "name": "Manchester",
        "region": "North West",
        "host": "Health Innovation Manchester",
        "lead": "NHS Greater Manchester ICB",
        "award": Decimal("475000"),
        "priorities": (
            "Illustrative priorities for the demo, not the hub's own:\n\n"
            "- treating tobacco dependence;\n"
            "- care at home that works for people without stable housing;\n"
            "- physical health of people with severe mental illness."
        ),
        "plus_groups": "People experiencing homelessness\nEthnic minority communities",
        "clinical_areas": ["chronic-respiratory-disease", "severe-mental-illness", "hypertension"],
        "partners": [
            ("Manchester University NHS Foundation Trust", R.DELIVERY),
            ("Manchester City Council", R.DELIVERY),
            ("Manchester Homelessness Partnership", R.COMMUNITY),
            ("The University of Manchester", R.EVALUATION),
        ],
        "quintile_weights": (0.48, 0.22, 0.13, 0.10, 0.07),
        "pending_months": 3,
    },
]

# --------------------------------------------------------------------------------------
# Demo accounts (password: settings.DEMO_PASSWORD). None is a superuser.
# --------------------------------------------------------------------------------------

USERS: list[dict] = [
    {"username": "staff-dorset", "first_name": "Amy", "last_name": "Carter", "hub": "dorset", "role": "lead"},
    {
        "username": "staff-bradford",
        "first_name": "Imran",
        "last_name": "Hussain",
        "hub": "bradford-and-craven",
        "role": "member",
    },
    {
        "username": "staff-cambs",
        "first_name": "Laura",
        "last_name": "Bennett",
        "hub": "cambridgeshire-and-peterborough",
        "role": "member",
    },
    {
        "username": "staff-manchester",
        "first_name": "Daniel",
        "last_name": "Okafor",
        "hub": "manchester",
        "role": "member",
    },
    {
        "username": "lead-manchester",
        "first_name": "Sarah",
        "last_name": "Whitfield",
        "hub": "manchester",
        "role": "lead",
    },
    {"username": "evaluator", "first_name": "Ruth", "last_name": "Evans", "group": EVALUATORS},
    {"username": "ahsn-admin", "first_name": "Tom", "last_name": "Gallagher", "group": AHSN_ADMINS},
    {"username": "ahsn-admin-2", "first_name": "Nadia", "last_name": "Rahman", "group": AHSN_ADMINS},
]
DEMO_USERNAMES = [u["username"] for u in USERS]

# --------------------------------------------------------------------------------------
# Innovation catalogue (summaries in our own words, facts from the domain reference)
# --------------------------------------------------------------------------------------

C = Innovation.Category
E = Innovation.Evidence
INNOVATIONS: list[dict] = [
    {
        "slug": "covid-oximetry-at-home",
        "name": "COVID Oximetry @home",
        "summary": (
            "People with COVID-19 who are at higher risk check their blood oxygen at home with a "
            "pulse oximeter and seek help if it falls. NHS England rolled it out nationally in late 2020."
        ),
        "category": C.REMOTE_MONITORING,
        "evidence": E.NATIONAL,
        "origin": "NHS England",
        "areas": [],
    },
    {
        "slug": "covid-virtual-wards",
        "name": "COVID virtual wards",
        "summary": (
            "Early supported discharge from hospital for people with COVID-19, with their oxygen "
            "levels monitored remotely by oximetry. Introduced in 2021."
        ),
        "category": C.REMOTE_MONITORING,
        "evidence": E.NATIONAL,
        "origin": "NHS England",
        "areas": [],
    },
    {
        "slug": "virtual-wards",
        "name": "Virtual wards (hospital at home)",
        "summary": (
            "Acute care given in a person's own home under clinical oversight, often with remote "
            "monitoring. Expanded nationally from 2022."
        ),
        "category": C.REMOTE_MONITORING,
        "evidence": E.NATIONAL,
        "origin": "NHS England",
        "areas": [],
    },
    {
        "slug": "bp-at-home",
        "name": "BP@home",
        "summary": (
            "People with hypertension use a blood-pressure monitor at home and share their readings "
            "with their GP practice. Rolled out nationally with the AHSN Network from 2020."
        ),
        "category": C.REMOTE_MONITORING,
        "evidence": E.NATIONAL,
        "origin": "NHS England and the AHSN Network",
        "areas": ["hypertension"],
    },
    {
        "slug": "community-pharmacy-hypertension-case-finding",
        "name": "Community pharmacy hypertension case-finding",
        "summary": (
            "Community pharmacies check the blood pressure of adults aged 40 and over, with "
            "ambulatory monitoring when a reading is raised. An NHS service since October 2021."
        ),
        "category": C.DIAGNOSTICS,
        "evidence": E.NATIONAL,
        "origin": "NHS England (community pharmacy service)",
        "areas": ["hypertension"],
    },
    {
        "slug": "nhs-digital-weight-management-programme",
        "name": "NHS Digital Weight Management Programme",
        "summary": (
            "A 12-week online programme for adults living with obesity who also have diabetes, "
            "hypertension or both, referred by a GP practice or pharmacy. Launched in 2021."
        ),
        "category": C.PREVENTION,
        "evidence": E.NATIONAL,
        "origin": "NHS England",
        "areas": ["hypertension"],
    },
    {
        "slug": "fit-in-primary-care",
        "name": "FIT in primary care",
        "summary": (
            "Faecal immunochemical testing of people with symptoms, used to triage referrals for "
            "suspected colorectal cancer."
        ),
        "category": C.DIAGNOSTICS,
        "evidence": E.NICE,
        "origin": "NICE diagnostics guidance",
        "areas": ["early-cancer-diagnosis"],
    },
    {
        "slug": "feno-testing-in-primary-care",
        "name": "FeNO testing in primary care",
        "summary": (
            "Fractional exhaled nitric oxide testing in general practice to support the diagnosis "
            "of asthma. An AHSN Network national programme."
        ),
        "category": C.DIAGNOSTICS,
        "evidence": E.NICE,
        "origin": "AHSN Network national programme",
        "areas": ["children-asthma", "chronic-respiratory-disease"],
    },
    {
        "slug": "escape-pain",
        "name": "ESCAPE-pain",
        "summary": (
            "Group rehabilitation that combines exercise and self-management for people with chronic "
            "knee or hip pain. An AHSN Network national programme."
        ),
        "category": C.SERVICE_MODEL,
        "evidence": E.TRIAL,
        "origin": "AHSN Network national programme",
        "areas": [],
    },
    {
        "slug": "pincer",
        "name": "PINCER",
        "summary": (
            "A pharmacist-led audit and feedback intervention that finds hazardous prescribing in GP "
            "practices and helps put it right. An AHSN Network national programme."
        ),
        "category": C.MEDICINES,
        "evidence": E.TRIAL,
        "origin": "AHSN Network national programme",
        "areas": [],
    },
    {
        "slug": "transfers-of-care-around-medicines",
        "name": "Transfers of Care Around Medicines (TCAM)",
        "summary": (
            "Hospital pharmacy teams refer patients to their community pharmacy when they leave "
            "hospital, for support with their medicines. An AHSN Network national programme."
        ),
        "category": C.MEDICINES,
        "evidence": E.OBSERVATIONAL,
        "origin": "AHSN Network national programme",
        "areas": [],
    },
    {
        "slug": "af-detection-mobile-ecg",
        "name": "Atrial fibrillation detection with mobile ECG",
        "summary": (
            "Handheld single-lead ECG devices used in primary care and the community to detect "
            "atrial fibrillation, so that anticoagulation can be offered to prevent strokes."
        ),
        "category": C.DIAGNOSTICS,
        "evidence": E.OBSERVATIONAL,
        "origin": "AHSN Network",
        "areas": [],
    },
    {
        "slug": "tobacco-dependence-treatment-opt-out",
        "name": "Tobacco dependence treatment in hospital (opt-out)",
        "summary": (
            "Every smoker admitted to hospital is offered treatment for tobacco dependence by "
            "default. Pioneered in Greater Manchester by the CURE project."
        ),
        "category": C.PREVENTION,
        "evidence": E.OBSERVATIONAL,
        "origin": "The CURE project, Greater Manchester",
        "areas": ["chronic-respiratory-disease"],
    },
    {
        "slug": "social-prescribing-link-workers",
        "name": "Social prescribing link workers",
        "summary": (
            "Link workers in primary care networks connect people with community groups and "
            "services for practical, social and emotional support."
        ),
        "category": C.WORKFORCE,
        "evidence": E.OBSERVATIONAL,
        "origin": "NHS England (primary care networks)",
        "areas": [],
    },
    {
        "slug": "electronic-frailty-index",
        "name": "Electronic Frailty Index",
        "summary": (
            "Uses routine data in the GP record to identify people likely to be living with "
            "frailty, so that proactive care can be targeted."
        ),
        "category": C.DIGITAL,
        "evidence": E.OBSERVATIONAL,
        "origin": "University of Leeds and Bradford Institute for Health Research",
        "areas": [],
    },
]

PROPOSED_INNOVATION = {
    "slug": "health-checks-at-traveller-sites",
    "name": "Health checks at Traveller sites (illustrative proposal)",
    "summary": (
        "Illustrative local idea for the demo: community nurses visit Traveller sites with a "
        "blood-pressure monitor and a FeNO device on a regular day, working with a trusted "
        "community member. Proposed for the catalogue; not yet reviewed."
    ),
    "category": C.SERVICE_MODEL,
    "evidence": E.EMERGING,
    "origin": "Cambridgeshire and Peterborough hub (illustrative)",
    "areas": ["hypertension", "children-asthma"],
    "proposed_by": "staff-cambs",
}

# --------------------------------------------------------------------------------------
# Metrics (RE-AIM)
# --------------------------------------------------------------------------------------

D = Metric.Dimension
MK = Metric.Kind
I = Metric.Improvement  # noqa: E741
METRICS: list[dict] = [
    {
        "code": "people-enrolled",
        "name": "People enrolled",
        "description": "People who started using the innovation in the month.",
        "dimension": D.REACH,
        "unit": "people",
        "kind": MK.COUNT,
        "improvement": I.INCREASE,
    },
    {
        "code": "people-offered",
        "name": "People offered",
        "description": "People offered the innovation in the month (tested, checked or invited).",
        "dimension": D.REACH,
        "unit": "people",
        "kind": MK.COUNT,
        "improvement": I.INCREASE,
    },
    {
        "code": "share-enrolled-imd1",
        "name": "Share enrolled from IMD quintile 1",
        "description": (
            "People enrolled who live in the most deprived fifth of neighbourhoods, out of all "
            "people enrolled in the month. Compare with the 20% population share."
        ),
        "dimension": D.REACH,
        "unit": "%",
        "kind": MK.PERCENTAGE,
        "improvement": I.INCREASE,
    },
    {
        "code": "emergency-admissions-rate",
        "name": "Emergency admissions among enrolled people",
        "description": "Emergency hospital admissions per 1,000 enrolled people in the month.",
        "dimension": D.EFFECTIVENESS,
        "unit": "per 1,000",
        "kind": MK.RATE,
        "improvement": I.DECREASE,
    },
    {
        "code": "bp-controlled",
        "name": "Blood pressure controlled to target",
        "description": "Enrolled people whose latest blood pressure is at or below their target.",
        "dimension": D.EFFECTIVENESS,
        "unit": "%",
        "kind": MK.PERCENTAGE,
        "improvement": I.INCREASE,
    },
    {
        "code": "sites-taking-part",
        "name": "Practices or pharmacies taking part",
        "description": "Sites delivering the innovation at the end of the month.",
        "dimension": D.ADOPTION,
        "unit": "sites",
        "kind": MK.COUNT,
        "improvement": I.INCREASE,
    },
    {
        "code": "eligible-sites-taking-part",
        "name": "Eligible sites taking part",
        "description": "Sites delivering the innovation, out of all eligible sites.",
        "dimension": D.ADOPTION,
        "unit": "%",
        "kind": MK.PERCENTAGE,
        "improvement": I.INCREASE,
    },
    {
        "code": "escalated-within-protocol",
        "name": "Readings escalated within protocol",
        "description": "Readings that needed escalation and were escalated within the agreed time.",
        "dimension": D.IMPLEMENTATION,
        "unit": "%",
        "kind": MK.PERCENTAGE,
        "improvement": I.INCREASE,
    },
    {
        "code": "cost-per-person",
        "name": "Cost per person enrolled",
        "description": "Running cost in the month divided by people enrolled.",
        "dimension": D.IMPLEMENTATION,
        "unit": "£",
        "kind": MK.AMOUNT,
        "improvement": I.DECREASE,
    },
    {
        "code": "sites-sustaining",
        "name": "Sites still delivering after six months",
        "description": "Sites still delivering six months after they started, out of sites that started six months ago or more.",
        "dimension": D.MAINTENANCE,
        "unit": "%",
        "kind": MK.PERCENTAGE,
        "improvement": I.INCREASE,
    },
]

# --------------------------------------------------------------------------------------
# Adoptions, their stage histories and indicators
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    """How to make up an indicator's 24 monthly figures (index 0 = oldest month).

    ``level`` is the mean (a percentage for percentage metrics), ``slope`` its change per
    month, ``sd`` the month-to-month noise, ``den`` a percentage's usual denominator.
    ``signal`` plants one SPC special cause: "shift" (a step up from month 12), "trend"
    (the last nine months rise every month), "outlier" (one month far above the limits),
    "decline" (the last eight months fall every month) or "spike" (the last month far
    above the limits).
    """

    metric: str
    level: float
    sd: float = 0.0
    slope: float = 0.0
    den: int = 0
    target: str | None = None
    baseline: int | None = None
    signal: str = ""
    q1_drift: float = 0.0  # change in the IMD quintile 1 share over the two years
    cumulative: bool = False  # a running total that never falls (sites taking part)


SHIFT_AT = 12  # index of the first month after the shift
SHIFT_SIZE = 11.0
TREND_POINTS = 9
OUTLIER_AT = MONTHS - 7
OUTLIER_SIZE = 25.0
DECLINE_POINTS = 8

S = Stage
ADOPTIONS: list[dict] = [
    # ---- Dorset ------------------------------------------------------------------------
    {
        "hub": "dorset",
        "innovation": "virtual-wards",
        "lead": "staff-dorset",
        "started_days_ago": 730,
        "moves": [
            (S.ASSESSING, 20, ""),
            (S.DECIDED, 60, ""),
            (S.PLANNING, 90, ""),
            (S.TESTING, 150, ""),
            (S.IMPLEMENTED, 240, ""),
            (S.SUSTAINED, 430, ""),
        ],
        "aims": "Care for more people with frailty or respiratory illness at home, and cut avoidable admissions.",
        "target_population": "Adults registered with practices in coastal and rural Dorset who would otherwise be admitted.",
        "indicators": [
            Series("people-enrolled", 95, sd=8, slope=1.0),
            Series("share-enrolled-imd1", 0, den=0, target="20"),
            Series("emergency-admissions-rate", 48, sd=3, slope=-0.3, target="40", signal="spike"),
            Series("escalated-within-protocol", 88, sd=2.5, den=60, target="95"),
        ],
    },
    {
        "hub": "dorset",
        "innovation": "bp-at-home",
        "lead": "staff-dorset",
        "started_days_ago": 715,
        "moves": [
            (S.ASSESSING, 14, ""),
            (S.DECIDED, 45, ""),
            (S.PLANNING, 75, ""),
            (S.TESTING, 120, ""),
            (S.IMPLEMENTED, 200, ""),
            (S.SUSTAINED, 400, ""),
            (S.SPREADING, 520, ""),
        ],
        "aims": "Help people with high blood pressure monitor it at home and reach their target sooner.",
        "target_population": "Adults with diagnosed hypertension, starting with practices in coastal towns.",
        "indicators": [
            Series("people-enrolled", 70, sd=7, slope=1.5, q1_drift=0.10),
            Series("bp-controlled", 52, sd=1.5, den=320, target="70", baseline=SHIFT_AT, signal="shift"),
            Series("sites-taking-part", 6, slope=0.75, sd=1.2, cumulative=True),
            Series("sites-sustaining", 85, sd=4, den=14),
        ],
    },
    {
        "hub": "dorset",
        "innovation": "community-pharmacy-hypertension-case-finding",
        "lead": "staff-dorset",
        "started_days_ago": 600,
        "moves": [
            (S.ASSESSING, 21, ""),
            (S.DECIDED, 50, ""),
            (S.TESTING, 110, ""),
            (S.IMPLEMENTED, 260, ""),
        ],
        "aims": "More blood-pressure checks for adults over 40 who rarely see their GP.",
        "target_population": "Adults aged 40 and over using community pharmacies in Weymouth, Portland and Bournemouth.",
        "indicators": [
            Series("people-offered", 240, sd=20, slope=4),
            Series("sites-taking-part", 12, slope=0.9, sd=1.2, cumulative=True, target="40"),
            Series("cost-per-person", 38, sd=2.5, slope=-0.4),
        ],
    },
    {
        "hub": "dorset",
        "innovation": "escape-pain",
        "lead": "staff-dorset",
        "started_days_ago": 560,
        "moves": [
            (S.ASSESSING, 30, ""),
            (S.DECIDED, 70, ""),
            (S.PLANNING, 100, ""),
            (S.TESTING, 160, ""),
            (
                S.PAUSED,
                300,
                "The physiotherapy team lost two posts and the community venue closed for "
                "refurbishment; paused until both are resolved.",
            ),
        ],
        "aims": "Offer group exercise and self-management to people with chronic knee or hip pain near where they live.",
        "target_population": "Adults with chronic knee or hip pain on physiotherapy waiting lists.",
        "indicators": [],
    },
    {
        "hub": "dorset",
        "innovation": "electronic-frailty-index",
        "lead": "staff-dorset",
        "started_days_ago": 300,
        "moves": [(S.ASSESSING, 40, ""), (S.DECIDED, 230, "")],
        "aims": "Find people likely to be living with frailty so that practices can offer proactive reviews.",
        "target_population": "Adults aged 65 and over registered with Dorset practices.",
        "indicators": [],
    },
    # ---- Bradford and Craven -----------------------------------------------------------
    {
        "hub": "bradford-and-craven",
        "innovation": "bp-at-home",
        "lead": "staff-bradford",
        "started_days_ago": 690,
        "moves": [
            (S.ASSESSING, 20, ""),
            (S.DECIDED, 50, ""),
            (S.PLANNING, 80, ""),
            (S.TESTING, 130, ""),
            (S.IMPLEMENTED, 250, ""),
        ],
        "aims": "Improve blood-pressure control among South Asian communities with home monitoring.",
        "target_population": "Adults with hypertension in practices serving the most deprived wards of Bradford.",
        "indicators": [
            Series("people-enrolled", 85, sd=9, slope=1.2),
            Series("share-enrolled-imd1", 0, target="45"),
            Series("bp-controlled", 55, sd=2.5, slope=0.3, den=280, target="70"),
        ],
    },
    {
        "hub": "bradford-and-craven",
        "innovation": "virtual-wards",
        "lead": "staff-bradford",
        "started_days_ago": 650,
        "moves": [
            (S.ASSESSING, 15, ""),
            (S.DECIDED, 40, ""),
            (S.PLANNING, 70, ""),
            (S.TESTING, 120, ""),
            (
                S.PAUSED,
                300,
                "Winter pressures: the community nursing team was redeployed to the acute wards.",
            ),
            (S.TESTING, 390, "Nurses back in post; restarting the PDSA cycles with a smaller cohort."),
        ],
        "aims": "Test hospital at home for people with heart failure and COPD.",
        "target_population": "Adults with heart failure or COPD admitted to Bradford Royal Infirmary.",
        "indicators": [
            Series("people-enrolled", 45, sd=6, slope=0.8),
            Series("escalated-within-protocol", 84, sd=3, den=40, target="95"),
        ],
    },
    {
        "hub": "bradford-and-craven",
        "innovation": "electronic-frailty-index",
        "lead": "staff-bradford",
        "started_days_ago": 720,
        "moves": [
            (S.ASSESSING, 10, ""),
            (S.DECIDED, 30, ""),
            (S.PLANNING, 60, ""),
            (S.TESTING, 100, ""),
            (S.IMPLEMENTED, 180, ""),
            (S.SUSTAINED, 380, ""),
        ],
        "aims": "Offer a proactive care review to everyone the index flags as moderately or severely frail.",
        "target_population": "Adults aged 65 and over registered with practices in Bradford and Craven.",
        "indicators": [
            Series("people-offered", 310, sd=25, slope=3),
            Series("sites-taking-part", 10, slope=1.0, sd=1.2, cumulative=True),
            Series("sites-sustaining", 90, sd=3, den=20, target="90"),
        ],
    },
    {
        "hub": "bradford-and-craven",
        "innovation": "nhs-digital-weight-management-programme",
        "lead": "staff-bradford",
        "started_days_ago": 520,
        "moves": [
            (S.ASSESSING, 30, ""),
            (
                S.NOT_ADOPTED,
                120,
                "Referrals already run through the local weight-management service; the partnership "
                "decided not to add a second route and to focus on blood pressure instead.",
            ),
        ],
        "aims": "Assess whether the digital programme would reach people the local service does not.",
        "target_population": "Adults living with obesity and diabetes or hypertension.",
        "indicators": [],
    },
    {
        "hub": "bradford-and-craven",
        "innovation": "fit-in-primary-care",
        "lead": "staff-bradford",
        "started_days_ago": 420,
        "moves": [
            (S.ASSESSING, 20, ""),
            (S.DECIDED, 45, ""),
            (S.PLANNING, 80, ""),
            (S.TESTING, 150, ""),
            (
                S.PAUSED,
                395,
                "Practices paused new pathways while they clear an appointments backlog; the "
                "test restarts once it is down.",
            ),
        ],
        "aims": "Make sure people with lower-bowel symptoms get a FIT result before referral.",
        "target_population": "Adults presenting to primary care with symptoms of possible colorectal cancer.",
        "indicators": [
            Series("people-offered", 160, sd=14, slope=2),
            Series("sites-taking-part", 8, slope=0.8, sd=1.2, cumulative=True),
        ],
    },
    # ---- Cambridgeshire and Peterborough -----------------------------------------------
    {
        "hub": "cambridgeshire-and-peterborough",
        "innovation": "virtual-wards",
        "lead": "staff-cambs",
        "started_days_ago": 725,
        "moves": [
            (S.ASSESSING, 20, ""),
            (S.DECIDED, 50, ""),
            (S.PLANNING, 90, ""),
            (S.TESTING, 140, ""),
            (S.IMPLEMENTED, 230, ""),
        ],
        "aims": "Treat more people with respiratory infections at home, with remote monitoring.",
        "target_population": "Adults with acute respiratory infection in Peterborough and Fenland.",
        "indicators": [
            Series("people-enrolled", 110, sd=9, slope=1.0),
            Series("emergency-admissions-rate", 42, sd=2.5, target="38", signal="outlier"),
            Series("share-enrolled-imd1", 0),
        ],
    },
    {
        "hub": "cambridgeshire-and-peterborough",
        "innovation": "feno-testing-in-primary-care",
        "lead": "staff-cambs",
        "started_days_ago": 710,
        "moves": [
            (S.ASSESSING, 14, ""),
            (S.DECIDED, 40, ""),
            (S.PLANNING, 70, ""),
            (S.TESTING, 110, ""),
            (S.IMPLEMENTED, 190, ""),
            (S.SUSTAINED, 400, ""),
        ],
        "aims": "Confirm asthma diagnoses with FeNO in primary care hubs.",
        "target_population": "Children and adults with suspected asthma.",
        "indicators": [
            Series("people-offered", 130, sd=12, slope=1.5, signal="decline"),
            Series("sites-taking-part", 5, slope=0.5, sd=1.2, cumulative=True),
            Series("sites-sustaining", 80, sd=5, den=10),
        ],
    },
    {
        "hub": "cambridgeshire-and-peterborough",
        "innovation": "af-detection-mobile-ecg",
        "lead": "staff-cambs",
        "started_days_ago": 620,
        "moves": [
            (S.ASSESSING, 20, ""),
            (S.DECIDED, 60, ""),
            (S.PLANNING, 90, ""),
            (S.TESTING, 150, ""),
            (
                S.ABANDONED,
                330,
                "Readings could not be filed in the GP record without re-typing them, and uptake "
                "stayed low; the partnership stopped the test.",
            ),
        ],
        "aims": "Find undiagnosed atrial fibrillation at flu clinics and community events.",
        "target_population": "Adults aged 65 and over attending flu clinics.",
        "indicators": [],
    },
    {
        "hub": "cambridgeshire-and-peterborough",
        "innovation": "pincer",
        "lead": "staff-cambs",
        "started_days_ago": 600,
        "moves": [
            (S.ASSESSING, 20, ""),
            (S.DECIDED, 40, ""),
            (S.TESTING, 90, ""),
            (S.IMPLEMENTED, 200, ""),
        ],
        "aims": "Reduce hazardous prescribing across the system's practices.",
        "target_population": "GP practices in Cambridgeshire and Peterborough.",
        "indicators": [
            Series("eligible-sites-taking-part", 35, sd=3, slope=1.6, den=86, target="80"),
            Series("sites-taking-part", 20, slope=2.0, sd=1.2, cumulative=True),
        ],
    },
    {
        "hub": "cambridgeshire-and-peterborough",
        "innovation": "social-prescribing-link-workers",
        "lead": "staff-cambs",
        "started_days_ago": 240,
        "moves": [(S.ASSESSING, 20, ""), (S.DECIDED, 60, ""), (S.PLANNING, 110, "")],
        "aims": "Plan link-worker support that reaches Gypsy, Roma and Traveller families.",
        "target_population": "Gypsy, Roma and Traveller families in Fenland and Peterborough.",
        "indicators": [],
    },
    # ---- Manchester --------------------------------------------------------------------
    {
        "hub": "manchester",
        "innovation": "virtual-wards",
        "lead": "lead-manchester",
        "started_days_ago": 728,
        "moves": [
            (S.ASSESSING, 15, ""),
            (S.DECIDED, 45, ""),
            (S.PLANNING, 80, ""),
            (S.TESTING, 130, ""),
            (S.IMPLEMENTED, 210, ""),
        ],
        "aims": "Make hospital at home work for people in temporary accommodation.",
        "target_population": "Adults in central Manchester, including people experiencing homelessness.",
        "indicators": [
            Series("people-enrolled", 120, sd=6, signal="trend"),
            Series("share-enrolled-imd1", 0, target="50"),
            Series("escalated-within-protocol", 90, sd=2, den=70, target="80"),
            Series("cost-per-person", 420, sd=15, slope=-3),
        ],
    },
    {
        "hub": "manchester",
        "innovation": "tobacco-dependence-treatment-opt-out",
        "lead": "lead-manchester",
        "started_days_ago": 730,
        "moves": [
            (S.ASSESSING, 10, ""),
            (S.DECIDED, 30, ""),
            (S.PLANNING, 60, ""),
            (S.TESTING, 100, ""),
            (S.IMPLEMENTED, 170, ""),
            (S.SUSTAINED, 360, ""),
            (S.SPREADING, 500, ""),
        ],
        "aims": "Offer every smoker admitted to hospital treatment for tobacco dependence, and follow up after discharge.",
        "target_population": "Adults who smoke admitted to Manchester hospitals.",
        "indicators": [
            Series("people-offered", 520, sd=30, slope=4),
            Series("people-enrolled", 230, sd=15, slope=2),
            Series("share-enrolled-imd1", 0),
            Series("cost-per-person", 95, sd=5, slope=-0.8),
        ],
    },
    {
        "hub": "manchester",
        "innovation": "transfers-of-care-around-medicines",
        "lead": "staff-manchester",
        "started_days_ago": 540,
        "moves": [
            (S.ASSESSING, 20, ""),
            (S.DECIDED, 50, ""),
            (S.PLANNING, 80, ""),
            (S.TESTING, 130, ""),
            (
                S.PLANNING,
                200,
                "Discharge referrals were not reaching community pharmacies reliably; back to "
                "planning to fix the electronic referral route.",
            ),
            (S.TESTING, 260, ""),
        ],
        "aims": "Refer people leaving hospital to their community pharmacy for a medicines check.",
        "target_population": "Adults discharged on four or more medicines, including people with no fixed address.",
        "indicators": [
            Series("people-enrolled", 60, sd=7, slope=1.2),
            Series("share-enrolled-imd1", 0),
        ],
    },
    {
        "hub": "manchester",
        "innovation": "social-prescribing-link-workers",
        "lead": "staff-manchester",
        "started_days_ago": 700,
        "moves": [
            (S.ASSESSING, 20, ""),
            (S.DECIDED, 50, ""),
            (S.PLANNING, 80, ""),
            (S.TESTING, 120, ""),
            (S.IMPLEMENTED, 190, ""),
            (S.SUSTAINED, 400, ""),
        ],
        "aims": "Link people experiencing homelessness with housing, benefits and community support.",
        "target_population": "People experiencing homelessness registered with the city's specialist practice and partners.",
        "indicators": [
            Series("people-enrolled", 55, sd=6, slope=0.6),
            Series("share-enrolled-imd1", 0),
            Series("sites-sustaining", 88, sd=4, den=16),
        ],
    },
    {
        "hub": "manchester",
        "innovation": "community-pharmacy-hypertension-case-finding",
        "lead": "staff-manchester",
        "started_days_ago": 210,
        "moves": [(S.ASSESSING, 30, ""), (S.DECIDED, 90, ""), (S.PLANNING, 150, "")],
        "aims": "Bring blood-pressure checks to pharmacies near hostels and day centres.",
        "target_population": "Adults aged 40 and over, including people experiencing homelessness.",
        "indicators": [],
    },
]

# Figures an evaluator sent back: (hub, innovation, metric, months before the last complete
# month) → (what is wrong with the figure, the evaluator's note).
RETURNED: dict[tuple[str, str, str, int], tuple[str, str]] = {
    ("bradford-and-craven", "bp-at-home", "share-enrolled-imd1", 1): (
        "small_denominator",
        "Denominator looks too small for this month — please check against the practice list.",
    ),
    ("cambridgeshire-and-peterborough", "pincer", "eligible-sites-taking-part", 0): (
        "double_count",
        "Two merged practices seem to be counted twice in the numerator — please check and resubmit.",
    ),
    ("manchester", "tobacco-dependence-treatment-opt-out", "cost-per-person", 1): (
        "one_off_cost",
        "This month seems to include the one-off cost of new CO monitors; please report running "
        "costs only, as agreed.",
    ),
}

# --------------------------------------------------------------------------------------
# Learning notes (illustrative), dated by days after the adoption started
# --------------------------------------------------------------------------------------

N = LearningNote.Kind
CF = LearningNote.Domain
NOTES: list[dict] = [
    # The recurring theme: digital exclusion, in three hubs.
    {
        "hub": "bradford-and-craven",
        "innovation": "bp-at-home",
        "author": "staff-bradford",
        "days": 170,
        "kind": N.BARRIER,
        "domain": CF.INDIVIDUALS,
        "title": "Digital exclusion: no smartphone or data",
        "text": (
            "About one in five people offered a monitor had **no smartphone or no mobile data** to "
            "send readings.\n\n- Some shared one phone across the household.\n- Others ran out of "
            "data before the end of the month.\n\nWe now ask about this at the first appointment."
        ),
    },
    {
        "hub": "manchester",
        "innovation": "virtual-wards",
        "author": "staff-manchester",
        "days": 160,
        "kind": N.BARRIER,
        "domain": CF.INDIVIDUALS,
        "title": "Digital exclusion: no smartphone or data in temporary accommodation",
        "text": (
            "People in hostels and temporary accommodation often had **no smartphone, no data, or "
            "nowhere to charge a device**. Remote monitoring assumed all three."
        ),
    },
    {
        "hub": "dorset",
        "innovation": "virtual-wards",
        "author": "staff-dorset",
        "days": 180,
        "kind": N.BARRIER,
        "domain": CF.OUTER_SETTING,
        "title": "Digital exclusion: no smartphone, no data, patchy signal",
        "text": (
            "In rural and coastal areas some homes have **no mobile signal**, and some older "
            "patients have no smartphone or data plan. Readings arrived late or not at all."
        ),
    },
    {
        "hub": "manchester",
        "innovation": "virtual-wards",
        "author": "lead-manchester",
        "days": 215,
        "kind": N.ADAPTATION,
        "domain": CF.INNOVATION,
        "title": "Loan kits with a data SIM and a charger",
        "text": (
            "We now loan a **kit**: tablet with a data SIM, charger and a printed one-page guide. "
            "Day-centre staff keep spare chargers."
        ),
    },
    {
        "hub": "dorset",
        "innovation": "bp-at-home",
        "author": "staff-dorset",
        "days": 140,
        "kind": N.ENABLER,
        "domain": CF.INNER_SETTING,
        "title": "A named champion in every practice",
        "text": (
            "Practices with a named nurse or healthcare assistant **champion** enrolled about twice "
            "as many people as those without. The champion chases returned readings."
        ),
    },
    {
        "hub": "dorset",
        "innovation": "bp-at-home",
        "author": "staff-dorset",
        "days": 260,
        "kind": N.ADAPTATION,
        "domain": CF.PROCESS,
        "title": "Handing out monitors at community events in coastal towns",
        "text": (
            "With Help and Care we gave out monitors at **community events and food banks** in "
            "coastal towns, not only at the practice. Enrolment from IMD quintile 1 rose after this."
        ),
    },
    {
        "hub": "dorset",
        "innovation": "escape-pain",
        "author": "staff-dorset",
        "days": 295,
        "kind": N.BARRIER,
        "domain": CF.INNER_SETTING,
        "title": "No physiotherapy capacity to run the groups",
        "text": (
            "Two physiotherapy posts were vacant and the venue closed for refurbishment. "
            "The groups depend on **both a trained facilitator and a local room**; we had neither."
        ),
    },
    {
        "hub": "dorset",
        "innovation": "community-pharmacy-hypertension-case-finding",
        "author": "staff-dorset",
        "days": 320,
        "kind": N.LESSON,
        "domain": CF.OUTER_SETTING,
        "title": "Pharmacy uptake followed staffing, not our communications",
        "text": (
            "Pharmacies joined when they had a **second pharmacist or a trained technician**. "
            "Newsletters made little difference; a visit from the ICB pharmacy lead did."
        ),
    },
    {
        "hub": "bradford-and-craven",
        "innovation": "bp-at-home",
        "author": "staff-bradford",
        "days": 230,
        "kind": N.ENABLER,
        "domain": CF.INDIVIDUALS,
        "title": "Community health champions explain the monitors",
        "text": (
            "Community health champions explained the monitors **in community languages** at "
            "community centres and places of worship, and helped people take their first reading."
        ),
    },
    {
        "hub": "bradford-and-craven",
        "innovation": "electronic-frailty-index",
        "author": "staff-bradford",
        "days": 90,
        "kind": N.ENABLER,
        "domain": CF.INNOVATION,
        "title": "Uses data practices already have",
        "text": (
            "The index runs on **routine GP-record data**, so practices did not need to collect "
            "anything new. The searches took an afternoon to set up."
        ),
    },
    {
        "hub": "bradford-and-craven",
        "innovation": "virtual-wards",
        "author": "staff-bradford",
        "days": 302,
        "kind": N.BARRIER,
        "domain": CF.INNER_SETTING,
        "title": "Winter redeployment emptied the team",
        "text": (
            "In winter the community nurses were **redeployed to acute wards**. With no protected "
            "staff the test could not continue, so we paused it."
        ),
    },
    {
        "hub": "bradford-and-craven",
        "innovation": "virtual-wards",
        "author": "staff-bradford",
        "days": 400,
        "kind": N.LESSON,
        "domain": CF.PROCESS,
        "title": "Restart small after a pause",
        "text": (
            "We restarted with **ten beds, not thirty**, and one PDSA cycle a fortnight. "
            "Agree protected staffing before winter next time."
        ),
    },
    {
        "hub": "bradford-and-craven",
        "innovation": "fit-in-primary-care",
        "author": "staff-bradford",
        "days": 170,
        "kind": N.ADAPTATION,
        "domain": CF.INNOVATION,
        "title": "Picture-based kit instructions in community languages",
        "text": (
            "We added **picture-based instructions**, translated into the languages most spoken "
            "locally, to the sample kit. Fewer kits came back unusable."
        ),
    },
    {
        "hub": "bradford-and-craven",
        "innovation": "nhs-digital-weight-management-programme",
        "author": "staff-bradford",
        "days": 122,
        "kind": N.LESSON,
        "domain": CF.OUTER_SETTING,
        "title": "Map the local offer before adopting",
        "text": (
            "A local service already covered the same people. **Mapping existing services first** "
            "would have saved three months of assessment."
        ),
    },
    {
        "hub": "cambridgeshire-and-peterborough",
        "innovation": "feno-testing-in-primary-care",
        "author": "staff-cambs",
        "days": 60,
        "kind": N.ENABLER,
        "domain": CF.INNOVATION,
        "title": "A quick test with a result in the consultation",
        "text": (
            "Clinicians liked that the test is **quick and gives a result during the appointment**. "
            "Shared devices across a primary care network kept costs down."
        ),
    },
    {
        "hub": "cambridgeshire-and-peterborough",
        "innovation": "af-detection-mobile-ecg",
        "author": "staff-cambs",
        "days": 325,
        "kind": N.BARRIER,
        "domain": CF.INNOVATION,
        "title": "Readings did not reach the GP record",
        "text": (
            "Each ECG had to be **re-typed into the GP record**. Staff stopped using the devices "
            "at busy clinics, and we abandoned the test."
        ),
    },
    {
        "hub": "cambridgeshire-and-peterborough",
        "innovation": "virtual-wards",
        "author": "staff-cambs",
        "days": 250,
        "kind": N.ENABLER,
        "domain": CF.OUTER_SETTING,
        "title": "Two-year funding agreed with the ICB",
        "text": (
            "A two-year funding agreement with the ICB let us recruit **permanent staff** "
            "instead of agency cover."
        ),
    },
    {
        "hub": "cambridgeshire-and-peterborough",
        "innovation": "pincer",
        "author": "staff-cambs",
        "days": 240,
        "kind": N.LESSON,
        "domain": CF.INDIVIDUALS,
        "title": "Peer feedback beats dashboards",
        "text": (
            "GPs acted on hazardous-prescribing searches when a **pharmacist they knew** walked "
            "them through the results; emailed dashboards were mostly ignored."
        ),
    },
    {
        "hub": "cambridgeshire-and-peterborough",
        "innovation": "social-prescribing-link-workers",
        "author": "staff-cambs",
        "days": 100,
        "kind": N.BARRIER,
        "domain": CF.OUTER_SETTING,
        "title": "Families not registered with a practice",
        "text": (
            "Some families on transit and roadside sites are **not registered with a GP practice**, "
            "so practice-based link workers never meet them."
        ),
    },
    {
        "hub": "manchester",
        "innovation": "tobacco-dependence-treatment-opt-out",
        "author": "lead-manchester",
        "days": 110,
        "kind": N.ENABLER,
        "domain": CF.INNER_SETTING,
        "title": "Opt-out built into the admission paperwork",
        "text": (
            "Putting the tobacco question and the referral **into the admission clerking** made "
            "treatment the default rather than something a busy doctor had to remember."
        ),
    },
    {
        "hub": "manchester",
        "innovation": "tobacco-dependence-treatment-opt-out",
        "author": "staff-manchester",
        "days": 300,
        "kind": N.ADAPTATION,
        "domain": CF.PROCESS,
        "title": "Follow-up handed to community pharmacies",
        "text": (
            "After discharge, follow-up now passes to the person's **community pharmacy**, which "
            "is easier to reach than the hospital team."
        ),
    },
    {
        "hub": "manchester",
        "innovation": "transfers-of-care-around-medicines",
        "author": "staff-manchester",
        "days": 198,
        "kind": N.BARRIER,
        "domain": CF.PROCESS,
        "title": "The referral route was unreliable",
        "text": (
            "About a third of electronic referrals **never reached a pharmacy**, mostly for people "
            "with no nominated pharmacy. We went back to planning to fix the route."
        ),
    },
    {
        "hub": "manchester",
        "innovation": "social-prescribing-link-workers",
        "author": "staff-manchester",
        "days": 210,
        "kind": N.ENABLER,
        "domain": CF.INDIVIDUALS,
        "title": "Link workers with lived experience",
        "text": (
            "Two link workers with **lived experience of homelessness** built trust faster; "
            "people came back for a second appointment more often."
        ),
    },
    {
        "hub": "manchester",
        "innovation": "virtual-wards",
        "author": "lead-manchester",
        "days": 330,
        "kind": N.LESSON,
        "domain": CF.INNER_SETTING,
        "title": "One-page escalation protocol",
        "text": (
            "Replacing a twelve-page escalation policy with a **one-page protocol** on the ward "
            "wall lifted escalation within protocol from about 85% to over 90%."
        ),
    },
]


# --------------------------------------------------------------------------------------
# Date helpers and the figure generator (pure functions, no database)
# --------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------
# Learning summaries (illustrative): written by one AHSN admin, published by the other
# --------------------------------------------------------------------------------------

SUMMARIES: list[dict] = [
    {
        "title": "Digital exclusion is the first barrier to remote monitoring",
        "standfirst": (
            "In three hubs, people without a smartphone, mobile data or signal could not send readings. "
            "Loan kits with a data SIM and asking about access at the first appointment closed much of the gap."
        ),
        "body": (
            "## What the hubs found\n\n"
            "Bradford and Craven, Manchester and Dorset each found that remote monitoring assumed a "
            "smartphone, a data plan and a signal. About **one in five** people offered a monitor had "
            "none of the three, and they lived mostly in the most deprived areas.\n\n"
            "## What helped\n\n"
            "- Loan kits with a data SIM and a charger.\n"
            "- Asking about access at the first appointment, not after readings stopped.\n"
            "- Picture-based instructions in community languages.\n\n"
            "## For whom\n\n"
            "Older people in rural and coastal Dorset, and people in temporary accommodation in Manchester."
        ),
        "themes": [CF.INDIVIDUALS, CF.OUTER_SETTING],
        "hubs": ["bradford-and-craven", "manchester", "dorset"],
        "innovations": ["bp-at-home", "virtual-wards"],
        "notes": [
            "Digital exclusion: no smartphone or data",
            "Digital exclusion: no smartphone or data in temporary accommodation",
            "Digital exclusion: no smartphone, no data, patchy signal",
            "Loan kits with a data SIM and a charger",
        ],
        "audience": "public",
        "stage": "published",
    },
    {
        "title": "Named practice champions lift enrolment",
        "standfirst": (
            "Practices with a named champion enrolled more people, and more from IMD quintile 1, than "
            "practices that relied on letters and dashboards."
        ),
        "body": (
            "Where one person in a practice owned the offer, enrolment rose within two months. "
            "Peer feedback between practices worked better than e-mailed dashboards, which were mostly ignored."
        ),
        "themes": [CF.INNER_SETTING, CF.PROCESS],
        "hubs": ["bradford-and-craven"],
        "innovations": ["bp-at-home"],
        "notes": ["A named champion in every practice", "Peer feedback beats dashboards"],
        "audience": "signed_in",
        "stage": "published",
    },
    {
        "title": "Restarting after winter pressures",
        "standfirst": "Teams redeployed in winter lost momentum; restarting small, with one practice, worked best.",
        "body": "A draft for review: what pausing and restarting taught two hubs.",
        "themes": [CF.PROCESS],
        "hubs": [],
        "innovations": [],
        "notes": ["Winter redeployment emptied the team", "Restart small after a pause"],
        "audience": "public",
        "stage": "in_review",
    },
]
# Hub staff who asked to hear of each new summary by e-mail.
SUMMARY_SUBSCRIBERS = ["staff-dorset"]


def demo_months(today: datetime.date) -> list[datetime.date]:
    """The 24 months of figures, oldest first, ending with the last complete month."""
    last = add_months(today, -1)
    return [add_months(last, i - MONTHS + 1) for i in range(MONTHS)]


def _count(value: float) -> int:
    return max(0, round(value))


def _percentage_points(spec: Series, rng: random.Random) -> list[tuple[int, int]]:
    points = []
    for i in range(MONTHS):
        share = spec.level + spec.slope * i + rng.gauss(0, spec.sd)
        if spec.signal == "shift" and i >= SHIFT_AT:
            share += SHIFT_SIZE
        share = min(max(share, 1.0), 99.0)
        denominator = max(1, round(spec.den * rng.uniform(0.9, 1.1)))
        numerator = min(denominator, round(denominator * share / 100))
        points.append((numerator, denominator))
    return points


def _value_points(spec: Series, rng: random.Random) -> list[float]:
    values = [spec.level + spec.slope * i + rng.gauss(0, spec.sd) for i in range(MONTHS)]
    if spec.cumulative:
        # Sites join in steps and rarely leave: hold the highest count reached so far.
        for i in range(1, MONTHS):
            values[i] = max(values[i], round(values[i - 1]))
    if spec.signal == "trend":
        # The last months rise every single month: a run the SPC trend rule must flag.
        start = MONTHS - TREND_POINTS
        base = values[start - 1]
        for k in range(start, MONTHS):
            base += spec.sd * 1.5 + rng.randint(2, 5)
            values[k] = base
    elif spec.signal == "outlier":
        values[OUTLIER_AT] = spec.level + OUTLIER_SIZE
    elif spec.signal == "decline":
        # The last months fall every month, without drawing random numbers so later figures stay put.
        for k in range(MONTHS - DECLINE_POINTS, MONTHS):
            values[k] = values[k - 1] - spec.sd
    elif spec.signal == "spike":
        values[-1] = spec.level + OUTLIER_SIZE
    return values


def _quintile_counts(total: int, weights: list[float], rng: random.Random) -> list[int]:
    """Split a count over IMD quintiles 1..5; a few people have no known quintile."""
    jittered = [w * rng.uniform(0.9, 1.1) for w in weights]
    scale = sum(jittered)
    unknown = round(total * rng.uniform(0.0, 0.03))
    known = total - unknown
    counts = [int(known * w / scale) for w in jittered]
    largest = max(range(5), key=lambda q: jittered[q])
    counts[largest] += known - sum(counts)
    return counts


@dataclass
class Figure:
    """One generated figure before it becomes a Measurement."""

    index: int
    quintile: int | None = None
    value: Decimal | None = None
    numerator: int | None = None
    denominator: int | None = None


def generate_figures(
    indicators: list[Series], metric_kinds: dict[str, str], weights: tuple, rng: random.Random
) -> dict[str, list[Figure]]:
    """All 24 months of figures for one adoption's indicators, by metric code.

    Always draws the same random numbers in the same order, whatever exists already, so
    the figures are the same on every run.
    """
    figures: dict[str, list[Figure]] = {}
    quintile_one: dict[int, tuple[int, int]] = {}  # month index → (people in Q1, people in all)
    for spec in indicators:
        kind = metric_kinds[spec.metric]
        rows: list[Figure] = []
        if spec.metric == "share-enrolled-imd1":
            # Derived from the same adoption's people-enrolled quintile rows, so the two agree.
            if not quintile_one:
                raise ValueError("List people-enrolled before share-enrolled-imd1.")
            for i in range(MONTHS):
                numerator, denominator = quintile_one[i]
                rows.append(Figure(i, numerator=numerator, denominator=max(denominator, 1)))
        elif kind == Metric.Kind.PERCENTAGE:
            for i, (numerator, denominator) in enumerate(_percentage_points(spec, rng)):
                rows.append(Figure(i, numerator=numerator, denominator=denominator))
        elif kind == Metric.Kind.COUNT:
            for i, raw in enumerate(_value_points(spec, rng)):
                total = _count(raw)
                rows.append(Figure(i, value=Decimal(total)))
                if spec.metric in ("people-enrolled", "people-offered"):
                    drift = spec.q1_drift * (i / (MONTHS - 1) - 0.5)
                    month_weights = [weights[0] + drift, *weights[1:]]
                    counts = _quintile_counts(total, month_weights, rng)
                    for quintile, count in enumerate(counts, start=1):
                        rows.append(Figure(i, quintile=quintile, value=Decimal(count)))
                    if spec.metric == "people-enrolled":
                        quintile_one[i] = (counts[0], total)
        else:
            places = Decimal("0.1") if kind == Metric.Kind.RATE else Decimal("0.01")
            for i, raw in enumerate(_value_points(spec, rng)):
                rows.append(Figure(i, value=Decimal(str(max(raw, 0.0))).quantize(places)))
        figures[spec.metric] = rows
    return figures


# --------------------------------------------------------------------------------------
# The builder
# --------------------------------------------------------------------------------------


class DemoSeeder:
    """Creates whatever part of the demo data is missing; counts what it made and what it found."""

    def __init__(self, today: datetime.date | None = None):
        self.today = today or timezone.localdate()
        self.now = timezone.now()
        self.created: Counter[str] = Counter()
        self.existing: Counter[str] = Counter()
        self.users: dict = {}
        self.hubs: dict[str, Hub] = {}
        self.organisations: dict[str, Organisation] = {}
        self.innovations: dict[str, Innovation] = {}
        self.metrics: dict[str, Metric] = {}
        self.adoptions: dict[tuple[str, str], Adoption] = {}

    # -- helpers ---------------------------------------------------------------------------

    def _found(self, label: str, created: bool) -> None:
        (self.created if created else self.existing)[label] += 1

    def _at(self, day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
        moment = datetime.datetime.combine(day, datetime.time(hour, minute))
        return min(timezone.make_aware(moment), self.now)

    def _hub_member(self, hub_slug: str):
        """The first demo account on a hub, for figures it submits."""
        for spec in USERS:
            if spec.get("hub") == hub_slug:
                return self.users[spec["username"]]
        raise LookupError(hub_slug)

    # -- steps -----------------------------------------------------------------------------

    @transaction.atomic
    def run(self) -> DemoSeeder:
        self.check_vocabulary()
        self.seed_programme()
        self.seed_organisations()
        self.seed_hubs()
        self.seed_users()
        self.seed_innovations()
        self.seed_metrics()
        self.seed_adoptions()
        self.seed_measurements()
        self.seed_notes()
        self.seed_summaries()
        return self

    def check_vocabulary(self) -> None:
        ensure_vocabulary(Group, ClinicalArea)
        self.areas = {area.code: area for area in ClinicalArea.objects.all()}
        needed = {code for hub in HUBS for code in hub["clinical_areas"]}
        needed |= {code for innovation in INNOVATIONS for code in innovation["areas"]}
        missing = needed - set(self.areas)
        if missing:
            raise DemoDataError(
                f"Core20PLUS5 clinical areas missing ({', '.join(sorted(missing))}): run migrate first."
            )

    def seed_programme(self) -> None:
        programme = Programme.objects.filter(slug=PROGRAMME["slug"]).first()
        self._found("programmes", programme is None)
        if programme is None:
            programme = Programme(**PROGRAMME)
            programme.full_clean()
            programme.save()
        self.programme = programme

    def seed_organisations(self) -> None:
        found = {org.name: org for org in Organisation.objects.filter(name__in=[o[0] for o in ORGANISATIONS])}
        for name, kind, region in ORGANISATIONS:
            org = found.get(name)
            if org is None:
                org = Organisation.objects.create(name=name, kind=kind, region=region)
            self._found("organisations", name not in found)
            self.organisations[name] = org

    def seed_hubs(self) -> None:
        for spec in HUBS:
            hub = Hub.objects.filter(slug=spec["slug"]).first()
            if hub is None:
                hub = Hub(
                    programme=self.programme,
                    slug=spec["slug"],
                    name=spec["name"],
                    region=spec["region"],
                    lead_organisation=self.organisations[spec["lead"]],
                    host_ahsn=self.organisations[spec["host"]],
                    award=spec["award"],
                    start_date=HUB_START,
                    end_date=HUB_END,
                    priorities=spec["priorities"],
                    core20=True,
                    plus_groups=spec["plus_groups"],
                )
                hub.full_clean()
                hub.save()
                hub.clinical_areas.set([self.areas[code] for code in spec["clinical_areas"]])
                self._found("hubs", True)
            else:
                self._found("hubs", False)
            self.hubs[spec["slug"]] = hub

            partners = [(spec["host"], R.HOST), (spec["lead"], R.LEAD), *spec["partners"]]
            present = set(hub.partnerships.values_list("organisation__name", flat=True))
            for name, role in partners:
                if name not in present:
                    Partnership.objects.create(hub=hub, organisation=self.organisations[name], role=role)
                self._found("partnerships", name not in present)

    def seed_users(self) -> None:
        User = get_user_model()
        found = {user.username: user for user in User.objects.filter(username__in=DEMO_USERNAMES)}
        groups = {group.name: group for group in Group.objects.filter(name__in=[EVALUATORS, AHSN_ADMINS])}
        for spec in USERS:
            user = found.get(spec["username"])
            if user is None:
                user = User.objects.create_user(
                    username=spec["username"],
                    email=f"{spec['username']}@example.org",
                    password=settings.DEMO_PASSWORD,
                    first_name=spec["first_name"],
                    last_name=spec["last_name"],
                )
            self._found("users", spec["username"] not in found)
            self.users[spec["username"]] = user

            if "group" in spec and not user.groups.filter(name=spec["group"]).exists():
                user.groups.add(groups[spec["group"]])
            if "hub" in spec:
                hub = self.hubs[spec["hub"]]
                exists = Membership.objects.filter(user=user, hub=hub).exists()
                if not exists:
                    Membership.objects.create(user=user, hub=hub, role=spec["role"])
                self._found("memberships", not exists)

    def seed_innovations(self) -> None:
        slugs = [spec["slug"] for spec in INNOVATIONS] + [PROPOSED_INNOVATION["slug"]]
        found = {innovation.slug: innovation for innovation in Innovation.objects.filter(slug__in=slugs)}
        for spec in [*INNOVATIONS, PROPOSED_INNOVATION]:
            innovation = found.get(spec["slug"])
            if innovation is None:
                proposer = spec.get("proposed_by")
                innovation = Innovation(
                    slug=spec["slug"],
                    name=spec["name"],
                    summary=spec["summary"],
                    category=spec["category"],
                    evidence_level=spec["evidence"],
                    origin=spec["origin"],
                    status=Innovation.Status.PROPOSED if proposer else Innovation.Status.APPROVED,
                    proposed_by=self.users[proposer] if proposer else None,
                )
                innovation.full_clean()
                innovation.save()
                if spec["areas"]:
                    innovation.clinical_areas.set([self.areas[code] for code in spec["areas"]])
            self._found("innovations", spec["slug"] not in found)
            self.innovations[spec["slug"]] = innovation

    def seed_metrics(self) -> None:
        found = {
            metric.code: metric for metric in Metric.objects.filter(code__in=[m["code"] for m in METRICS])
        }
        for spec in METRICS:
            metric = found.get(spec["code"])
            if metric is None:
                metric = Metric(**spec)
                metric.full_clean()
                metric.save()
            self._found("metrics", spec["code"] not in found)
            self.metrics[spec["code"]] = metric

    def seed_adoptions(self) -> None:
        found = {
            (adoption.hub.slug, adoption.innovation.slug): adoption
            for adoption in Adoption.objects.filter(hub__in=self.hubs.values()).select_related(
                "hub", "innovation"
            )
        }
        for spec in ADOPTIONS:
            key = (spec["hub"], spec["innovation"])
            adoption = found.get(key)
            if adoption is None:
                adoption = self._start_adoption(spec)
            self._found("adoptions", key not in found)
            self.adoptions[key] = adoption

            if not spec["indicators"]:
                continue
            present = set(adoption.indicators.values_list("metric__code", flat=True))
            for series in spec["indicators"]:
                if series.metric not in present:
                    Indicator.objects.create(
                        adoption=adoption,
                        metric=self.metrics[series.metric],
                        target=Decimal(series.target) if series.target else None,
                        baseline_length=series.baseline,
                    )
                self._found("indicators", series.metric not in present)

    def _start_adoption(self, spec: dict) -> Adoption:
        lead = self.users[spec["lead"]]
        started_on = self.today - datetime.timedelta(days=spec["started_days_ago"])
        adoption = adoption_start(
            hub=self.hubs[spec["hub"]],
            innovation=self.innovations[spec["innovation"]],
            started_on=started_on,
            by=lead,
            aims=spec["aims"],
            target_population=spec["target_population"],
            lead=lead,
        )
        for stage, days, reason in spec["moves"]:
            on = min(started_on + datetime.timedelta(days=days), self.today)
            adoption_move(adoption=adoption, to_stage=stage, on=on, reason=reason, by=lead)
            self.created["stage moves"] += 1
        self._date_the_records(adoption)
        return adoption

    @staticmethod
    def _date_the_records(adoption: Adoption) -> None:
        """Say each move was recorded on its own day (at 10:00), not all at seeding time."""
        for transition in adoption.transitions.all():
            recorded = datetime.datetime.combine(transition.date, datetime.time(10))
            transition.recorded_at = timezone.make_aware(recorded)
            transition.save(update_fields=["recorded_at"])

    def seed_measurements(self) -> None:
        months = demo_months(self.today)
        rng = random.Random(SEED)
        evaluator = self.users["evaluator"]
        kinds = {code: metric.kind for code, metric in self.metrics.items()}
        indicators = {
            (indicator.adoption_id, indicator.metric.code): indicator
            for indicator in Indicator.objects.filter(
                adoption__in=[a.pk for a in self.adoptions.values()]
            ).select_related("metric")
        }
        existing = set(
            Measurement.objects.filter(indicator__in=indicators.values()).values_list(
                "indicator_id", "period", "imd_quintile"
            )
        )
        hub_specs = {spec["slug"]: spec for spec in HUBS}
        new: list[Measurement] = []
        for spec in ADOPTIONS:
            if not spec["indicators"]:
                continue
            hub_spec = hub_specs[spec["hub"]]
            adoption = self.adoptions[(spec["hub"], spec["innovation"])]
            submitter = self._hub_member(spec["hub"])
            figures = generate_figures(spec["indicators"], kinds, hub_spec["quintile_weights"], rng)
            first_month = adoption.started_on.replace(day=1)
            for series in spec["indicators"]:
                indicator = indicators[(adoption.pk, series.metric)]
                for figure in figures[series.metric]:
                    # Submission and review days, drawn for every figure so the stream never varies.
                    submit_day, review_lag = rng.randint(4, 15), rng.randint(2, 12)
                    period = months[figure.index]
                    if period < first_month:
                        continue
                    if (indicator.pk, period, figure.quintile) in existing:
                        self.existing["measurements"] += 1
                        continue
                    new.append(
                        self._measurement(
                            indicator=indicator,
                            figure=figure,
                            period=period,
                            age=MONTHS - 1 - figure.index,
                            pending=hub_spec["pending_months"],
                            returned=RETURNED.get(
                                (spec["hub"], spec["innovation"], series.metric, MONTHS - 1 - figure.index)
                            ),
                            submitter=submitter,
                            evaluator=evaluator,
                            submit_day=submit_day,
                            review_lag=review_lag,
                        )
                    )
        if new:
            bulk_create_with_history(new, Measurement, batch_size=500, default_change_reason=SYNTHETIC_REASON)
        self.created["measurements"] += len(new)
        # Bulk inserts skip the services, so bring every dashboard summary up to date here.
        summaries.refresh_all(Indicator.objects.filter(adoption__hub__in=self.hubs.values()))

    def _measurement(
        self,
        *,
        indicator,
        figure,
        period,
        age,
        pending,
        returned,
        submitter,
        evaluator,
        submit_day,
        review_lag,
    ) -> Measurement:
        submitted_at = self._at(add_months(period, 1).replace(day=submit_day), 9 + submit_day % 7)
        measurement = Measurement(
            indicator=indicator,
            period=period,
            imd_quintile=figure.quintile,
            value=figure.value,
            numerator=figure.numerator,
            denominator=figure.denominator,
            is_synthetic=True,
            submitted_by=submitter,
            submitted_at=submitted_at,
        )
        if returned and figure.quintile is None:
            # The figure that was sent back has the fault the evaluator's note describes.
            fault, note = returned
            if fault == "small_denominator":
                measurement.denominator = max(measurement.numerator, measurement.denominator // 2)
            elif fault == "double_count":
                measurement.numerator = min(measurement.denominator, measurement.numerator + 2)
            elif fault == "one_off_cost":
                measurement.value = (measurement.value * Decimal("1.8")).quantize(Decimal("0.01"))
            measurement.status = Measurement.Status.RETURNED
            measurement.review_note = note
            measurement.reviewed_by = evaluator
            measurement.reviewed_at = min(submitted_at + datetime.timedelta(days=2), self.now)
        elif age < pending:
            measurement.status = Measurement.Status.SUBMITTED
        else:
            measurement.status = Measurement.Status.APPROVED
            measurement.reviewed_by = evaluator
            measurement.reviewed_at = min(submitted_at + datetime.timedelta(days=review_lag), self.now)
        measurement._history_user = submitter
        measurement._history_date = submitted_at
        return measurement

    def seed_notes(self) -> None:
        present = set(
            LearningNote.objects.filter(adoption__in=[a.pk for a in self.adoptions.values()]).values_list(
                "adoption_id", "title"
            )
        )
        for spec in NOTES:
            adoption = self.adoptions[(spec["hub"], spec["innovation"])]
            if (adoption.pk, spec["title"]) in present:
                self._found("learning notes", False)
                continue
            author = self.users[spec["author"]]
            day = min(adoption.started_on + datetime.timedelta(days=spec["days"]), self.today)
            created_at = self._at(day, 11 + spec["days"] % 6, spec["days"] % 60)
            note = LearningNote(
                adoption=adoption,
                kind=spec["kind"],
                cfir_domain=spec["domain"],
                title=spec["title"],
                text=spec["text"],
                author=author,
                created_at=created_at,
            )
            note.full_clean()
            note._history_user = author
            note._history_date = created_at
            note.save()
            self._found("learning notes", True)

    def seed_summaries(self) -> None:
        """Summaries through the same services as the pages; subscribers are set after, so seeding e-mails nobody."""
        present = set(
            LearningSummary.objects.filter(title__in=[s["title"] for s in SUMMARIES]).values_list(
                "title", flat=True
            )
        )
        writer, reviewer = self.users["ahsn-admin"], self.users["ahsn-admin-2"]
        notes = {
            note.title: note
            for note in LearningNote.objects.filter(title__in=[t for s in SUMMARIES for t in s["notes"]])
        }
        for spec in SUMMARIES:
            self._found("learning summaries", spec["title"] not in present)
            if spec["title"] in present:
                continue
            summary = summary_create(
                by=writer,
                title=spec["title"],
                standfirst=spec["standfirst"],
                body=spec["body"],
                theme_codes=spec["themes"],
                audience=spec["audience"],
                hubs=[self.hubs[slug] for slug in spec["hubs"]],
                innovations=[self.innovations[slug] for slug in spec["innovations"]],
                cited_notes=[notes[title] for title in spec["notes"]],
            )
            summary_submit(summary=summary, by=writer)
            if spec["stage"] == "published":
                summary_publish(summary=summary, by=reviewer)
        for username in SUMMARY_SUBSCRIBERS:
            SummaryEmailPreference.objects.get_or_create(
                user=self.users[username], defaults={"frequency": SummaryEmailPreference.Frequency.EACH}
            )

    # -- report ----------------------------------------------------------------------------

    def summary(self) -> str:
        def describe(counter: Counter[str]) -> str:
            parts = [
                f"{count:,} {label[:-1] if count == 1 else label}"
                for label, count in counter.items()
                if count
            ]
            return ", ".join(parts) or "nothing"

        return f"Demo data — created: {describe(self.created)}; already there: {describe(self.existing)}."


def seed_demo(today: datetime.date | None = None) -> DemoSeeder:
    """Create whatever demo data is missing; return the seeder, whose ``summary()`` says what it did."""
    return DemoSeeder(today).run()
