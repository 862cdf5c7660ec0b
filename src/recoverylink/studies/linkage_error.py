"""How much residual linkage error moved each study's headline figures, as measured.

Measured on synthetic England at scale 1 (seed 2006, 7.9 million records),
where the truth is known: each study run on the mart built from the linkage
(``recoverylink build``) and on the mart built from the true person ids
(``recoverylink build --truth``), and the headline figures compared. The
linkage there scored a pairwise F1 of 0.975 (treatment deduplication), 0.947
(treatment-PNC) and 0.971 (deaths with any source). A study on real data
cannot be compared with a truth; this caveat says what such error did where it
could be measured, so a reader can judge the figures' second decimal.
"""

from __future__ import annotations

MEASURED = (
    "on synthetic England at scale 1 (7.9 million records; linkage F1 0.975 for treatment "
    "deduplication, 0.947 treatment-PNC, 0.971 deaths), the same study on the true person "
    "ids gave"
)

EFFECT: dict[str, str] = {
    "reconviction": (
        "a cohort 7% larger (53,743 against 50,089: missed links to the police records make "
        "people neither matched nor reliably absent), 35.8% with a conviction before against "
        "32.5%, and changes in convictions within 1.1 points of the linked ones (retained "
        "-47.8% against -47.5%, completed and did not return -63.8% against -62.7%, dropped "
        "out -14.4% against -13.8%)"
    ),
    "long_term": (
        "a cohort within 1% (37,944 against 38,236), sustained recovery 45.1% against 46.0% "
        "and every other share within 0.8 points"
    ),
    "mortality": (
        "death rates in treatment within 0.1 per 1,000 person-years, but after leaving 10.35 "
        "against 9.33 per 1,000 (a missed link loses a death after treatment) and 8,725 "
        "drug-poisoning deaths against 8,506"
    ),
    "top": "the same changes to the second decimal (TOP reviews are linked within a provider)",
}


def linkage_error_caveat(study: str) -> str:
    """The caveat a study's report gives about residual linkage error."""
    return f"Linkage error: {MEASURED} {EFFECT[study]} (docs/studies.md)."
