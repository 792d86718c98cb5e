"""Regional Authority Index (Hooghe, Marks, Schakel et al.): country-year v3, region-year v2.

The RAI scores *regional* (intermediate) government on ten dimensions, each scored per
tier of regional government, grouped in self-rule (authority over the region's own
affairs) and shared rule (co-determination of national policy). Tier maxima from the RAI
codebook: institutional depth 0–3, policy scope 0–4, fiscal autonomy 0–4, borrowing
autonomy 0–3, representation 0–4 (assembly 0–2 + executive 0–2); law making 0–3 (six
components of 0–0.5; the codebook's summary says 0–2 but Serbia and Montenegro 2003–06 score 3),
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
    "lawmaking": ("n_lawmaking", 3),
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


# v2 regional file: output column -> (source column, tier maximum)
REGIONAL_SCORES: dict[str, tuple[str, float]] = {
    "institutional_depth": ("tier_instdepth", 3),
    "policy_scope": ("tier_policy", 4),
    "fiscal_autonomy": ("tier_fiscauto", 4),
    # Codebook maximum 3; the file scores Mount Athos (GRC, Aghion Oros) 4 in early
    # years, so the bound is 4 and the exception is tested on the snapshot.
    "borrowing_autonomy": ("tier_borrowauto", 4),
    "representation": ("tier_rep", 4),
    "lawmaking": ("tier_lawmaking", 3),  # six components L1-L6 of 0-0.5 (Serbia and Montenegro 2003-06 score 3)
    "executive_control": ("tier_execcon", 2),
    "fiscal_control": ("tier_fisccon", 2),
    "borrowing_control": ("tier_borrowcon", 2),
    "constitutional_reform": ("tier_constit", 4),
    "self_rule": ("tier_selfrule", 18),
    "shared_rule": ("tier_sharedrule", 12),
    "rai": ("tier_RAI", 30),
}
REGION_TYPES = ("S", "A", "Y", "D")
REGIONAL_ID_COLUMNS = ["abbr_country", "country_name", "region_ID", "region_name", "year", "tier", "type"]


def read_regional(path: str | Path) -> pd.DataFrame:
    """RAI v2 region-year scores (``rai_regional_v2_2015.csv``; 65 countries, 232 units,
    1950–2010).

    The file is UTF-8 (the catalog and README say Latin-1; decoding it as Latin-1 gives
    mojibake such as ``RÃ©gion``). A row is a *unit*-year, and a unit is either a whole
    standard tier (type S: all regions of the tier scored together, e.g. the UK's
    "Counties" or "Regions") or one individual region with its own regime: type A
    (autonomous region, e.g. Scotland, Åland, Corse), Y (asymmetric region, e.g. Quebec,
    Südtirol, Tatarstan) or D (dependency, e.g. Puerto Rico, Northern Ireland under direct
    rule). One Northern Ireland row (1999) is typed lower-case ``d`` and is read as D.
    A unit may change tier over time (English counties: tier 1, then 2 once regions exist).
    Region names are not unique (two Italian units are both called Sudtirol-Alto Adige in
    1950); ``region_id`` is. UK units: Counties (4101), Regions (4102, English regions),
    Greater London Authority (4103), Northern Ireland (4104), Scotland (4105), Wales (4106).

    Columns: iso3 (GER -> DEU, JAP -> JPN, SWI -> CHE, ROM -> ROU, INO -> IDN, MLY -> MYS,
    SAM -> SCG), country, region_id (int), region_name, year, tier (int, 1 = highest
    regional tier), type (S/A/Y/D), then tier scores in RAI points: institutional_depth,
    policy_scope, fiscal_autonomy (0–4), borrowing_autonomy (0–3 in the codebook; see
    REGIONAL_SCORES), representation, lawmaking, executive_control, fiscal_control,
    borrowing_control, constitutional_reform, self_rule (0–18), shared_rule (0–12), rai.
    Unique (iso3, region_id, year).
    """
    df = read_text_csv(path, "utf-8", dtype=str, keep_default_na=False)
    require_columns(df, REGIONAL_ID_COLUMNS + [c for c, _ in REGIONAL_SCORES.values()]
                    + ["fiscauto", "borrowauto"], path)
    if df.empty:
        raise SourceFormatError(f"{path}: no rows.")
    num = _numbers(df, [c for c, _ in REGIONAL_SCORES.values()] + ["fiscauto", "borrowauto", "region_ID", "tier"], path)
    for a, b in (("fiscauto", "tier_fiscauto"), ("borrowauto", "tier_borrowauto")):
        if (num[a] != num[b]).any():
            raise SourceFormatError(f"{path}: {a} and {b} differ in {int((num[a] != num[b]).sum())} row(s).")
    rtype = df["type"].str.strip().str.upper()
    out = pd.DataFrame({"iso3": _iso3(df["abbr_country"].str.strip(), path),
                        "country": df["country_name"].astype(str),
                        "region_id": num["region_ID"].astype(int), "region_name": df["region_name"].str.strip(),
                        "year": _years(df["year"], path), "tier": num["tier"].astype(int), "type": rtype})
    for dim, (col, _) in REGIONAL_SCORES.items():
        out[dim] = num[col]
    schema = pa.DataFrameSchema(
        {"iso3": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$")), "country": pa.Column(str),
         "region_id": pa.Column(int, pa.Check.ge(0)), "region_name": pa.Column(str, pa.Check.str_length(min_value=1)),
         "year": pa.Column(int, pa.Check.in_range(1900, 2100)), "tier": pa.Column(int, pa.Check.in_range(1, 6)),
         "type": pa.Column(str, pa.Check.isin(REGION_TYPES)),
         **{dim: pa.Column(float, pa.Check.in_range(0, mx)) for dim, (_, mx) in REGIONAL_SCORES.items()}},
        unique=["iso3", "region_id", "year"], strict=True, ordered=True)
    return validate(out.reset_index(drop=True), schema, path)
