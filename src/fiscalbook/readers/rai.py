"""Regional Authority Index (Hooghe, Marks, Schakel et al.): country-year v3, region-year v2.

The RAI scores *regional* (intermediate) government on ten dimensions, each scored per
tier of regional government, grouped in self-rule (authority over the region's own
affairs) and shared rule (co-determination of national policy). Tier maxima from the RAI
codebook: institutional depth 0–3, policy scope 0–4, fiscal autonomy 0–4, borrowing
autonomy 0–3, representation 0–4 (assembly 0–2 + executive 0–2); law making 0–2,
executive control 0–2, fiscal control 0–2, borrowing control 0–2, constitutional reform
0–4; self-rule 0–18, shared rule 0–12 (v2 tiers: 0–10 when bilateral/multilateral are
kept apart, here the combined tier score), RAI 0–30.

Country scores (v3) add the scores of all regional tiers (a tier covering only part of
the country is weighted by its population share), so a country score may exceed a tier
maximum; the schema allows ``MAX_TIERS`` = 3 tiers' worth.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from .. import countries
from ._validate import SourceFormatError, read_text_csv, require_columns, validate

MAX_TIERS = 3

# dimension -> (v3 column, tier maximum)
COUNTRY_DIMENSIONS: dict[str, tuple[str, float]] = {
    "institutional_depth": ("n_instdepth", 3),
    "policy_scope": ("n_policyautonomy", 4),
    "fiscal_autonomy": ("n_fiscalautonomy", 4),
    "borrowing_autonomy": ("n_borrowautonomy", 3),
    "representation": ("n_representation", 4),
    "assembly": ("n_assembly", 2),
    "executive": ("n_executive", 2),
    "lawmaking": ("n_lawmaking", 2),
    "executive_control": ("n_execcontrol", 2),
    "fiscal_control": ("n_fiscalcontrol", 2),
    "borrowing_control": ("n_borrowcontrol", 2),
    "constitutional_reform": ("n_constitutional", 4),
    "self_rule": ("n_selfrule", 18),
    "shared_rule": ("n_sharedrule", 12),
    "rai": ("n_RAI", 30),
}

# The v3 header, in order. n_representation and n_lawmaking appear twice: once among the
# ten dimensions (positions 11-12, the order of the codebook: self-rule dimensions, then
# shared-rule ones) and once in the COMPONENTS block after the aggregates, where
# representation is followed by its components (assembly, executive) and law making by
# its six components (L1-L6). The reader keeps the first copy (the dimension that enters
# self-rule and shared rule) and checks that the second copy agrees with it.
COUNTRY_HEADER = [
    "cowcode", "iso3166", "country_ID", "country_name", "abbr_country", "year", "n_instdepth",
    "n_policyautonomy", "n_fiscalautonomy", "n_borrowautonomy", "n_representation",
    "n_lawmaking", "n_execcontrol", "n_fiscalcontrol", "n_borrowcontrol", "n_constitutional",
    "n_selfrule", "n_sharedrule", "n_RAI", "COMPONENTS", "n_representation", "n_assembly",
    "n_executive", "n_lawmaking", "n_L1lawmaking", "n_L2lawmaking", "n_L3lawmaking",
    "n_L4lawmaking", "n_L5lawmaking", "n_L6lawmaking",
]
# Largest disagreement tolerated between the two copies (seen: 0.29 for Brazil's
# representation 2010-2018, 0.01 for law making, from rounding of tier weights).
DUPLICATE_TOLERANCE = 0.5


def _header(path, encoding: str) -> list[str]:
    try:
        with open(path, encoding=encoding, newline="") as fh:
            return next(csv.reader(fh), [])
    except UnicodeDecodeError as err:
        raise SourceFormatError(f"{path}: not valid {encoding} text ({err.reason} at byte {err.start}).") from None


def _numbers(df: pd.DataFrame, cols, path) -> pd.DataFrame:
    out = {}
    for c in cols:
        s = df[c].str.strip()
        num = pd.to_numeric(s, errors="coerce")
        bad = num.isna()
        if bad.any():
            raise SourceFormatError(f"{path}: column {c} has {int(bad.sum())} missing or non-numeric "
                                    f"value(s), e.g. {s[bad].iloc[0]!r}.")
        out[c] = num.astype(float)
    return pd.DataFrame(out, index=df.index)


def _iso3(codes: pd.Series, path) -> pd.Series:
    mapping = {}
    for code in codes.unique():
        try:
            mapping[code] = countries.to_iso3(code)
        except KeyError:
            raise SourceFormatError(f"{path}: unknown country code {code!r}.") from None
    return codes.map(mapping).astype(str)


def _years(s: pd.Series, path) -> pd.Series:
    y = pd.to_numeric(s.str.strip(), errors="coerce")
    if y.isna().any() or (y % 1 != 0).any():
        raise SourceFormatError(f"{path}: non-integer year, e.g. {s[y.isna() | (y % 1 != 0)].iloc[0]!r}.")
    return y.astype(int)


def _range(max_tier: float, tiers: int = MAX_TIERS) -> pa.Check:
    return pa.Check.in_range(0, max_tier * tiers)


def read_country(path: str | Path) -> pd.DataFrame:
    """RAI v3 country-year scores (``rai_country_v3_2021.csv``; UTF-8; 96 countries,
    1950–2018, one row per country-year).

    Columns: iso3 (ISO3; the file's TAW -> TWN, KOS -> XKX, SCG kept), country, year, and
    the scores, in RAI points, summed over regional tiers: institutional_depth,
    policy_scope, fiscal_autonomy, borrowing_autonomy, representation (= assembly +
    executive), assembly, executive, lawmaking, executive_control, fiscal_control,
    borrowing_control, constitutional_reform, self_rule (sum of the first five),
    shared_rule (sum of the last five), rai (self_rule + shared_rule). Unique (iso3, year).
    """
    header = _header(path, "utf-8")
    if header != COUNTRY_HEADER:
        missing = [c for c in dict.fromkeys(COUNTRY_HEADER) if c not in header]
        raise SourceFormatError(f"{path}: header is not the RAI v3 country header"
                                + (f"; missing column(s) {missing}" if missing else
                                   f"; found {header}"))
    df = read_text_csv(path, "utf-8", dtype=str, keep_default_na=False)
    if df.empty:
        raise SourceFormatError(f"{path}: no rows.")
    if df.shape[1] != len(COUNTRY_HEADER) or df.iloc[:, -1].isna().any():
        raise SourceFormatError(f"{path}: rows do not all have {len(COUNTRY_HEADER)} fields (truncated?).")
    num = _numbers(df, [c for c, _ in COUNTRY_DIMENSIONS.values()]
                   + ["n_representation.1", "n_lawmaking.1"], path)
    for first in ("n_representation", "n_lawmaking"):
        gap = (num[first] - num[first + ".1"]).abs()
        if (gap > DUPLICATE_TOLERANCE).any():
            raise SourceFormatError(f"{path}: the two {first} columns disagree by up to {gap.max():.2f}.")
    out = pd.DataFrame({"iso3": _iso3(df["abbr_country"].str.strip(), path),
                        "country": df["country_name"].astype(str),
                        "year": _years(df["year"], path)})
    for dim, (col, _) in COUNTRY_DIMENSIONS.items():
        out[dim] = num[col]
    schema = pa.DataFrameSchema(
        {"iso3": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$")), "country": pa.Column(str),
         "year": pa.Column(int, pa.Check.in_range(1900, 2100)),
         **{dim: pa.Column(float, _range(mx)) for dim, (_, mx) in COUNTRY_DIMENSIONS.items()}},
        unique=["iso3", "year"], strict=True, ordered=True)
    return validate(out.reset_index(drop=True), schema, path)
