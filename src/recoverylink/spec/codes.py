"""Code lists of the source data specification (shared/spec/DATA_SPEC.md, version 1)."""

from __future__ import annotations

SPEC_VERSION = 1

SEX = ("male", "female", "not_stated")
YES_NO = ("y", "n")

# ONS 2011 ethnic groups (18 categories) as lower-case codes, plus not_stated.
ETHNICITY = (
    "white_british",
    "white_irish",
    "white_gypsy_or_irish_traveller",
    "white_other",
    "mixed_white_and_black_caribbean",
    "mixed_white_and_black_african",
    "mixed_white_and_asian",
    "mixed_other",
    "asian_indian",
    "asian_pakistani",
    "asian_bangladeshi",
    "asian_chinese",
    "asian_other",
    "black_african",
    "black_caribbean",
    "black_other",
    "other_arab",
    "other_any",
    "not_stated",
)

REFERRAL_SOURCE = (
    "self",
    "gp",
    "hospital",
    "social_services",
    "arrest_referral",
    "dip",
    "probation",
    "prison",
    "court_order",
    "other",
)
# Referral sources that are routes from the criminal justice system.
CRIMINAL_JUSTICE_REFERRAL_SOURCES = ("arrest_referral", "dip", "probation", "prison", "court_order")

SUBSTANCE = (
    "heroin",
    "methadone",
    "other_opiate",
    "crack",
    "cocaine",
    "amphetamine",
    "cannabis",
    "benzodiazepine",
    "new_psychoactive",
    "alcohol",
    "other",
)
OPIATES = ("heroin", "methadone", "other_opiate")

INJECTING_STATUS = ("never", "previously", "currently", "declined")
ACCOMMODATION = ("settled", "housing_problem", "no_fixed_abode")
EMPLOYMENT = ("employed", "unemployed", "economically_inactive", "student", "not_stated")
PARENTAL_STATUS = ("lives_with_children", "children_elsewhere", "no_children", "not_stated")

# Discharge reason -> outcome class.
DISCHARGE_REASON_CLASS = {
    "completed_drug_free": "successful",
    "completed_alcohol_free": "successful",
    "completed_occasional_user": "successful",
    "transferred_not_in_custody": "transfer",
    "transferred_in_custody": "transfer",
    "dropped_out": "unsuccessful",
    "withdrawn_by_provider": "unsuccessful",
    "retained_in_custody": "unsuccessful",
    "declined_treatment": "unsuccessful",
    "died": "other",
    "moved_away": "other",
}
DISCHARGE_REASON = tuple(DISCHARGE_REASON_CLASS)
# completed_occasional_user is not a successful exit for heroin or crack users.
OCCASIONAL_USER_EXCLUDED_SUBSTANCES = ("heroin", "crack")

INTERVENTION_TYPE = (
    "pharmacological",
    "psychosocial",
    "inpatient_detox",
    "residential_rehab",
    "recovery_support",
)
SETTING = ("community", "primary_care", "inpatient", "residential", "prison")
EXIT_STATUS = ("planned", "unplanned", "withdrawn")
TOP_STAGE = ("start", "review", "exit")

DISPOSAL_TYPE = ("conviction", "caution")
TEST_RESULT = ("positive", "negative")

OFFENCE_GROUP = (
    "theft",
    "burglary",
    "robbery",
    "fraud_forgery",
    "soliciting",
    "drug_possession",
    "drug_supply",
    "violence",
    "criminal_damage",
    "public_order",
    "other",
)

# Columns a non-consenting episode may fill; every other column must be empty.
NON_CONSENT_ALLOWED_COLUMNS = (
    "provider_code",
    "client_ref",
    "episode_ref",
    "consent",
    "referral_date",
    "triage_date",
    "discharge_date",
    "discharge_reason",
)

# ICD-10 underlying causes (three-character categories) of a drug-poisoning death
# under the ONS definition: F11-F16, F18-F19, X40-X44, X60-X64, X85, Y10-Y14.
# It is a drug-misuse death when, in addition, a controlled drug is mentioned.
DRUG_POISONING_ICD10 = (
    *(f"F{n}" for n in (11, 12, 13, 14, 15, 16, 18, 19)),
    *(f"X{n}" for n in (40, 41, 42, 43, 44, 60, 61, 62, 63, 64, 85)),
    *(f"Y{n}" for n in (10, 11, 12, 13, 14)),
)
