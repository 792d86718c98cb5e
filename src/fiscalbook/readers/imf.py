"""IMF Fiscal Decentralization Dataset, December 2018 vintage (Lledo et al.).

``fiscal_decentralization_2018.csv`` is UTF-8 with a byte-order mark, one row per
economy x indicator x sector, one column per year 1972–2017 and an empty trailing column.
Sectors (from the metadata file): CG central government, SG state government
(state/provincial/regional tier; only federal or regionalised countries), LG local
government, SNG sub-national government = SG + LG.

Indicators the book uses (names from the metadata):

* ``taxd`` tax revenue decentralisation: sector's taxes / general-government taxes.
  Counts shared taxes as the sub-national sector's, so it measures where revenue is
  booked, not discretion over rates and bases.
* ``rd`` revenue decentralisation: own revenues / general-government revenues.
* ``sd`` expenditure decentralisation: own spending / general-government spending.
* ``vfi`` vertical fiscal imbalance: 1 − own revenue / own spending.
* ``transferDep1`` transfer dependency, method 1: net transfers / own spending.
* ``transferDep2`` transfer dependency, method 2: net transfers / own revenue.

Ranges measured on the 2018 file: taxd, rd and sd lie in [0, 1] (one CG taxd value is
1.0002, a rounding overshoot; tolerance ``SHARE_TOLERANCE``). vfi is ≤ 1 but can be
negative (own revenue above own spending; down to −1.79 for CG, −0.76 for SNG).
transferDep1 runs from −2.09 to 1.36 and transferDep2 up to 184 (tiny own revenue);
functional shares (e.g. ``cs``, ``sp``, ``hca``) are net items and can be negative or far
above 1; ``debt`` and ``deficit`` are ratios to own revenue/spending. So only the three
shares are bounded to [0, 1] and vfi to ≤ 1; all values must be finite.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from .. import countries
from ._validate import SourceFormatError, read_text_csv, require_columns, validate

ENCODING = "utf-8-sig"
ID_COLUMNS = ["Country Name", "Country Code", "Indicator Name", "Indicator Code", "Sector Name",
              "Sector Code", "Attribute"]
SECTORS = ("CG", "SG", "LG", "SNG")
SHARES = ("taxd", "rd", "sd")
SHARE_TOLERANCE = 1e-3


def read_fiscal_decentralisation(path: str | Path) -> pd.DataFrame:
    """IMF FDD, long, observed cells only.

    Columns: iso3 (ISO3 from the IMF country name; non-OECD economies kept), country
    (IMF name), imf_code (IMF numeric country code, str), year (int), indicator (IMF code,
    e.g. taxd, rd, sd, vfi, transferDep1), indicator_name, sector (CG/SG/LG/SNG), value
    (float, a ratio: 0–1 for the shares; see the module note for the others).
    Unique (iso3, indicator, sector, year).
    """
    df = read_text_csv(path, ENCODING, dtype=str, keep_default_na=False)
    require_columns(df, ID_COLUMNS, path)
    years = [c for c in df.columns if c.strip().isdigit()]
    extra = [c for c in df.columns if c not in ID_COLUMNS and c not in years]
    if not years:
        raise SourceFormatError(f"{path}: no year columns.")
    for c in extra:
        if not c.startswith("Unnamed") or (df[c].str.strip() != "").any():
            raise SourceFormatError(f"{path}: unexpected column {c!r}.")
    if df.empty:
        raise SourceFormatError(f"{path}: no rows.")
    if (df["Attribute"] != "Value").any():
        raise SourceFormatError(f"{path}: Attribute other than 'Value', e.g. "
                                f"{df.loc[df['Attribute'] != 'Value', 'Attribute'].iloc[0]!r} (truncated row?).")
    for c in ID_COLUMNS:
        if (df[c].str.strip() == "").any():
            raise SourceFormatError(f"{path}: empty {c} in {int((df[c].str.strip() == '').sum())} row(s).")
    long = df.melt(id_vars=ID_COLUMNS[:-1], value_vars=years, var_name="year", value_name="raw")
    long = long[long["raw"].str.strip() != ""]
    value = pd.to_numeric(long["raw"], errors="coerce")
    if value.isna().any() or not np.isfinite(value).all():
        raise SourceFormatError(f"{path}: non-numeric value(s), e.g. {long.loc[~np.isfinite(value.fillna(np.inf)), 'raw'].iloc[0]!r}.")
    mapping = {}
    for nm in long["Country Name"].unique():
        try:
            mapping[nm] = countries.to_iso3(nm)
        except KeyError:
            raise SourceFormatError(f"{path}: unknown country {nm!r}.") from None
    out = pd.DataFrame({
        "iso3": long["Country Name"].map(mapping).astype(str), "country": long["Country Name"],
        "imf_code": long["Country Code"].str.strip(), "year": long["year"].astype(int),
        "indicator": long["Indicator Code"].str.strip(), "indicator_name": long["Indicator Name"],
        "sector": long["Sector Code"].str.strip(), "value": value.astype(float)})
    schema = pa.DataFrameSchema(
        {"iso3": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$")), "country": pa.Column(str),
         "imf_code": pa.Column(str, pa.Check.str_matches(r"^\d+$")),
         "year": pa.Column(int, pa.Check.in_range(1950, 2100)),
         "indicator": pa.Column(str), "indicator_name": pa.Column(str),
         "sector": pa.Column(str, pa.Check.isin(SECTORS)), "value": pa.Column(float)},
        checks=[
            pa.Check(lambda d: ~d["indicator"].isin(SHARES) | d["value"].between(0, 1 + SHARE_TOLERANCE),
                     name="taxd_rd_sd_within_0_1"),
            pa.Check(lambda d: (d["indicator"] != "vfi") | (d["value"] <= 1 + SHARE_TOLERANCE),
                     name="vfi_at_most_1"),
            pa.Check(lambda d: d.groupby("iso3")["imf_code"].transform("nunique") == 1, name="one_imf_code_per_iso3"),
            pa.Check(lambda d: d.groupby("imf_code")["iso3"].transform("nunique") == 1, name="one_iso3_per_imf_code"),
        ],
        unique=["iso3", "indicator", "sector", "year"], strict=True, ordered=True)
    return validate(out.sort_values(["iso3", "indicator", "sector", "year"]).reset_index(drop=True), schema, path)


META_COLUMNS = ["Country Name", "Country Code", "Indicator Name", "Indicator Code", "Sector Name",
                "Sector Code", "Metadata Attribute", "Metadata Value"]


def read_metadata(path: str | Path) -> pd.DataFrame:
    """IMF FDD metadata, long.

    Columns: level ("dataset", "country", "indicator" or "sector"), code (IMF country
    code, indicator code or sector code; empty for the dataset level), attribute (e.g.
    "Indicator Name", "Country SDMX Code", "Methodology"), value (str). Unique
    (level, code, attribute).
    """
    df = read_text_csv(path, ENCODING, dtype=str, keep_default_na=False)
    require_columns(df, META_COLUMNS, path)
    if df.empty:
        raise SourceFormatError(f"{path}: no rows.")
    level = np.select([df["Country Code"] != "", df["Indicator Code"] != "", df["Sector Code"] != ""],
                      ["country", "indicator", "sector"], "dataset")
    code = np.select([df["Country Code"] != "", df["Indicator Code"] != "", df["Sector Code"] != ""],
                     [df["Country Code"], df["Indicator Code"], df["Sector Code"]], "")
    out = pd.DataFrame({"level": pd.Series(level, index=df.index, dtype=str),
                        "code": pd.Series(code, index=df.index, dtype=str),
                        "attribute": df["Metadata Attribute"], "value": df["Metadata Value"]})
    schema = pa.DataFrameSchema(
        {"level": pa.Column(str, pa.Check.isin(["dataset", "country", "indicator", "sector"])),
         "code": pa.Column(str), "attribute": pa.Column(str, pa.Check.str_length(min_value=1)),
         "value": pa.Column(str)},
        unique=["level", "code", "attribute"], strict=True, ordered=True)
    return validate(out.reset_index(drop=True), schema, path)
