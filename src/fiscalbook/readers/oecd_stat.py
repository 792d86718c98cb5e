"""OECD.Stat Excel exports (REGION_ECONOM), the pre-2024 OECD.Stat "Export to Excel" layout.

Layout of the sheet (verified on the two July-2023 exports in the catalog):

    row 1    =dotstatquery(...) and a note (hidden row)
    row 2    "Dataset: Regional Economy"
    rows 3-6 title block: label in A (SNA Classification, Indicator, Measure, Position),
             value in E
    row 7    "Year" in A, then one column per year (E, F, ...), each optionally followed by
             an unlabelled flag column
    row 8    "Region" | "Territory Level and Typology" | "Unit"
    rows     one per region, "CODE: Name" in A, indented by two spaces per level;
             B names the level ("Country", "Large regions (TL2)") in a cell merged down
             over the rows of that level; ".." marks a missing value
    footer   "Data extracted on ...", "Legend:", then "X:" | meaning for each flag

The two catalogued exports have no flag columns at all (the legend lists P, E, D and B
but no cell uses them), so ``flag`` is empty throughout for them.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pandera.pandas as pa

from ._validate import SourceFormatError, validate

LEVEL_LABELS = {"Country": "TL1", "Large regions (TL2)": "TL2"}
PER_HEAD_MAX = 500_000
#: flag the reader sets on a value it blanks as a known source error (see read_export)
REMOVED_FLAG = "removed: implausible"
_ROW = re.compile(r"^(?P<indent> *)(?P<code>[A-Z0-9]+): (?P<name>.+?)\s*$")


def _open(path: Path):
    try:
        return openpyxl.load_workbook(path, data_only=True)
    except Exception as err:  # BadZipFile, KeyError, XML errors ...
        raise SourceFormatError(f"{path}: cannot read as an xlsx workbook ({type(err).__name__}: {err}).") from None


def _merged_b(ws) -> dict[int, object]:
    """Value of column B for every row, filling merged ranges down."""
    out = {}
    for rng in ws.merged_cells.ranges:
        if rng.min_col <= 2 <= rng.max_col:
            v = ws.cell(rng.min_row, rng.min_col).value
            for r in range(rng.min_row, rng.max_row + 1):
                out[r] = v
    return out


def read_export(path: str | Path, iso3_of_region: dict[str, str] | None = None) -> pd.DataFrame:
    """One OECD.Stat REGION_ECONOM export as a tidy table (TL1 and TL2 rows).

    Columns
        iso3         ISO 3166-1 alpha-3 (str). TL1 rows carry it as their code; a TL2 row
                     takes the code of the TL1 row it is listed under. This is checked: a
                     TL2 row must be indented deeper than that TL1 row, and the two-letter
                     prefixes of TL2 codes must map one-to-one to countries. If a future
                     export breaks these checks, pass ``iso3_of_region`` (TL2 code -> iso3,
                     e.g. from the territorial grid) and it is used instead.
        region       OECD code: ISO3 for TL1 rows, TL2 code otherwise. Includes the
                     "not regionalised" rows of the GDP export (BEZZ, HUZZ, UKZZ, level
                     TL2; HUZZ is 0 in every year): drop codes ending in ZZ before
                     comparing regions (str)
        region_name  name as exported (str)
        level        TL1 or TL2 (str)
        year         int
        value        float in ``unit``; NaN where the export shows ".." (kept, so coverage can
                     be counted from the table)
        unit         the "Measure" of the title block, e.g. "Millions USD, constant prices,
                     constant PPP, base year 2015" (str)
        flag         observation flag from the export's flag column (P provisional,
                     E estimated, D difference in methodology, B break; letters checked
                     against the legend) or missing (str). The reader sets
                     REMOVED_FLAG ("removed: implausible") on the Indian GDP-per-head cells
                     it blanks: in the July-2023 export, 96 Indian TL2 values (2017-2019)
                     are about 1,000 times too large (Delhi 13,862 USD in 2013, 14,995,600
                     in 2017). Only Indian per-head values above 500,000 are treated so;
                     any other implausible value is an error.

    Checks: title block with Measure and Year rows; year headers are four-digit years;
    every data row is "CODE: Name"; levels are known; values numeric or ".."; values
    > 0 (>= 0 for the not-regionalised ZZ rows), and 100-500,000 when the unit is per
    head; unique (region, year).
    """
    path = Path(path)
    wb = _open(path)
    ws = wb.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    merged = _merged_b(ws)

    def find(label):
        for i, r in enumerate(rows):
            if r and isinstance(r[0], str) and r[0].strip() == label:
                return i
        raise SourceFormatError(f"{path}: no {label!r} row in the title block (not an OECD.Stat export?).")

    measure_row, year_row, region_row = find("Measure"), find("Year"), find("Region")
    unit = next((v for v in rows[measure_row][1:] if v not in (None, "")), None)
    if not isinstance(unit, str):
        raise SourceFormatError(f"{path}: the Measure row has no text.")
    if region_row != year_row + 1:
        raise SourceFormatError(f"{path}: the Region header does not follow the Year row.")

    header = rows[year_row]
    year_cols: dict[int, int] = {}
    flag_cols: dict[int, int] = {}
    last_year = None
    for j in range(1, len(header)):
        h = header[j]
        if h is not None and re.fullmatch(r"\d{4}", str(h).strip()):
            last_year = int(str(h).strip())
            if last_year in year_cols.values():
                raise SourceFormatError(f"{path}: year {last_year} appears twice in the header.")
            year_cols[j] = last_year
        elif h in (None, "") and last_year is not None:
            flag_cols[j] = last_year
        elif h not in (None, ""):
            raise SourceFormatError(f"{path}: unexpected year header {h!r} in column {j + 1}.")
    if not year_cols:
        raise SourceFormatError(f"{path}: no year columns in the Year row.")
    first_year_col = min(year_cols)

    # footer and legend
    end = next((i for i in range(region_row + 1, len(rows))
                if rows[i] and isinstance(rows[i][0], str) and rows[i][0].startswith("Data extracted")), None)
    if end is None:
        raise SourceFormatError(f"{path}: no 'Data extracted on' footer: the export is truncated.")
    legend = {str(r[0]).rstrip(":") for r in rows[end + 1:]
              if r and isinstance(r[0], str) and re.fullmatch(r"[A-Z]:", r[0].strip())}

    records = []
    country = None  # (iso3, indent)
    for i in range(region_row + 1, end):
        r = rows[i]
        if not r or all(v in (None, "") for v in r):
            continue
        label = r[0]
        m = _ROW.match(label) if isinstance(label, str) else None
        if not m:
            raise SourceFormatError(f"{path}: row {i + 1} is not 'CODE: Name' ({label!r}).")
        lv_label = r[1] if r[1] is not None else merged.get(i + 1)
        level = LEVEL_LABELS.get(lv_label)
        if level is None:
            raise SourceFormatError(f"{path}: row {i + 1} has unknown territory level {lv_label!r}.")
        code, name, indent = m["code"], m["name"], len(m["indent"])
        if level == "TL1":
            if not re.fullmatch(r"[A-Z]{3}", code):
                raise SourceFormatError(f"{path}: row {i + 1}: country code {code!r} is not ISO3.")
            country = (code, indent)
            iso3 = code
        else:
            if iso3_of_region is not None:
                iso3 = iso3_of_region.get(code)
                if iso3 is None:
                    raise SourceFormatError(f"{path}: row {i + 1}: no iso3 for {code} in the mapping given.")
            else:
                if country is None or indent <= country[1]:
                    raise SourceFormatError(f"{path}: row {i + 1}: TL2 row {code} is not listed under a country.")
                iso3 = country[0]
        for j, year in year_cols.items():
            v = r[j] if j < len(r) else None
            if v is None or (isinstance(v, str) and v.strip() in ("..", "")):
                val = np.nan
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                val = float(v)
            else:
                raise SourceFormatError(f"{path}: row {i + 1} ({code}), {year}: value {v!r} is not a number or '..'.")
            flag = None
            for fj, fy in flag_cols.items():
                if fy == year and fj < len(r) and r[fj] not in (None, ""):
                    flag = str(r[fj]).strip()
                    if flag not in legend:
                        raise SourceFormatError(f"{path}: row {i + 1} ({code}), {year}: flag {flag!r} not in the legend {sorted(legend)}.")
            records.append((iso3, code, name, level, year, val, unit, flag))
        if first_year_col > 4 and any(r[k] not in (None, "") for k in range(2, first_year_col) if k < len(r)):
            pass  # the Unit column (C) is empty in these exports; nothing to read
    if not records:
        raise SourceFormatError(f"{path}: no region rows.")
    out = pd.DataFrame(records, columns=["iso3", "region", "region_name", "level", "year", "value", "unit", "flag"])
    out["flag"] = out["flag"].astype("str").where(out["flag"].notna())
    if iso3_of_region is None:
        tl2 = out[out.level == "TL2"].drop_duplicates("region")
        pairs = tl2.assign(prefix=tl2.region.str[:2])[["prefix", "iso3"]].drop_duplicates()
        if pairs.prefix.duplicated().any() or pairs.iso3.duplicated().any():
            raise SourceFormatError(
                f"{path}: TL2 code prefixes do not map one-to-one to the countries they are listed under "
                f"({pairs[pairs.prefix.duplicated(keep=False) | pairs.iso3.duplicated(keep=False)].values.tolist()[:4]}); "
                "pass iso3_of_region.")
    per_head = "per head" in unit.lower()
    if per_head:
        # Known source error: in the July-2023 per-head export, Indian TL2 values from 2017
        # on are about 1,000 times too large (e.g. Delhi 13,862 in 2013, 14,995,600 in
        # 2017). Only Indian cells above the plausible maximum are blanked, and flagged.
        bad = (out["iso3"] == "IND") & (out["value"] > PER_HEAD_MAX)
        out.loc[bad, "flag"] = REMOVED_FLAG
        out.loc[bad, "value"] = np.nan
    schema = pa.DataFrameSchema(
        {
            "iso3": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$")),
            "region": pa.Column(str, pa.Check.str_matches(r"^[A-Z0-9]{2,5}$")),
            "region_name": pa.Column(str),
            "level": pa.Column(str, pa.Check.isin(["TL1", "TL2"])),
            "year": pa.Column(int, pa.Check.in_range(1990, 2030)),
            "value": pa.Column(float, pa.Check.in_range(100, PER_HEAD_MAX) if per_head else pa.Check.ge(0), nullable=True),
            "unit": pa.Column(str),
            "flag": pa.Column(str, nullable=True),
        },
        checks=[pa.Check(lambda d: d["value"].isna() | (d["value"] > 0) | d["region"].str.endswith("ZZ"),
                         name="positive_except_not_regionalised")],
        unique=["region", "year"],
        strict=True,
        ordered=True,
    )
    return validate(out, schema, path)
