"""ONS regional tables by International Territorial Level (ITL) region, long format.

Both workbooks have one table per sheet under a few title rows; the header row starts
``ITL level`` / ``ITL`` , ``ITL code``, ``Region name``, and the years are either in that
row (regional GDP) or in the row above it (productivity, whose header row repeats the
unit). The reader finds the header row, takes the year columns, and reads rows down to
the first blank code. Each sheet's title is checked against the expected wording so a
reordered workbook cannot put a measure under the wrong name.

Rows kept: the UK total (``itl_level`` 0; code ``UK`` or ``UKX`` = UK less Extra-Regio)
and ITL1, ITL2 and ITL3 regions (``itl_level`` 1, 2, 3). The England row (ITL level
"Other", TLB) is dropped: it is no ITL unit and has no OECD code.

OECD codes: ITL codes are the former NUTS codes with the prefix TL for UK, at every level
(ITL1 TLC = OECD TL2 UKC; ITL3 TLI31 = UKI31), so ``oecd_region`` = "UK" + code[2:]; the
UK total is "UK"; UKX (UK less Extra-Regio, in both files) stays UKX. OECD TL3 units are ITL3 regions (before any OECD merging of TL3 units).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from ._validate import SourceFormatError, require_columns, validate

# sheet -> (measure, words that must be in the sheet's title)
PRODUCTIVITY_SHEETS: dict[str, tuple[str, tuple[str, ...]]] = {
    "A1": ("gva_per_hour_cp_smoothed_index_uk100", ("Current Price (smoothed)", "per hour worked indices")),
    "A2": ("gva_per_hour_cp_index_uk100", ("Current Price (unsmoothed)", "per hour worked indices")),
    "A3": ("gva_per_hour_cp_smoothed_gbp", ("Current Price (smoothed)", "per hour worked (£)")),
    "A4": ("gva_per_hour_cp_gbp", ("Current Price (unsmoothed)", "per hour worked (£)")),
    "A5": ("gva_per_hour_cvm_index_2020_100", ("Chained Volume (unsmoothed)", "per hour worked indices")),
    "B1": ("gva_per_job_cp_smoothed_index_uk100", ("Current Price (smoothed)", "per filled job indices")),
    "B2": ("gva_per_job_cp_index_uk100", ("Current Price (unsmoothed)", "per filled job indices")),
    "B3": ("gva_per_job_cp_smoothed_gbp", ("Current Price (smoothed)", "per filled job (£)")),
    "B4": ("gva_per_job_cp_gbp", ("Current Price (unsmoothed)", "per filled job (£)")),
    "B5": ("gva_per_job_cvm_index_2020_100", ("Chained Volume (unsmoothed)", "per filled job indices")),
    "Productivity Hours": ("hours_worked_per_week", ("Hours Worked per Week",)),
    "Productivity Jobs": ("filled_jobs", ("Productivity Jobs",)),
}

GDP_SHEETS: dict[str, tuple[str, tuple[str, ...]]] = {
    "Table 1": ("gva_cp_gbp_m", ("Gross Value Added (Balanced) at current basic prices, pounds million",)),
    "Table 2": ("vat_on_products_gbp_m", ("Value Added Tax", "pounds million")),
    "Table 3": ("other_taxes_on_products_gbp_m", ("Other taxes on products, pounds million",)),
    "Table 4": ("subsidies_on_products_gbp_m", ("Subsidies on products, pounds million",)),
    "Table 5": ("gdp_cp_gbp_m", ("(GDP) at current market prices, pounds million",)),
    "Table 6": ("population", ("resident population numbers, persons",)),
    "Table 7": ("gdp_per_head_cp_gbp", ("per head at current market prices, pounds",)),
    "Table 8": ("gva_deflator_2019_100", ("implied deflators, 2019 equals 100",)),
    "Table 9": ("gdp_cvm_index_2019_100", ("chained volume measures (CVM) index, 2019 equals 100",)),
    "Table 10": ("gdp_cvm_2019_gbp_m", ("(CVM) in 2019 money value, pounds million",)),
    "Table 11": ("gdp_per_head_cvm_2019_gbp", ("(CVM) in 2019 money value, per head, pounds",)),
}
# Tables 12-13 (growth rates) are derivable and Table 13 has suppressed cells: not read.

LEVELS = {"UK": 0, "ITL1": 1, "ITL2": 2, "ITL3": 3}
CODE_LENGTH = {0: None, 1: 3, 2: 4, 3: 5}


def oecd_region(itl_code: str) -> str:
    """OECD region code of an ITL code: TLC -> UKC, TLI31 -> UKI31; UK -> UK.

    UKX (UK less Extra-Regio) has no OECD code and stays UKX."""
    if itl_code in ("UK", "UKX"):
        return itl_code
    if not (isinstance(itl_code, str) and itl_code.startswith("TL") and 3 <= len(itl_code) <= 5):
        raise KeyError(f"Not an ITL code: {itl_code!r}")
    return "UK" + itl_code[2:]


def _year(v) -> int | None:
    if isinstance(v, (int, np.integer)) and 1900 < v < 2100:
        return int(v)
    if isinstance(v, float) and v.is_integer() and 1900 < v < 2100:
        return int(v)
    if isinstance(v, str) and v.strip().isdigit() and 1900 < int(v.strip()) < 2100:
        return int(v.strip())
    return None


def _sheet(rows: list[tuple], path, sheet: str, measure: str, words: tuple[str, ...]) -> pd.DataFrame:
    title = str(rows[0][0]) if rows and rows[0] else ""
    if not all(w in title for w in words):
        raise SourceFormatError(f"{path}: sheet {sheet!r} title {title[:90]!r} is not the expected {words}.")
    head = next((i for i, r in enumerate(rows[:15]) if len(r) >= 3 and r[1] == "ITL code"
                 and r[2] == "Region name" and str(r[0]).startswith("ITL")), None)
    if head is None:
        raise SourceFormatError(f"{path}: sheet {sheet!r} has no 'ITL code, Region name' header row.")
    years = {j: _year(v) for j, v in enumerate(rows[head]) if j >= 3 and _year(v) is not None}
    if not years:
        years = {j: _year(v) for j, v in enumerate(rows[head - 1]) if j >= 3 and _year(v) is not None}
    if not years:
        raise SourceFormatError(f"{path}: sheet {sheet!r} has no year columns.")
    records = []
    for r in rows[head + 1:]:
        if len(r) < 3 or r[1] is None or str(r[1]).strip() == "":
            break
        level_text, code, name = str(r[0]).strip(), str(r[1]).strip(), r[2]
        if level_text == "Other":
            continue
        if level_text not in LEVELS:
            raise SourceFormatError(f"{path}: sheet {sheet!r}: unknown ITL level {level_text!r} for {code}.")
        level = LEVELS[level_text]
        for j, y in years.items():
            v = r[j] if j < len(r) else None
            if v is None or (isinstance(v, str) and v.strip() == ""):
                raise SourceFormatError(f"{path}: sheet {sheet!r}: empty cell for {code} in {y} (truncated?).")
            if isinstance(v, str):
                try:
                    v = float(v.replace(",", ""))
                except ValueError:
                    raise SourceFormatError(f"{path}: sheet {sheet!r}: non-numeric {v!r} for {code} in {y}.") from None
            records.append((code, level, str(name).strip() if name is not None else "", y, measure, float(v)))
    if not records:
        raise SourceFormatError(f"{path}: sheet {sheet!r} has no data rows.")
    return pd.DataFrame(records, columns=["itl_code", "itl_level", "region_name", "year", "measure", "value"])


def _workbook(path, sheets: dict) -> pd.DataFrame:
    import openpyxl
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # zipfile.BadZipFile, KeyError, InvalidFileException
        raise SourceFormatError(f"{path}: not a readable xlsx workbook ({type(err).__name__}: {err}).") from None
    try:
        missing = [s for s in sheets if s not in wb.sheetnames]
        if missing:
            raise SourceFormatError(f"{path}: missing sheet(s) {missing}; found {wb.sheetnames}.")
        parts = [_sheet(list(wb[s].iter_rows(values_only=True)), path, s, m, w) for s, (m, w) in sheets.items()]
    finally:
        wb.close()
    df = pd.concat(parts, ignore_index=True)
    try:
        df.insert(1, "oecd_region", df["itl_code"].map(oecd_region))
    except KeyError as err:
        raise SourceFormatError(f"{path}: {err.args[0]}") from None
    df = df[["itl_code", "oecd_region", "region_name", "itl_level", "year", "measure", "value"]]
    df = df.astype({"itl_code": str, "oecd_region": str, "region_name": str, "itl_level": int,
                    "year": int, "measure": str, "value": float})
    return df


def _schema(measures, nonneg: set[str]) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {"itl_code": pa.Column(str, pa.Check.str_matches(r"^(UKX?|TL[C-N]([0-9A-Z]{1,2})?)$")),
         "oecd_region": pa.Column(str, pa.Check.str_matches(r"^UK(X|[C-N][0-9A-Z]{0,2})?$")),
         "region_name": pa.Column(str, pa.Check.str_length(min_value=1)),
         "itl_level": pa.Column(int, pa.Check.isin([0, 1, 2, 3])),
         "year": pa.Column(int, pa.Check.in_range(1990, 2100)),
         "measure": pa.Column(str, pa.Check.isin(list(measures))),
         "value": pa.Column(float)},
        checks=[
            pa.Check(lambda d: (d["itl_level"] == 0) | (d["itl_code"].str.len() == d["itl_level"] + 2),
                     name="code_length_matches_itl_level"),
            pa.Check(lambda d: ~d["measure"].isin(nonneg) | (d["value"] > 0), name="positive_value"),
            pa.Check(lambda d: np.isfinite(d["value"]), name="finite_value"),
        ],
        unique=["itl_code", "measure", "year"], strict=True, ordered=True)


def read_itl_productivity(path: str | Path) -> pd.DataFrame:
    """ONS subregional productivity (June 2023), long.

    Columns: itl_code (TLC..TLN at ITL1, 4 and 5 characters at ITL2/ITL3; UKX = UK less
    Extra-Regio), oecd_region (UK..), region_name, itl_level (0 UK, 1, 2, 3), year, measure,
    value. Measures (GVA is balanced GVA(B)): gva_per_hour_cp[_smoothed]_index_uk100,
    gva_per_hour_cp[_smoothed]_gbp (£ per hour), gva_per_hour_cvm_index_2020_100 (chained
    volume, each region 2020 = 100), the same for gva_per_job (£ per filled job),
    hours_worked_per_week (total hours per week in the region), filled_jobs (jobs).
    Hours 2004–2021, jobs 2002–2021. Unique (itl_code, measure, year).
    """
    df = _workbook(path, PRODUCTIVITY_SHEETS)
    measures = [m for m, _ in PRODUCTIVITY_SHEETS.values()]
    return validate(df, _schema(measures, set(measures)), path)


def read_regional_gdp(path: str | Path) -> pd.DataFrame:
    """ONS regional GDP, all ITL regions (25 April 2023), long, 1998–2021.

    Columns as ``read_itl_productivity``; level 0 holds both UK (with Extra-Regio) and UKX
    (UK less Extra-Regio). Measures: gva_cp_gbp_m
    (balanced GVA, current basic prices, £ million), vat_on_products_gbp_m,
    other_taxes_on_products_gbp_m, subsidies_on_products_gbp_m, gdp_cp_gbp_m (GDP at
    current market prices, £ million), population (residents, persons, mid-year),
    gdp_per_head_cp_gbp (£), gva_deflator_2019_100, gdp_cvm_index_2019_100,
    gdp_cvm_2019_gbp_m (chained volume, 2019 £ million; not additive across regions),
    gdp_per_head_cvm_2019_gbp (£ of 2019). The latest year is provisional.
    """
    df = _workbook(path, GDP_SHEETS)
    measures = [m for m, _ in GDP_SHEETS.values()]
    return validate(df, _schema(measures, set(measures)), path)


#: per -> {column in the wide table: measure in the long table}
PRODUCTIVITY_WIDE = {
    "hour": {"gbp": "gva_per_hour_cp_gbp", "gbp_smoothed": "gva_per_hour_cp_smoothed_gbp",
             "index_uk100": "gva_per_hour_cp_index_uk100",
             "index_uk100_smoothed": "gva_per_hour_cp_smoothed_index_uk100",
             "cvm_index_2020_100": "gva_per_hour_cvm_index_2020_100",
             "weight": "hours_worked_per_week"},
    "job": {"gbp": "gva_per_job_cp_gbp", "gbp_smoothed": "gva_per_job_cp_smoothed_gbp",
            "index_uk100": "gva_per_job_cp_index_uk100",
            "index_uk100_smoothed": "gva_per_job_cp_smoothed_index_uk100",
            "cvm_index_2020_100": "gva_per_job_cvm_index_2020_100",
            "weight": "filled_jobs"},
}
#: ONS rounds the published £ values and indices; an index and £ / UK £ × 100 agree within this.
INDEX_TOLERANCE = 0.6


def productivity_wide(long: pd.DataFrame, per: str = "hour", source: str = "ons productivity") -> pd.DataFrame:
    """One row per ITL region and year for GVA per hour worked (``per="hour"``, 2004–2021)
    or per filled job (``"job"``, 2002–2021), from ``read_itl_productivity``'s long table.

    Columns: itl_code, oecd_region, region_name, itl_level (0 UK, 1–3), year, gbp (£,
    current prices, unsmoothed), gbp_smoothed, index_uk100 (UK = 100, unsmoothed),
    index_uk100_smoothed, cvm_index_2020_100 (chained volume, each region 2020 = 100),
    weight (hours worked per week, or filled jobs: the region's weight in a weighted index).

    Checks (SourceFormatError): every measure present for every region-year; the UK = 100
    index equals £ / UK £ × 100 within INDEX_TOLERANCE, so a shifted column or a wrong UK row
    cannot pass unnoticed.
    """
    if per not in PRODUCTIVITY_WIDE:
        raise ValueError(f"per must be one of {sorted(PRODUCTIVITY_WIDE)}, not {per!r}")
    cols = PRODUCTIVITY_WIDE[per]
    require_columns(long, ["itl_code", "oecd_region", "region_name", "itl_level", "year", "measure", "value"], source)
    inv = {m: c for c, m in cols.items()}
    d = long.loc[long["measure"].isin(inv)]
    keys = ["itl_code", "oecd_region", "region_name", "itl_level", "year"]
    w = d.pivot_table(index=keys, columns="measure", values="value", aggfunc="first").reset_index()
    w.columns.name = None
    missing = [m for m in inv if m not in w.columns]
    if missing:
        raise SourceFormatError(f"{source}: measure(s) {missing} absent.")
    w = w.rename(columns=inv)
    # the index is published from 2004 (hour) / 2002 (job); weights may start earlier
    w = w.dropna(subset=["gbp", "index_uk100"], how="all")
    if w[list(cols)].isna().any().any():
        c = w[list(cols)].isna().any()
        raise SourceFormatError(f"{source}: missing values in {c[c].index.tolist()} for GVA per {per}.")
    uk = w.loc[w["itl_level"] == 0].groupby("year")["gbp"].first()
    implied = 100 * w["gbp"] / w["year"].map(uk)
    off = (implied - w["index_uk100"]).abs()
    if implied.isna().any() or (off > INDEX_TOLERANCE).any():
        i = off.fillna(np.inf).idxmax()
        raise SourceFormatError(f"{source}: UK = 100 index of {w.at[i, 'itl_code']} {w.at[i, 'year']} "
                                f"({w.at[i, 'index_uk100']:.1f}) is not £/UK £ × 100 ({implied[i]:.1f}).")
    schema = pa.DataFrameSchema(
        {"itl_code": pa.Column(str), "oecd_region": pa.Column(str), "region_name": pa.Column(str),
         "itl_level": pa.Column(int, pa.Check.isin([0, 1, 2, 3])), "year": pa.Column(int),
         **{c: pa.Column(float, pa.Check.gt(0)) for c in cols}},
        unique=["itl_code", "year"], strict=True, ordered=True)
    w = w[keys + list(cols)].astype({"itl_level": int, "year": int})
    return validate(w, schema, source).sort_values(["itl_level", "itl_code", "year"]).reset_index(drop=True)
