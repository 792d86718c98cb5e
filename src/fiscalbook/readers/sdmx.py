"""OECD Data Explorer: SDMX-CSV data (DSD_REG_ECO@DF_GDP) and the SDMX-ML structure file.

``read_sdmx_csv`` turns the SDMX-CSV export into a tidy long table with UNIT_MULT applied;
``per_worker`` derives GDP per worker from it; ``read_structure`` lists the components of
the data structure definition and the code lists they use.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from ._validate import SourceFormatError, read_text_csv, require_columns, validate

#: The dimensions of DSD_REG_ECO in their DSD order (TIME_PERIOD last); one observation each.
DIMENSIONS = ["FREQ", "TERRITORIAL_LEVEL", "REF_AREA", "TERRITORIAL_TYPE", "MEASURE", "ACTIVITY",
              "PRICES", "UNIT_MEASURE", "TIME_PERIOD"]
ATTRIBUTES = ["COUNTRY", "OBS_STATUS", "UNIT_MULT"]
LEVELS = {"CTRY", "TL2", "TL3"}
#: Relative tolerance between the published per-worker value and GDP / EMP. The Dec-2025
#: file agrees to within 4.1e-5 (rounding of GDP to 0.01 million and of the per-worker
#: value to 1 USD); 1e-4 leaves a margin of about two.
PER_WORKER_RTOL = 1e-4


def _schema() -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "iso3": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{3}$")),
            "region": pa.Column(str, pa.Check.str_length(2, 8)),
            "level": pa.Column(str, pa.Check.isin(sorted(LEVELS))),
            "year": pa.Column(int, pa.Check.in_range(1990, 2030)),
            "measure": pa.Column(str),
            "unit": pa.Column(str),
            "prices": pa.Column(str, pa.Check.isin(["Q", "V", "D", "_Z"])),
            "value": pa.Column(float, pa.Check.ge(0)),
            "obs_status": pa.Column(str, pa.Check.str_matches(r"^[A-Z]$")),
            "freq": pa.Column(str, pa.Check.eq("A")),
            "territorial_type": pa.Column(str),
            "activity": pa.Column(str),
        },
        checks=[
            # persons and per-head/per-worker amounts must be positive where they exist
            pa.Check(lambda d: ~d["measure"].isin(["POP", "EMP"]) | (d["value"] > 0),
                     name="population_and_employment_positive"),
            # 100-500,000 USD; TL3 up to 1,000,000 because commuter-heavy small regions
            # exceed 500,000 per head (UKI31 Camden and City of London: 622,806 in 2019)
            pa.Check(lambda d: ~d["unit"].isin(["USD_PPP_PS", "USD_PPP_WR"])
                     | d["value"].between(100, 500_000)
                     | ((d["level"] == "TL3") & d["value"].between(100, 1_000_000)),
                     name="usd_ppp_per_head_or_worker_plausible"),
        ],
        unique=["freq", "level", "region", "territorial_type", "measure", "activity", "prices", "unit", "year"],
        strict=True,
        ordered=True,
    )


def read_sdmx_csv(path: str | Path) -> pd.DataFrame:
    """SDMX-CSV export of OECD.CFE.EDS:DSD_REG_ECO@DF_GDP (one row per observation).

    Columns
        iso3        COUNTRY attribute, ISO 3166-1 alpha-3 (str)
        region      REF_AREA: the country code for CTRY rows, else the TL2/TL3 code (str)
        level       TERRITORIAL_LEVEL: CTRY, TL2 or TL3 (str)
        year        TIME_PERIOD as int (the file writes 2019.0)
        measure     MEASURE: GDP, POP (population), EMP (employment at place of work),
                    PPP_GDP (PPP conversion rate) (str)
        unit        UNIT_MEASURE: USD_PPP, USD_PPP_PS (per head), USD_PPP_WR (per worker),
                    USD, USD_PS, XDC (national currency), XDC_PS, XDC_WR, PS (persons),
                    IX (index), XDC_USD (str)
        prices      PRICES: Q constant prices (reference year 2015), V current prices,
                    D deflator, _Z not applicable (str)
        value       OBS_VALUE x 10**UNIT_MULT, in the base unit (US dollars, persons, ...):
                    GDP of 476.66 with UNIT_MULT 6 is 476,660,000 (float)
        obs_status  OBS_STATUS: A normal, E estimated, P provisional, D definition differs (str)
        freq, territorial_type, activity
                    the remaining dimensions (A, _Z, _T in this file), kept so that the key
                    is the full SDMX key (str)

    Checks: every dimension and attribute present; key over all dimensions unique;
    TIME_PERIOD a whole year; UNIT_MULT a whole power of ten in 0..12; OBS_VALUE numeric
    and not missing; values >= 0, persons > 0, USD PPP per head/worker in 100-500,000
    (TL3: up to 1,000,000, since UKI31 Camden and City of London has 622,806 per head);
    CTRY rows have REF_AREA == COUNTRY.
    """
    raw = read_text_csv(path, "utf-8", dtype=str, keep_default_na=False)
    require_columns(raw, DIMENSIONS + ["OBS_VALUE"] + ATTRIBUTES, path)
    if raw.empty:
        raise SourceFormatError(f"{path}: no observations.")
    blank = (raw[DIMENSIONS + ["OBS_VALUE", "COUNTRY", "UNIT_MULT", "OBS_STATUS"]] == "")
    if blank.any().any():
        cols = blank.any()[blank.any()].index.tolist()
        raise SourceFormatError(f"{path}: empty cells in {cols} (e.g. row {int(blank.any(axis=1).idxmax()) + 2}).")

    def num(col: str) -> pd.Series:
        out = pd.to_numeric(raw[col], errors="coerce")
        if out.isna().any():
            raise SourceFormatError(f"{path}: {col} is not numeric, e.g. {raw.loc[out.isna(), col].iloc[0]!r}.")
        return out

    period, mult, obs = num("TIME_PERIOD"), num("UNIT_MULT"), num("OBS_VALUE")
    if (period % 1 != 0).any():
        raise SourceFormatError(f"{path}: TIME_PERIOD is not a whole year, e.g. {raw.loc[period % 1 != 0, 'TIME_PERIOD'].iloc[0]!r}.")
    if ((mult % 1 != 0) | (mult < 0) | (mult > 12)).any():
        raise SourceFormatError(f"{path}: UNIT_MULT must be a whole power of ten 0-12.")
    ctry = raw["TERRITORIAL_LEVEL"] == "CTRY"
    if (raw.loc[ctry, "REF_AREA"] != raw.loc[ctry, "COUNTRY"]).any():
        raise SourceFormatError(f"{path}: a country-level row has REF_AREA different from COUNTRY.")
    out = pd.DataFrame({
        "iso3": raw["COUNTRY"],
        "region": raw["REF_AREA"],
        "level": raw["TERRITORIAL_LEVEL"],
        "year": period.astype(int),
        "measure": raw["MEASURE"],
        "unit": raw["UNIT_MEASURE"],
        "prices": raw["PRICES"],
        "value": obs.astype(float) * np.power(10.0, mult.astype(int)),
        "obs_status": raw["OBS_STATUS"],
        "freq": raw["FREQ"],
        "territorial_type": raw["TERRITORIAL_TYPE"],
        "activity": raw["ACTIVITY"],
    })
    out = validate(out, _schema(), path)
    return out.sort_values(["level", "region", "measure", "prices", "unit", "year"]).reset_index(drop=True)


def per_worker(df: pd.DataFrame, level: str = "TL2") -> pd.DataFrame:
    """GDP per worker from a ``read_sdmx_csv`` table, one row per region and year.

    Columns
        iso3, region, year
        gdp_per_worker_usd_ppp  US dollars per person employed (at place of work), at PPP and
                                *constant 2015 prices* (PRICES Q) where the region has
                                constant-price GDP, otherwise current prices (V); see
                                ``prices``. The published USD_PPP_WR value where there is
                                one, else GDP / EMP (see ``source``).
        employment              persons employed at place of work (EMP)
        gdp_usd_ppp             GDP, US dollars at PPP, same prices as the per-worker value
        population              persons (POP; NaN if not published)
        prices                  "Q" (constant 2015) or "V" (current)
        source                  "published" or "derived"

    Rows need both employment and GDP. Where the published value and GDP / EMP both exist
    they must agree within PER_WORKER_RTOL, else SourceFormatError. In the Dec-2025 file
    every TL2 region with employment and GDP has a published constant-price value.
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {sorted(LEVELS)}, not {level!r}")
    d = df[df["level"] == level]
    keys = ["iso3", "region", "year"]

    def pick(measure, unit, prices, name):
        s = d[(d["measure"] == measure) & (d["unit"] == unit) & (d["prices"] == prices)]
        return s.set_index(keys)["value"].rename(name)

    emp = pick("EMP", "PS", "_Z", "employment")
    pop = pick("POP", "PS", "_Z", "population")
    frames = []
    for prices in ("Q", "V"):
        gdp = pick("GDP", "USD_PPP", prices, "gdp_usd_ppp")
        pub = pick("GDP", "USD_PPP_WR", prices, "published")
        w = pd.concat([emp, gdp, pub], axis=1).dropna(subset=["employment", "gdp_usd_ppp"])
        w["derived"] = w["gdp_usd_ppp"] / w["employment"]
        both = w["published"].notna()
        rel = (w.loc[both, "published"] / w.loc[both, "derived"] - 1).abs()
        if (rel > PER_WORKER_RTOL).any():
            i = rel.idxmax()
            raise SourceFormatError(
                f"published GDP per worker ({prices}) disagrees with GDP/EMP for {i}: "
                f"{w.at[i, 'published']:.0f} vs {w.at[i, 'derived']:.0f} ({rel[i]:.2%}).")
        w["gdp_per_worker_usd_ppp"] = w["published"].fillna(w["derived"])
        w["source"] = np.where(both, "published", "derived")
        w["prices"] = prices
        frames.append(w)
    q, v = frames
    out = pd.concat([q, v[~v.index.isin(q.index)]])
    out = out.join(pop).reset_index()
    cols = ["iso3", "region", "year", "gdp_per_worker_usd_ppp", "employment", "gdp_usd_ppp", "population",
            "prices", "source"]
    out = out[cols].astype({"year": int, "prices": str, "source": str})
    schema = pa.DataFrameSchema(
        {"iso3": pa.Column(str), "region": pa.Column(str), "year": pa.Column(int),
         "gdp_per_worker_usd_ppp": pa.Column(float, pa.Check.in_range(100, 500_000)),
         "employment": pa.Column(float, pa.Check.gt(0)), "gdp_usd_ppp": pa.Column(float, pa.Check.gt(0)),
         "population": pa.Column(float, pa.Check.gt(0), nullable=True),
         "prices": pa.Column(str, pa.Check.isin(["Q", "V"])),
         "source": pa.Column(str, pa.Check.isin(["published", "derived"]))},
        unique=keys, strict=True, ordered=True)
    out = validate(out, schema, f"per_worker({level})")
    return out.sort_values(keys).reset_index(drop=True)


_NS = {
    "message": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message",
    "structure": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure",
    "common": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common",
}
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _name(elem) -> str | None:
    names = elem.findall("common:Name", _NS)
    for n in names:
        if n.get(_XML_LANG) == "en":
            return (n.text or "").strip()
    return (names[0].text or "").strip() if names else None


def read_structure(path: str | Path) -> pd.DataFrame:
    """SDMX-ML 2.1 structure message: the components of each data structure and the codes
    of each code list it uses.

    Columns
        dsd               data structure id, e.g. DSD_REG_ECO (str)
        component         component id, e.g. REF_AREA (str)
        kind              dimension, time_dimension, attribute or measure (str)
        position          dimension position (Int64; missing for attributes and measures)
        codelist          id of the code list enumerating the component (str; missing for
                          free text such as TIME_PERIOD or OBS_VALUE)
        codelist_agency   its maintenance agency (str)
        codelist_version  its version (str)
        code, name        one row per code with its English name when the message contains
                          the code list itself; missing otherwise (str)

    The catalogued file (``dsd_reg_eco_structure.xml``) is the DSD alone, without
    ``structure:Codelists``: it gives 9 dimensions and 6 attributes with their code-list
    ids but no codes, so ``code`` and ``name`` are empty throughout. A message fetched
    with ``references=all`` would fill them.
    """
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as err:
        raise SourceFormatError(f"{path}: not well-formed XML ({err}).") from None
    except OSError as err:
        raise SourceFormatError(f"{path}: cannot read ({err}).") from None
    dsds = root.findall(".//structure:DataStructure", _NS)
    if not dsds:
        raise SourceFormatError(f"{path}: no structure:DataStructure element (not an SDMX-ML 2.1 structure message?).")
    codes: dict[tuple[str, str], list[tuple[str, str | None]]] = {}
    for cl in root.findall(".//structure:Codelist", _NS):
        key = (cl.get("id"), cl.get("agencyID"))
        codes[key] = [(c.get("id"), _name(c)) for c in cl.findall("structure:Code", _NS)]
    rows = []
    kinds = {"Dimension": "dimension", "TimeDimension": "time_dimension", "Attribute": "attribute",
             "PrimaryMeasure": "measure"}
    for dsd in dsds:
        comps = dsd.find("structure:DataStructureComponents", _NS)
        if comps is None:
            raise SourceFormatError(f"{path}: {dsd.get('id')} has no DataStructureComponents.")
        for lst in comps:
            for comp in lst:
                kind = kinds.get(comp.tag.split("}")[-1])
                if kind is None:
                    continue
                ref = comp.find("structure:LocalRepresentation/structure:Enumeration/Ref", _NS)
                if ref is None:  # unqualified Ref in this message; try namespaced too
                    ref = comp.find("structure:LocalRepresentation/structure:Enumeration/structure:Ref", _NS)
                cl = (ref.get("id"), ref.get("agencyID"), ref.get("version")) if ref is not None else (None, None, None)
                base = {"dsd": dsd.get("id"), "component": comp.get("id"), "kind": kind,
                        "position": comp.get("position"), "codelist": cl[0],
                        "codelist_agency": cl[1], "codelist_version": cl[2]}
                listed = codes.get((cl[0], cl[1]), [])
                if listed:
                    rows += [{**base, "code": c, "name": n} for c, n in listed]
                else:
                    rows.append({**base, "code": None, "name": None})
    if not rows:
        raise SourceFormatError(f"{path}: the data structure lists no components.")
    out = pd.DataFrame(rows)
    out["position"] = pd.to_numeric(out["position"]).astype("Int64")
    for c in ("dsd", "component", "kind", "codelist", "codelist_agency", "codelist_version", "code", "name"):
        out[c] = out[c].astype("str").where(out[c].notna())
    schema = pa.DataFrameSchema(
        {"dsd": pa.Column(str), "component": pa.Column(str),
         "kind": pa.Column(str, pa.Check.isin(list(kinds.values()))),
         "position": pa.Column("Int64", nullable=True),
         "codelist": pa.Column(str, nullable=True), "codelist_agency": pa.Column(str, nullable=True),
         "codelist_version": pa.Column(str, nullable=True),
         "code": pa.Column(str, nullable=True), "name": pa.Column(str, nullable=True)},
        unique=["dsd", "component", "code"], strict=True, ordered=True)
    return validate(out, schema, path)
