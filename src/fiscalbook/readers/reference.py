"""The book's own reference tables (``origin: project`` in the catalog, under data/reference/).

``uk_devolution_events.csv`` (UTF-8): one row per English mayoral combined authority (and
the Greater London Authority) and per Scottish or Welsh tax-devolution instrument. Dates
are ISO (YYYY-MM-DD) or empty; ``itl3_codes`` and ``itl3_partial`` are ``;``-separated ITL3
codes (ITL 2021, e.g. ``TLD33``) or a whole ITL1 region written ``TLM*``; ``source`` is a
references.bib key. The reader checks the codes, dates and the rules that tie them
together (an authority has a deal or body date; a tax instrument has an effective date; a
partial region needs ``overlap_rule = drop_partial``), so a typo cannot silently move a
region between treated and control groups.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from ._validate import SourceFormatError, read_text_csv, require_columns, validate

COLUMNS = ["id", "name", "kind", "country", "deal_date", "body_established", "mayor_from",
           "effective_date", "instrument", "powers_funds", "itl3_codes", "itl3_partial",
           "overlap_rule", "source", "notes"]
DATES = ["deal_date", "body_established", "mayor_from", "effective_date"]
KINDS = ("gla", "mayoral_ca", "devolved_tax")
COUNTRY_ITL1 = {"England": set("CDEFGHIJK"), "Wales": {"L"}, "Scotland": {"M"}, "Northern Ireland": {"N"}}
_CODE = re.compile(r"^TL[C-N]([0-9A-Z]{2}|\*)$")
_BIBKEY = re.compile(r"^[A-Za-z0-9_:-]+$")


def _codes(text: str) -> list[str]:
    return [c.strip() for c in text.split(";") if c.strip()] if text else []


def read_devolution_events(path: str | Path) -> pd.DataFrame:
    """Devolution events, one row each: the columns above, dates as ``datetime64`` (NaT where
    empty), ``itl3_codes``/``itl3_partial`` as tuples of codes. Unique ``id``."""
    df = read_text_csv(path, "utf-8", dtype=str, keep_default_na=False)
    require_columns(df, COLUMNS, path)
    extra = [c for c in df.columns if c not in COLUMNS]
    if extra:
        raise SourceFormatError(f"{path}: unexpected column(s) {extra}.")
    if df.empty:
        raise SourceFormatError(f"{path}: no rows.")
    df = df[COLUMNS].apply(lambda s: s.str.strip())
    for c in DATES:
        bad = df[c].ne("") & ~df[c].str.match(r"^\d{4}-\d{2}-\d{2}$")
        parsed = pd.to_datetime(df[c].where(df[c] != ""), format="%Y-%m-%d", errors="coerce")
        bad |= df[c].ne("") & parsed.isna()
        if bad.any():
            raise SourceFormatError(f"{path}: {c} is not a YYYY-MM-DD date for "
                                    f"{df.loc[bad, 'id'].tolist()} (e.g. {df.loc[bad, c].iloc[0]!r}).")
        df[c] = parsed.astype("datetime64[s]")
    for c in ("itl3_codes", "itl3_partial"):
        for rid, text, country in zip(df["id"], df[c], df["country"]):
            for code in _codes(text):
                if not _CODE.match(code):
                    raise SourceFormatError(f"{path}: {rid}: {code!r} in {c} is not an ITL3 code (TLxnn) or TLx*.")
                if country in COUNTRY_ITL1 and code[2] not in COUNTRY_ITL1[country]:
                    raise SourceFormatError(f"{path}: {rid}: {code} in {c} lies outside {country}.")
        df[c] = df[c].map(lambda t: tuple(_codes(t)))
    both = [(r, set(a) & set(b)) for r, a, b in zip(df["id"], df["itl3_codes"], df["itl3_partial"]) if set(a) & set(b)]
    if both:
        raise SourceFormatError(f"{path}: {both[0][0]} lists {sorted(both[0][1])} as both whole and partial.")
    schema = pa.DataFrameSchema(
        {"id": pa.Column(str, pa.Check.str_matches(r"^[a-z0-9_]+$")),
         "name": pa.Column(str, pa.Check.str_length(min_value=3)),
         "kind": pa.Column(str, pa.Check.isin(list(KINDS))),
         "country": pa.Column(str, pa.Check.isin(list(COUNTRY_ITL1))),
         **{c: pa.Column("datetime64[s]", nullable=True) for c in DATES},
         "instrument": pa.Column(str, pa.Check.str_length(min_value=3)),
         "powers_funds": pa.Column(str, pa.Check.str_length(min_value=3)),
         "itl3_codes": pa.Column(object, pa.Check(lambda s: s.map(len) > 0, element_wise=False,
                                                  name="at_least_one_itl3_code")),
         "itl3_partial": pa.Column(object),
         "overlap_rule": pa.Column(str, pa.Check.isin(["exact", "drop_partial"])),
         "source": pa.Column(str, pa.Check.str_matches(_BIBKEY.pattern)),
         "notes": pa.Column(str)},
        checks=[
            pa.Check(lambda d: (d["kind"] == "devolved_tax") | d["deal_date"].notna() | d["body_established"].notna(),
                     name="authority_has_deal_or_body_date"),
            pa.Check(lambda d: (d["kind"] != "devolved_tax") | d["effective_date"].notna(),
                     name="tax_instrument_has_effective_date"),
            pa.Check(lambda d: (d["itl3_partial"].map(len) == 0) | (d["overlap_rule"] == "drop_partial"),
                     name="partial_regions_need_drop_partial"),
            pa.Check(lambda d: (d["kind"] != "mayoral_ca") | (d["country"] == "England"),
                     name="combined_authorities_are_english"),
        ],
        unique=["id"], strict=True, ordered=True)
    return validate(df.reset_index(drop=True), schema, path)
