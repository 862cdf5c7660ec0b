"""Synthetic geography: postcode districts for each local authority, and providers.

Local authorities, regions and police forces are the real ones (reference data).
Postcode districts are synthetic but well formed: each local authority gets a
real-looking postcode area code and a number of districts in proportion to its
population. Providers are synthetic, several per local authority.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from faker.providers.address.en_GB import Provider as _GBAddress

from recoverylink.spec import reference

POPULATION_PER_DISTRICT = 30_000


@dataclass(frozen=True)
class Geography:
    las: pd.DataFrame  # la_code, la_name, region_code, region_name, population, police_force_code
    district_la: np.ndarray  # la index of each district
    district_code: np.ndarray  # object array of outward codes
    la_district_start: np.ndarray  # first district index of each LA
    la_district_count: np.ndarray
    providers: pd.DataFrame  # provider_code, provider_name, local_authority, la_index


def build_geography(scale: float, population_per_provider: float) -> Geography:
    las = reference.local_authorities().reset_index(drop=True)
    areas = sorted(set(_GBAddress.POSTAL_ZONES))
    # each LA gets a real-looking postcode area code; codes are reused once they run out,
    # with district numbers continuing so that every district code stays unique
    codes = [areas[(i * 7) % len(areas)] for i in range(len(las))]
    district_la: list[int] = []
    district_code: list[str] = []
    starts, counts = [], []
    used: dict[str, int] = {}
    for i, pop in enumerate(las["population"].to_numpy()):
        n = max(2, round(pop / POPULATION_PER_DISTRICT))
        starts.append(len(district_code))
        counts.append(n)
        area = codes[i]
        first = used.get(area, 0) + 1
        for k in range(n):
            district_la.append(i)
            district_code.append(f"{area}{first + k}")
        used[area] = first + n - 1
    provider_rows = []
    for i, row in enumerate(las.to_dict("records")):
        n = max(1, round(scale * float(row["population"]) / population_per_provider))
        for k in range(n):
            code = f"P{row['la_code'][1:3]}{int(row['la_code'][3:]):06d}{k + 1:02d}"
            provider_rows.append(
                {
                    "provider_code": code,
                    "provider_name": f"{row['la_name']} Recovery Service {k + 1}",
                    "local_authority": row["la_code"],
                    "la_index": int(i),
                }
            )
    return Geography(
        las=las,
        district_la=np.array(district_la, dtype=np.int32),
        district_code=np.array(district_code, dtype=object),
        la_district_start=np.array(starts, dtype=np.int32),
        la_district_count=np.array(counts, dtype=np.int32),
        providers=pd.DataFrame(provider_rows),
    )


def random_district(rng: np.random.Generator, geo: Geography, la_idx: np.ndarray) -> np.ndarray:
    """A district index inside each given LA."""
    start = geo.la_district_start[la_idx]
    count = geo.la_district_count[la_idx]
    return (start + (rng.random(len(la_idx)) * count).astype(np.int32)).astype(np.int32)


def full_postcode(rng: np.random.Generator, districts: np.ndarray) -> np.ndarray:
    """Full postcodes 'AB12 3CD' inside the given outward codes (districts as strings)."""
    letters = np.array(list("ABDEFGHJLNPQRSTUWXYZ"), dtype=object)
    n = len(districts)
    sector = rng.integers(0, 10, n).astype(str).astype(object)
    l1 = letters[rng.integers(0, len(letters), n)]
    l2 = letters[rng.integers(0, len(letters), n)]
    return districts.astype(object) + " " + sector + l1 + l2
