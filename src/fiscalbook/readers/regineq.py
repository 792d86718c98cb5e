"""RegIneq: the Kessler, Hansen & Lessmann (2011, Review of Economic Studies 78(4)) panel,
as shipped in the R package pder (``RegIneq.rda``; one data frame named RegIneq).

17 OECD countries x six three-year periods, 1982-1984 ... 1997-1999 (102 rows; some
values missing in the source and kept missing). Variable meanings (pder documentation):

    regineq   coefficient of variation of regional GDP per head (ratio)
    gdppc     real GDP per head (thousands of US dollars, as in the source)
    pop       total population (millions)
    popgini   Gini coefficient of regional population sizes (0-1)
    urban     share of the population living in urban areas (0-1)
    social    total government social expenditure, per cent of GDP
    unempl    unemployment rate, per cent
    dec       sub-national expenditure as a share of total government expenditure (0-1)
    transrev  grants received by national and sub-national governments from other levels
              of government, share of total government revenue (0-1)
    transaut  sub-national non-autonomous revenue, share of total government revenue
              (can be slightly negative in the source: min -0.078)
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from .. import countries
from ._validate import SourceFormatError, validate

OBJECT = "RegIneq"
VARIABLES = ("regineq", "gdppc", "pop", "popgini", "urban", "social", "unempl", "dec",
             "transrev", "transaut")
_RANGES = {"regineq": (0, 5), "gdppc": (0, 1000), "pop": (0, 2000), "popgini": (0, 1),
           "urban": (0, 1), "social": (0, 100), "unempl": (0, 100), "dec": (0, 1),
           "transrev": (0, 1), "transaut": (-1, 1)}


def read_regineq(path: str | Path) -> pd.DataFrame:
    """The RegIneq panel: iso3, country, period ("1982-1984", str), period_start (int),
    then the ten variables of the module docstring (float; NaN where the source has NA).
    Unique (iso3, period)."""
    import pyreadr
    try:
        found = pyreadr.read_r(str(path))
    except Exception as err:  # pyreadr.custom_errors.LibrdataError and friends
        raise SourceFormatError(f"{path}: not a readable R data file ({type(err).__name__}: {err}).") from None
    if OBJECT not in found:
        raise SourceFormatError(f"{path}: no object {OBJECT!r}; found {list(found)}.")
    return tidy_regineq(found[OBJECT], path)


def tidy_regineq(raw: pd.DataFrame, source: str | Path = "RegIneq") -> pd.DataFrame:
    """The post-processing of ``read_regineq`` on the data frame pyreadr returns."""
    missing = [c for c in ("country", "period", *VARIABLES) if c not in raw.columns]
    if missing:
        raise SourceFormatError(f"{source}: missing column(s) {missing}; found {list(raw.columns)}.")
    if raw.empty:
        raise SourceFormatError(f"{source}: no rows.")
    names = raw["country"].astype(str)
    iso = {}
    for n in names.unique():
        try:
            iso[n] = countries.to_iso3(n)
        except KeyError:
            raise SourceFormatError(f"{source}: unknown country {n!r}.") from None
    period = raw["period"].astype(str).str.strip()
    ok = period.str.fullmatch(r"(\d{4})-(\d{4})")
    if not ok.all():
        raise SourceFormatError(f"{source}: period not 'YYYY-YYYY', e.g. {period[~ok].iloc[0]!r}.")
    start = period.str[:4].astype(int)
    end = period.str[5:].astype(int)
    out = pd.DataFrame({"iso3": names.map(iso).astype(str), "country": names, "period": period,
                        "period_start": start})
    for c in VARIABLES:
        v = pd.to_numeric(raw[c], errors="coerce")
        if (v.isna() & raw[c].notna()).any():
            raise SourceFormatError(f"{source}: non-numeric values in {c}.")
        out[c] = v.astype(float)
    out = out.reset_index(drop=True)
    schema = pa.DataFrameSchema(
        {"iso3": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$")), "country": pa.Column(str),
         "period": pa.Column(str), "period_start": pa.Column(int, pa.Check.in_range(1950, 2100)),
         **{c: pa.Column(float, pa.Check.in_range(*_RANGES[c]), nullable=True) for c in VARIABLES}},
        checks=[pa.Check(lambda d, e=end.reset_index(drop=True): (e - d["period_start"]) == 2,
                         name="three_year_period")],
        unique=["iso3", "period"], strict=True, ordered=True)
    return validate(out, schema, source)
