"""OECD territorial grid 2020 (attribute tables of the TL boundary files) and the UK grid.

The three 2020 tables are Windows-1252 text (documented as Latin-1; see
``fiscalbook.readers.outlook`` on why cp1252). Each has one "Non-Categorized-Other
Territory" row coded 999 (the TL3 table has instead one region, AU901 "Other
Territories", whose country and TL2 are 999); the readers drop it. Elsewhere 999 as a
parent code means "no parent" and becomes missing.

Booleans are written TRUE/FALSE; the ``continenta`` (t/f), ``reg_name_p`` (short label),
``name_fr`` and ``mapineq`` columns are not kept.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from ._validate import SourceFormatError, read_text_csv, require_columns, validate

ENCODING = "cp1252"
NON_CATEGORISED = "999"


def _read(path, columns, encoding=ENCODING) -> pd.DataFrame:
    df = read_text_csv(path, encoding, dtype=str, keep_default_na=False)  # keep_default_na: Namibia is "NA"
    require_columns(df, columns, path)
    if df.empty:
        raise SourceFormatError(f"{path}: no rows.")
    return df


def _bool(df: pd.DataFrame, col: str, path) -> pd.Series:
    bad = ~df[col].isin(["TRUE", "FALSE"])
    if bad.any():
        raise SourceFormatError(f"{path}: column {col} must be TRUE/FALSE, found {df.loc[bad, col].iloc[0]!r}.")
    return df[col].eq("TRUE")


def _blank_check(df: pd.DataFrame, cols, path) -> None:
    for c in cols:
        empty = df[c].isna() | (df[c].str.strip() == "")
        if empty.any():
            raise SourceFormatError(f"{path}: empty {c} in {int(empty.sum())} row(s).")


_ISO3 = pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$"))


def read_tl2_grid(path: str | Path) -> pd.DataFrame:
    """TL2 regions of the 2020 grid (``tl2_regions_2020.csv``; 455 rows, 454 after dropping
    the 999 row; 47 countries).

    Columns: region (tl2_id), iso3, tl1_id (the grid's country id, e.g. GBR20), name
    (original language), name_en, eu (bool), eea (bool). Unique region.
    """
    df = _read(path, ["tl2_id", "tl1_id", "iso3", "name_or", "name_en", "EU", "EEA"])
    df = df[df["tl2_id"] != NON_CATEGORISED]
    _blank_check(df, ["tl2_id", "iso3", "tl1_id", "name_or", "name_en"], path)
    out = pd.DataFrame({
        "region": df["tl2_id"], "iso3": df["iso3"], "tl1_id": df["tl1_id"], "name": df["name_or"],
        "name_en": df["name_en"], "eu": _bool(df, "EU", path), "eea": _bool(df, "EEA", path)})
    schema = pa.DataFrameSchema(
        {"region": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{2}[A-Z0-9]{1,3}$")), "iso3": _ISO3,
         "tl1_id": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}\d+$")),
         "name": pa.Column(str), "name_en": pa.Column(str), "eu": pa.Column(bool), "eea": pa.Column(bool)},
        checks=[pa.Check(lambda d: d["tl1_id"].str[:3] == d["iso3"], name="tl1_id_starts_with_iso3")],
        unique=["region"], strict=True, ordered=True)
    return validate(out.reset_index(drop=True), schema, path)


def read_tl3_grid(path: str | Path) -> pd.DataFrame:
    """TL3 regions of the 2020 grid (``tl3_regions_2020.csv``; 2,397 rows, 2,396 after
    dropping AU901, the one region whose country is 999).

    Columns: region (tl3_id), tl2 (parent TL2 code; missing where the grid writes 999 -
    the 179 US TL3 units, which are economic areas not nested in states), iso3, name
    (original language; the grid has lost non-Latin names, written as ``?``), name_en,
    eu (bool), eea (bool). Unique region.
    """
    df = _read(path, ["tl3_id", "tl2_id", "tl1_id", "iso3", "name_or", "name_en", "EU", "EEA"])
    df = df[df["iso3"] != NON_CATEGORISED]
    _blank_check(df, ["tl3_id", "tl2_id", "iso3", "name_or", "name_en"], path)
    out = pd.DataFrame({
        "region": df["tl3_id"], "tl2": df["tl2_id"].where(df["tl2_id"] != NON_CATEGORISED),
        "iso3": df["iso3"], "name": df["name_or"], "name_en": df["name_en"],
        "eu": _bool(df, "EU", path), "eea": _bool(df, "EEA", path)})
    schema = pa.DataFrameSchema(
        {"region": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{2}[A-Z0-9]{3,5}$")),
         "tl2": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{2}[A-Z0-9]{1,3}$"), nullable=True),
         "iso3": _ISO3, "name": pa.Column(str), "name_en": pa.Column(str),
         "eu": pa.Column(bool), "eea": pa.Column(bool)},
        checks=[pa.Check(lambda d: d["tl2"].isna() | (d["region"].str[:2] == d["tl2"].str[:2]),
                         name="tl3_code_extends_its_tl2_prefix")],
        unique=["region"], strict=True, ordered=True)
    return validate(out.reset_index(drop=True), schema, path)


def read_countries_grid(path: str | Path) -> pd.DataFrame:
    """Countries and territories of the 2020 grid (``countries_2020.csv``; 249 rows).

    Dropped: the 999 row and the 11 disputed-territory rows whose iso3 is "DT" (not an
    ISO code): 237 rows remain.

    Columns: iso3, iso2 (as in the grid; note FIN has iso2 "AX" and ESH "ES" there), name
    (English), eu (bool), eea (bool), tl1_id (the grid's id; the unique key).

    iso3 is *not* unique: CHN (China and Chinese Taipei), SDN (Sudan and South Sudan) and
    SRB (Serbia and Kosovo) appear twice. Filter on tl1_id or name before joining on iso3.
    """
    df = _read(path, ["tl1_id", "iso3", "iso2", "tl1_name_e", "EU", "EEA"])
    df = df[(df["iso3"] != NON_CATEGORISED) & (df["iso3"] != "DT")]
    _blank_check(df, ["tl1_id", "iso3", "iso2", "tl1_name_e"], path)
    out = pd.DataFrame({"iso3": df["iso3"], "iso2": df["iso2"], "name": df["tl1_name_e"],
                        "eu": _bool(df, "EU", path), "eea": _bool(df, "EEA", path), "tl1_id": df["tl1_id"]})
    schema = pa.DataFrameSchema(
        {"iso3": _ISO3, "iso2": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{2}$")), "name": pa.Column(str),
         "eu": pa.Column(bool), "eea": pa.Column(bool),
         "tl1_id": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}\d+$"))},
        checks=[pa.Check(lambda d: d["eea"] | ~d["eu"], name="eu_members_are_in_the_eea")],
        unique=["tl1_id"], strict=True, ordered=True)
    return validate(out.reset_index(drop=True), schema, path)


RURAL_URBAN = {"PU": "Predominantly urban", "INC": "Intermediate, close to a city",
               "INR": "Intermediate, remote", "PRC": "Predominantly rural, close to a city",
               "PRR": "Predominantly rural, remote"}
METRO = {"MR-L": "Metropolitan large", "MR-M": "Metropolitan midsize", "NMR-M": "Near a FUA>250K",
         "NMR-S": "Near a FUA<250K", "NMR-R": "Remote"}


def read_uk_grid(path: str | Path) -> pd.DataFrame:
    """UK rows of the OECD territorial grid with typologies (``territorial_grid_gbr.csv``).

    197 rows: 1 TL1, 12 TL2, 179 TL3, plus UKI7 (level "EU2", a NUTS 2 unit inside UKI)
    and UKN02-UKN05 (level "OLD_2_2013", Northern Ireland TL3 regions before 2013).

    Columns
        region        code (GBR, UKC, UKC11, ...) (str)
        level         TL1, TL2, TL3, or as published for the others (EU2, OLD_2_2013) (str)
        name          as transcribed, whitespace trimmed (str). One name carries a
                      transcription artefact: UKN09 "Ards and C193North Down".
        parent        parent code (GBR for TL2, the TL2 for TL3) (str)
        iso3          GBR (str)
        rural_urban   TL3 rural/urban typology: PU, INC, INR, PRC, PRR (see RURAL_URBAN);
                      missing for other levels (str)
        metro_code    TL3 access-to-city typology: MR-L, MR-M, NMR-M, NMR-S, NMR-R;
                      missing for other levels (str)

    ASCII/UTF-8 text (the transcription has no accented names).
    """
    df = _read(path, ["ISO3", "REG_ID", "TL", "Regional name", "Parent", "Typology rural/urban",
                      "Typology access to city"], encoding="utf-8")
    for c in df.columns:
        df[c] = df[c].str.strip()
        df[c] = df[c].where(df[c] != "")
    _blank_check(df, ["ISO3", "REG_ID", "TL", "Regional name", "Parent"], path)
    level = df["TL"].map({"1": "TL1", "2": "TL2", "3": "TL3"}).fillna(df["TL"])
    tl3 = level == "TL3"
    ru = df["Typology rural/urban"].str.removeprefix("3_")
    out = pd.DataFrame({
        "region": df["REG_ID"], "level": level, "name": df["Regional name"], "parent": df["Parent"],
        "iso3": df["ISO3"], "rural_urban": ru.where(tl3), "metro_code": df["Typology access to city"].where(tl3)})
    tl2_codes = set(out.loc[out.level == "TL2", "region"])
    schema = pa.DataFrameSchema(
        {"region": pa.Column(str, pa.Check.str_matches(r"^(GBR|UK[A-Z0-9]{1,3})$")),
         "level": pa.Column(str, pa.Check.isin(["TL1", "TL2", "TL3", "EU2", "OLD_2_2013"])),
         "name": pa.Column(str), "parent": pa.Column(str), "iso3": pa.Column(str, pa.Check.eq("GBR")),
         "rural_urban": pa.Column(str, pa.Check.isin(list(RURAL_URBAN)), nullable=True),
         "metro_code": pa.Column(str, pa.Check.isin(list(METRO)), nullable=True)},
        checks=[
            pa.Check(lambda d: (d["level"] != "TL3") | (d["rural_urban"].notna() & d["metro_code"].notna()),
                     name="tl3_rows_have_both_typologies"),
            pa.Check(lambda d: (d["level"] != "TL3") | d["parent"].isin(tl2_codes), name="tl3_parent_is_a_tl2"),
            pa.Check(lambda d: (d["level"] != "TL2") | (d["parent"] == "GBR"), name="tl2_parent_is_gbr"),
        ],
        unique=["region"], strict=True, ordered=True)
    return validate(out.reset_index(drop=True), schema, path)
