"""Local Autonomy Index 1.0 (Ladner, Keuffer & Baldersheim 2015, for the European Commission).

``lai_2014.csv`` (UTF-8) is wide: country_name, country_code, municipalities_no_2014,
D_LAI_1990, D_LAI_2000, D_LAI_2010, D_LAI_2014, D_LAI_changes_1990_2014. The LAI scores
*municipal* (local) government autonomy, 0–100, in four survey years; the file has no
sub-dimensions. Country codes are ISO except ROM (Romania) and MDV, which here means
Moldova (ISO MDV is the Maldives): translated with ``countries.to_iso3(code, source="lai")``.
The change column is checked against 2014 − 1990 (±0.02, the file's rounding) and dropped.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from .. import countries
from ._validate import SourceFormatError, read_text_csv, require_columns, validate

YEARS = (1990, 2000, 2010, 2014)
COLUMNS = ["country_name", "country_code", "municipalities_no_2014",
           *[f"D_LAI_{y}" for y in YEARS], "D_LAI_changes_1990_2014"]
CHANGE_TOLERANCE = 0.02


def read_lai(path: str | Path) -> pd.DataFrame:
    """LAI, long: iso3, country, year (1990, 2000, 2010, 2014; int), lai (float, 0–100,
    higher = more local autonomy). Unique (iso3, year); no interpolation."""
    df = read_text_csv(path, "utf-8", dtype=str, keep_default_na=False)
    require_columns(df, COLUMNS, path)
    if df.empty:
        raise SourceFormatError(f"{path}: no rows.")
    num = {}
    for c in COLUMNS[3:]:
        v = pd.to_numeric(df[c].str.strip(), errors="coerce")
        if v.isna().any():
            raise SourceFormatError(f"{path}: column {c} has missing or non-numeric value(s), "
                                    f"e.g. {df.loc[v.isna(), c].iloc[0]!r} (truncated?).")
        num[c] = v.astype(float)
    change = num["D_LAI_2014"] - num["D_LAI_1990"]
    off = (change - num["D_LAI_changes_1990_2014"]).abs() > CHANGE_TOLERANCE
    if off.any():
        raise SourceFormatError(f"{path}: D_LAI_changes_1990_2014 is not 2014 minus 1990 for "
                                f"{df.loc[off, 'country_name'].tolist()}.")
    iso = {}
    for code in df["country_code"].unique():
        try:
            iso[code] = countries.to_iso3(code.strip(), source="lai")
        except KeyError:
            raise SourceFormatError(f"{path}: unknown country code {code!r}.") from None
    out = pd.concat([pd.DataFrame({"iso3": df["country_code"].map(iso).astype(str),
                                   "country": df["country_name"], "year": y, "lai": num[f"D_LAI_{y}"]})
                     for y in YEARS], ignore_index=True)
    out["year"] = out["year"].astype(int)
    schema = pa.DataFrameSchema(
        {"iso3": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$")), "country": pa.Column(str),
         "year": pa.Column(int, pa.Check.isin(YEARS)), "lai": pa.Column(float, pa.Check.in_range(0, 100))},
        unique=["iso3", "year"], strict=True, ordered=True)
    return validate(out.sort_values(["iso3", "year"]).reset_index(drop=True), schema, path)
