"""OECD Regional Outlook 2023 country-note data (oecd-cfe-eds/ro2023-country-pages).

Three files:

* ``read_tl2``: TL2 GDP, population and GDP per head, imputed, 2000-2020.
* ``read_tl3_metro``: TL3 / metropolitan-unit GDP per head and population with the
  OECD access-to-city (metropolitan) typology, 2000-2020.
* ``read_per_worker_low_high``: the country-profile figure data on GDP per worker in
  each country's lower and upper half of regions.

Encoding. The CSVs are documented as Latin-1, but they are Windows-1252 (cp1252): bytes
0x80-0x9F occur and are cp1252 letters (e.g. 0x92 is the apostrophe in
"Provence-Alpes-Côte d’Azur", 0x8A/0x9A/0x8E/0x9E are Š/š/Ž/ž in Czech and Lithuanian
names). Read as Latin-1 they would become invisible C1 control characters, so the readers
decode cp1252 (identical to Latin-1 for every other byte).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from ._validate import SourceFormatError, read_text_csv, require_columns, validate

ENCODING = "cp1252"
YEARS = (2000, 2020)

#: Rows whose published GDP_PC does not equal GDP*1e6/POP within rounding. Only these
#: three Mayotte rows do in the mid-2023 vintage (GDP_PC 8-9.5 % above GDP/POP); they
#: are kept as published, and must still agree within 10 %.
TL2_KNOWN_GDP_PC_MISMATCH = {("FRY5", 2000), ("FRY5", 2001), ("FRY5", 2002)}

METRO_LABELS = {
    "MR-L": "Metropolitan large",
    "MR-M": "Metropolitan midsize",
    "NMR-M": "Near a FUA>250K",
    "NMR-S": "Near a FUA<250K",
    "NMR-R": "Remote",
}

_ISO3 = pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$"))
_YEAR = pa.Column(int, pa.Check.in_range(*YEARS))


def _tl2_schema() -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "iso3": _ISO3,
            "region": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{2}[A-Z0-9]{1,3}$")),
            "region_name": pa.Column(str, nullable=True),
            "year": _YEAR,
            "gdp_musd_ppp2015": pa.Column(float, pa.Check.gt(0)),
            "population": pa.Column(float, pa.Check.gt(0)),
            "gdp_per_head_usd_ppp2015": pa.Column(float, pa.Check.in_range(100, 500_000)),
        },
        unique=["region", "year"],
        strict=True,
        ordered=True,
    )


def _numeric(df: pd.DataFrame, columns, source) -> None:
    for col in columns:
        conv = pd.to_numeric(df[col], errors="coerce")
        bad = conv.isna() & df[col].notna()
        if bad.any():
            raise SourceFormatError(
                f"{source}: column {col} has non-numeric values, e.g. {df.loc[bad, col].iloc[0]!r}")
        df[col] = conv


def _check_balanced(df: pd.DataFrame, source, unit: str = "region") -> None:
    """Every unit has every year of the first..last range exactly once."""
    years = df["year"].unique()
    if len(years) == 0:
        raise SourceFormatError(f"{source}: no rows.")
    expected = int(years.max() - years.min() + 1)
    counts = df.groupby(unit)["year"].nunique()
    short = counts[counts != expected]
    if len(years) != expected or not short.empty:
        example = short.index[0] if not short.empty else "(years not contiguous)"
        raise SourceFormatError(
            f"{source}: panel is not balanced over {years.min()}-{years.max()}: "
            f"{len(short)} unit(s) lack years, e.g. {example}.")


def read_tl2(path: str | Path) -> pd.DataFrame:
    """Regional Outlook 2023 TL2 panel (``gdp_pop_tl2_00_20_imputed_l.csv``).

    Columns
        iso3                      ISO 3166-1 alpha-3 (str)
        region                    OECD TL2 code, e.g. ``UKI`` (str)
        region_name               English name as published (str; missing for BE100, NO08,
                                  NO09, NO0A in the mid-2023 vintage)
        year                      int, 2000-2020
        gdp_musd_ppp2015          GDP, million US dollars, constant 2015 prices and PPPs
                                  (published rounded to 1 million)
        population                persons (float; published as integers)
        gdp_per_head_usd_ppp2015  GDP per head, US dollars, constant 2015 PPPs (rounded to 1)

    Checks: unique (region, year); balanced panel; GDP, population > 0; GDP per head in
    100-500,000; one iso3 and one name per region; and GDP_PC = GDP*1e6/POP within the
    rounding of the published integers, |GDP_PC - GDP*1e6/POP| <= 0.5e6/POP + 0.5 (the
    largest error rounding GDP to 1 million and GDP_PC to 1 dollar can make). Every row
    of the mid-2023 file meets that bound except Mayotte (FRY5) 2000-2002, which the
    reader allows explicitly (TL2_KNOWN_GDP_PC_MISMATCH) up to 10 %.
    """
    raw = read_text_csv(path, ENCODING, dtype=str, keep_default_na=False, na_values=["", "NA"])
    cols = ["REG_ID", "TIME", "GDP", "POP", "GDP_PC", "iso3", "reg_name"]
    require_columns(raw, cols, path)
    if raw.columns[0] not in ("", "Unnamed: 0"):
        raise SourceFormatError(f"{path}: expected an unnamed R row-number first column, found {raw.columns[0]!r}.")
    df = raw[cols].copy()
    _numeric(df, ["TIME", "GDP", "POP", "GDP_PC"], path)
    if df[["REG_ID", "TIME", "GDP", "POP", "GDP_PC", "iso3"]].isna().any().any():
        miss = df[["REG_ID", "TIME", "GDP", "POP", "GDP_PC", "iso3"]].isna().sum()
        raise SourceFormatError(f"{path}: missing values in {miss[miss > 0].to_dict()}")
    if (df["TIME"] % 1 != 0).any():
        raise SourceFormatError(f"{path}: TIME has non-integer years.")
    out = pd.DataFrame({
        "iso3": df["iso3"].astype(str),
        "region": df["REG_ID"].astype(str),
        "region_name": df["reg_name"].astype("str"),
        "year": df["TIME"].astype(int),
        "gdp_musd_ppp2015": df["GDP"].astype(float),
        "population": df["POP"].astype(float),
        "gdp_per_head_usd_ppp2015": df["GDP_PC"].astype(float),
    })
    out = validate(out, _tl2_schema(), path)
    for col in ("iso3", "region_name"):
        n = out.groupby("region")[col].nunique(dropna=True)
        if (n > 1).any():
            raise SourceFormatError(f"{path}: region {n[n > 1].index[0]} has more than one {col}.")
    _check_balanced(out, path)
    implied = out["gdp_musd_ppp2015"] * 1e6 / out["population"]
    err = (out["gdp_per_head_usd_ppp2015"] - implied).abs()
    bound = 0.5e6 / out["population"] + 0.5
    known = pd.Series([(r, y) in TL2_KNOWN_GDP_PC_MISMATCH for r, y in zip(out["region"], out["year"])],
                      index=out.index)
    rel = err / implied
    bad = (err > bound) & ~(known & (rel < 0.10))
    if bad.any():
        i = bad.idxmax()
        raise SourceFormatError(
            f"{path}: GDP_PC disagrees with GDP*1e6/POP beyond rounding in {int(bad.sum())} row(s), "
            f"e.g. {out.at[i, 'region']} {out.at[i, 'year']}: GDP_PC {out.at[i, 'gdp_per_head_usd_ppp2015']:.0f} "
            f"vs {implied[i]:.0f} ({rel[i]:+.1%}).")
    return out.sort_values(["region", "year"]).reset_index(drop=True)


def _tl3_schema() -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "iso3": _ISO3,
            "region": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{2}[A-Z0-9]{3,5}$")),
            "region_name": pa.Column(str, nullable=True),
            "year": _YEAR,
            "gdp_per_head_usd_ppp2015": pa.Column(float, pa.Check.in_range(100, 500_000), nullable=True),
            "population": pa.Column(float, pa.Check.gt(0)),
            "metro_code": pa.Column(str, pa.Check.isin(list(METRO_LABELS)), nullable=True),
            "metro_class": pa.Column(str, pa.Check.isin(list(METRO_LABELS.values())), nullable=True),
            "is_metro": pa.Column("boolean", nullable=True),
            "metro_area": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{2}\d{2,3}MC?$"), nullable=True),
        },
        unique=["region", "year"],
        strict=True,
        ordered=True,
    )


def read_tl3_metro(path: str | Path) -> pd.DataFrame:
    """Regional Outlook 2023 TL3 / metropolitan panel (``gdp_pop_00_20_imputed_agg_l.csv``).

    The units are TL3 regions, except that TL3 regions belonging to one functional urban
    area (FUA) are merged into one unit coded like the FUA (``UK001MC`` London,
    ``UK008M`` Manchester; the ``C`` suffix marks the capital's FUA).

    Columns
        iso3                      ISO 3166-1 alpha-3 (str)
        region                    unit code: a TL3 code (``AT111``) or merged-FUA code (str)
        region_name               English name (str)
        year                      int, 2000-2020
        gdp_per_head_usd_ppp2015  GDP per head, US dollars, constant 2015 PPPs (float;
                                  missing where the file writes 0, see below)
        population                persons (float; imputed values are fractional)
        metro_code                OECD access-to-city typology: MR-L, MR-M (metropolitan
                                  large / midsize), NMR-M (near a FUA > 250k), NMR-S (near a
                                  FUA < 250k), NMR-R (remote) (str)
        metro_class               its label as published (metro_name) (str)
        is_metro                  metro_code starts with MR (nullable boolean; equals the
                                  published metro_lev1 == "Metropolitan", which is checked)
        metro_area                REG_ID_M: the code of the metropolitan area (FUA) the unit
                                  forms or belongs to; equal to ``region`` for merged-FUA
                                  units, the FUA code for a TL3 region that is itself one
                                  metro area (e.g. AT323 -> AT004M Salzburg), missing
                                  otherwise (str, nullable)

    Dropped source columns: the R row number; metro_lev1, metro_large and metro_far, which
    are coarser groupings of metro_code (the reader checks they agree with it).

    Source quirks handled (mid-2023 vintage):
      * GDP_PC is written as 0 for 27 rows (IE051 and IE053 2015-2017, ITG2F Cagliari all
        years): a missing value, not a measurement. Zeros become NaN; any other value
        outside 100-500,000 (including negatives) is an error.
      * One unit, DE139, has no iso3, name or typology. Its iso3 is derived from the code's
        two-letter prefix using the prefix -> iso3 pairs of the file's own TL3-coded rows
        (codes without ``M``; the map must be one-to-one); its typology stays missing.
        Merged-FUA codes are not used for this: CH003M (Basel) carries iso3 DEU in the
        file, i.e. a unit's iso3 is not always its code's prefix. It is kept as published.
    """
    raw = read_text_csv(path, ENCODING, dtype=str, keep_default_na=False, na_values=["", "NA"])
    cols = ["REG_ID", "TIME", "GDP_PC", "POP", "REG_ID_M", "iso3", "Regional name (eng)",
            "metro_code", "metro_name", "metro_lev1"]
    require_columns(raw, cols, path)
    df = raw.copy()
    _numeric(df, ["TIME", "GDP_PC", "POP"], path)
    for col in ("REG_ID", "TIME", "GDP_PC", "POP"):
        if df[col].isna().any():
            raise SourceFormatError(f"{path}: {int(df[col].isna().sum())} missing value(s) in {col}.")
    if (df["TIME"] % 1 != 0).any():
        raise SourceFormatError(f"{path}: TIME has non-integer years.")

    # iso3 from the code prefix where missing, using the file's own prefix -> iso3 pairs
    prefix = df["REG_ID"].str[:2]
    tl3_coded = df["iso3"].notna() & ~df["REG_ID"].str.contains("M", regex=False)
    pairs = df.loc[tl3_coded, ["iso3"]].assign(prefix=prefix[tl3_coded]).drop_duplicates()
    if pairs["prefix"].duplicated().any() or pairs["iso3"].duplicated().any():
        dup = pairs[pairs["prefix"].duplicated(keep=False) | pairs["iso3"].duplicated(keep=False)]
        raise SourceFormatError(f"{path}: region-code prefixes and iso3 are not one-to-one: {dup.values.tolist()[:4]}")
    iso3 = df["iso3"].fillna(prefix.map(dict(zip(pairs["prefix"], pairs["iso3"]))))
    if iso3.isna().any():
        raise SourceFormatError(f"{path}: cannot tell the country of {df.loc[iso3.isna(), 'REG_ID'].iloc[0]}.")

    known = df["metro_code"].notna()
    label = df["metro_code"].map(METRO_LABELS)
    if (known & (label != df["metro_name"])).any():
        i = (known & (label != df["metro_name"])).idxmax()
        raise SourceFormatError(f"{path}: metro_code {df.at[i, 'metro_code']!r} has label {df.at[i, 'metro_name']!r}.")
    is_metro = df["metro_code"].str.startswith("MR-").astype("boolean").mask(~known)
    lev1 = df["metro_lev1"].eq("Metropolitan").astype("boolean").mask(df["metro_lev1"].isna())
    if (known & (is_metro != lev1)).any():
        raise SourceFormatError(f"{path}: metro_lev1 disagrees with metro_code.")

    gdppc = df["GDP_PC"].astype(float).replace(0.0, np.nan)
    out = pd.DataFrame({
        "iso3": iso3.astype(str),
        "region": df["REG_ID"].astype(str),
        "region_name": df["Regional name (eng)"].astype("str"),
        "year": df["TIME"].astype(int),
        "gdp_per_head_usd_ppp2015": gdppc,
        "population": df["POP"].astype(float),
        "metro_code": df["metro_code"].astype("str"),
        "metro_class": df["metro_name"].astype("str"),
        "is_metro": is_metro,
        "metro_area": df["REG_ID_M"].astype("str"),
    })
    out = validate(out, _tl3_schema(), path)
    for col in ("iso3", "metro_code", "metro_area"):
        n = out.groupby("region")[col].nunique(dropna=True)
        if (n > 1).any():
            raise SourceFormatError(f"{path}: unit {n[n > 1].index[0]} has more than one {col}.")
    _check_balanced(out, path)
    return out.sort_values(["region", "year"]).reset_index(drop=True)


def _low_high_schema() -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "iso3": _ISO3,
            "year": pa.Column(int, pa.Check.in_range(1995, 2025)),
            "group": pa.Column(str, pa.Check.isin(["low", "high"])),
            "gdp_per_worker": pa.Column(float, pa.Check.in_range(1_000, 500_000)),
            "unit": pa.Column(str),
        },
        unique=["iso3", "year", "group"],
        strict=True,
        ordered=True,
    )


LOW_HIGH_UNIT = "USD per worker, PPP, constant prices (base year not stated in the workbook)"


def read_per_worker_low_high(path: str | Path) -> pd.DataFrame:
    """Regional Outlook 2023 country-profile figure data: GDP per worker in the lower and
    upper half of each country's regions ranked by labour productivity.

    One sheet per country (33 in the 2023 workbook), named by ISO3, with columns time,
    pw_lp (lower half), pw_hp (upper half), minyear, maxyear, gr2019_lp/hp, gr2020_lp/hp,
    iso3 and three text columns used in the country notes.

    Columns
        iso3            ISO 3166-1 alpha-3 (str)
        year            int
        group           "low" (pw_lp, lower half of regions) or "high" (pw_hp, upper half)
        gdp_per_worker  GDP per worker (float), in ``unit``
        unit            LOW_HIGH_UNIT: USD at PPP, constant prices. The workbook states no
                        unit; the prose of the Regional Outlook uses constant 2015 PPP USD.

    Checks: the sheet name equals the iso3 column; years run without gaps from minyear to
    maxyear; gr2019_* equals the growth (%) from minyear to 2019 and gr2020_* the growth
    from 2019 to 2020 (note: not from minyear, although the text_2020 sentences say
    "between <minyear> and 2020"), both within 0.01 percentage points.
    """
    path = Path(path)
    try:
        sheets = pd.read_excel(path, sheet_name=None, engine="openpyxl")
    except Exception as err:  # zip/xml errors from a truncated or non-xlsx file
        raise SourceFormatError(f"{path}: cannot read as an xlsx workbook ({type(err).__name__}: {err}).") from None
    need = ["time", "pw_lp", "pw_hp", "minyear", "maxyear", "gr2019_lp", "gr2019_hp",
            "gr2020_lp", "gr2020_hp", "iso3"]
    frames = []
    for name, d in sheets.items():
        where = f"{path} [sheet {name}]"
        require_columns(d, need, where)
        d = d[need].copy()
        _numeric(d, [c for c in need if c != "iso3"], where)
        if d[["time", "pw_lp", "pw_hp"]].isna().any().any():
            raise SourceFormatError(f"{where}: missing values in time/pw_lp/pw_hp.")
        if (d[["pw_lp", "pw_hp"]] <= 0).any().any():
            raise SourceFormatError(f"{where}: GDP per worker must be > 0 (in_range check).")
        if not (d["iso3"] == name).all():
            raise SourceFormatError(f"{where}: iso3 column {sorted(d['iso3'].astype(str).unique())} differs from the sheet name.")
        t = d.set_index("time")
        if t.index.has_duplicates:
            raise SourceFormatError(f"{where}: a year appears twice.")
        first, last = int(d["minyear"].iloc[0]), int(d["maxyear"].iloc[0])
        if sorted(t.index.astype(int)) != list(range(first, last + 1)):
            raise SourceFormatError(f"{where}: years are not {first}-{last} without gaps.")
        for grp, col in (("lp", "pw_lp"), ("hp", "pw_hp")):
            if 2019 in t.index:
                g = (t.at[2019, col] / t.at[first, col] - 1) * 100
                if abs(g - d[f"gr2019_{grp}"].iloc[0]) > 0.01:
                    raise SourceFormatError(f"{where}: gr2019_{grp} {d[f'gr2019_{grp}'].iloc[0]:.3f} is not "
                                            f"the {first}-2019 growth of {col} ({g:.3f} %).")
            if 2020 in t.index and 2019 in t.index:
                g = (t.at[2020, col] / t.at[2019, col] - 1) * 100
                if abs(g - d[f"gr2020_{grp}"].iloc[0]) > 0.01:
                    raise SourceFormatError(f"{where}: gr2020_{grp} is not the 2019-2020 growth of {col}.")
        for grp, col in (("low", "pw_lp"), ("high", "pw_hp")):
            frames.append(pd.DataFrame({"iso3": name, "year": d["time"].astype(int), "group": grp,
                                        "gdp_per_worker": d[col].astype(float), "unit": LOW_HIGH_UNIT}))
    if not frames:
        raise SourceFormatError(f"{path}: no sheets.")
    out = pd.concat(frames, ignore_index=True)
    out["iso3"] = out["iso3"].astype(str)
    out = validate(out, _low_high_schema(), path)
    return out.sort_values(["iso3", "year", "group"]).reset_index(drop=True)


def _gap_schema() -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "iso3": _ISO3,
            "year": pa.Column(int, pa.Check.in_range(1995, 2025)),
            "lower": pa.Column(float, pa.Check.in_range(1_000, 500_000)),
            "upper": pa.Column(float, pa.Check.in_range(1_000, 500_000)),
            "log_gap": pa.Column(float, pa.Check.ge(0)),
        },
        checks=[pa.Check(lambda d: d["upper"] >= d["lower"], name="upper_half_at_least_lower_half")],
        unique=["iso3", "year"],
        strict=True,
        ordered=True,
    )


def per_worker_gap(low_high: pd.DataFrame, source: str = "per_worker_low_high") -> pd.DataFrame:
    """The upper/lower-half productivity gap as a tidy country-year panel.

    From a ``read_per_worker_low_high`` table (long in ``group``). Columns
        iso3, year
        lower    GDP per worker in the lower half of the country's TL2 regions (pw_lp)
        upper    GDP per worker in the upper half (pw_hp)
        log_gap  ln(upper / lower): 0 when the halves are equal; 0.30 means the upper half
                 produces about 35 % more per worker

    Why a separate step: the regressions in the book need one row per country-year, and a
    lower half more productive than the upper half would mean the groups were swapped, so
    it is refused (SourceFormatError) rather than turned into a negative gap.
    """
    need = ["iso3", "year", "group", "gdp_per_worker"]
    require_columns(low_high, need, source)
    if not set(low_high["group"]).issubset({"low", "high"}):
        raise SourceFormatError(f"{source}: group must be 'low' or 'high', found {sorted(set(low_high['group']))}.")
    if low_high.duplicated(["iso3", "year", "group"]).any():
        raise SourceFormatError(f"{source}: a country-year-group appears twice.")
    w = low_high.pivot(index=["iso3", "year"], columns="group", values="gdp_per_worker")
    if w.isna().any().any() or not {"low", "high"} <= set(w.columns):
        raise SourceFormatError(f"{source}: every country-year needs both a lower and an upper half.")
    out = pd.DataFrame({"iso3": w.index.get_level_values("iso3").astype(str),
                        "year": w.index.get_level_values("year").astype(int),
                        "lower": w["low"].to_numpy(float), "upper": w["high"].to_numpy(float)})
    if (out["upper"] < out["lower"]).any():
        bad = out.loc[out["upper"] < out["lower"]].iloc[0]
        raise SourceFormatError(f"{source}: upper half below lower half for {bad['iso3']} {bad['year']} "
                                "(groups swapped?).")
    out["log_gap"] = np.log(out["upper"] / out["lower"])
    out = validate(out, _gap_schema(), source)
    return out.sort_values(["iso3", "year"]).reset_index(drop=True)
