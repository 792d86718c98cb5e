"""Display tables: numbers a reader can read.

`display_table(frame)` renders a DataFrame as an HTML table with
* integers as integers (a float column whose values are all whole shows none of ".0"),
* at most three decimals (fewer for large numbers), no "-0.000", no scientific notation;
  p-value columns show three decimals and "< 0.001" below that,
* human headers (snake_case names looked up in HEADERS or spelled out),
* no index column (a named index becomes an ordinary first column), numbers right-aligned,
* wide tables in a collapsible box that scrolls sideways and says so.
"""

from __future__ import annotations

import html
import math
import re

import numpy as np
import pandas as pd

MAX_DECIMALS = 3
P_FLOOR = 0.001
# Column names whose values are p-values (exact names, or ending in _p / _pvalue).
_P_NAME = re.compile(r"(^p$|^p[_ ]?value$|_p$|_pvalue$|^p \(|p-value)", re.I)
# Columns of years: never thousands separators.
_YEAR_NAME = re.compile(r"(^|_|\b)(year|years|first|last|from|to|vintage)($|_|\b)", re.I)

HEADERS = {
    "iso3": "Country code", "country": "Country", "region": "Region", "year": "Year",
    "coef": "Estimate", "se": "SE", "ci_low": "95 % CI, low", "ci_high": "95 % CI, high",
    "p": "p-value", "wb_p": "Wild-bootstrap p", "ri_p": "Randomisation-inference p",
    "boot_p": "Bootstrap p", "n_obs": "Observations", "n": "N", "n_countries": "Countries",
    "n_regions": "Regions", "n_clusters": "Clusters", "spec": "Specification", "term": "Term",
    "sha256": "SHA-256", "bytes": "Size (bytes)", "producer": "Producer", "file": "File",
    "title": "Title", "licence": "Licence", "id": "Catalog id", "measure": "Measure",
    "estimate": "Estimate", "implied_effect": "Claim-implied effect", "unit": "Unit",
    "wb_low": "Wild-bootstrap 95 % low", "wb_high": "Wild-bootstrap 95 % high",
    "boot_low": "Bootstrap 95 % low", "boot_high": "Bootstrap 95 % high",
    "n_changed": "Countries whose measure changed", "years": "Years", "error": "Note",
}
# Abbreviations kept in capitals when a header is spelled out from snake_case.
_UPPER = {"uk", "gdp", "gva", "oecd", "rai", "lai", "imf", "cv", "sd", "se", "ci", "tl2", "tl3",
          "itl", "itl1", "itl2", "ppp", "usd", "vfi", "id", "sha256", "ons", "fe"}


def human_header(name) -> str:
    """'n_countries' -> 'Countries' (from HEADERS), 'gdp_per_head' -> 'GDP per head'."""
    key = str(name)
    if key in HEADERS:
        return HEADERS[key]
    if "_" not in key and key[:1].isupper():
        return key  # already written for readers
    words = key.replace("_", " ").split()
    words = [w.upper() if w.lower() in _UPPER else w for w in words]
    text = " ".join(words)
    return text[:1].upper() + text[1:] if text else text


def is_p_column(name) -> bool:
    return bool(_P_NAME.search(str(name)))


def p_text(p: float, digits: int = 3) -> str:
    """A p-value for prose: "< 0.001" below the floor, else `digits` decimals (never
    scientific notation, which `:.2g` gives for tiny values)."""
    p = float(p)
    if not 0 <= p <= 1:
        raise ValueError(f"not a p-value: {p}")
    return f"< {P_FLOOR}" if p < P_FLOOR else f"{p:.{digits}f}"


def _decimals_for(values: pd.Series) -> int:
    """Three decimals, two from 10, one from 100, none from 10,000 (largest |value|)."""
    top = float(np.nanmax(np.abs(values))) if values.notna().any() else 0.0
    if top >= 10_000:
        return 0
    if top >= 100:
        return 1
    if top >= 10:
        return 2
    return MAX_DECIMALS


def format_column(values: pd.Series, name="", decimals: int | None = None) -> list[str]:
    """Strings for one column, by the rules in the module docstring; `decimals` (at most
    MAX_DECIMALS) fixes the decimals of non-integer, non-p-value columns."""
    if pd.api.types.is_bool_dtype(values):
        return ["yes" if v else "no" for v in values]
    if not pd.api.types.is_numeric_dtype(values):
        return ["–" if (v is None or (isinstance(v, float) and math.isnan(v))) or v is pd.NA else str(v)
                for v in values]
    num = pd.to_numeric(values, errors="coerce").astype(float)
    year_like = bool(_YEAR_NAME.search(str(name)))
    if is_p_column(name):
        return ["–" if math.isnan(v) else (f"< {P_FLOOR}" if v < P_FLOOR else f"{v:.3f}") for v in num]
    finite = num[np.isfinite(num)]
    if len(finite) and np.all(finite == np.round(finite)):
        sep = "" if year_like or float(np.abs(finite).max()) < 10_000 else ","
        return ["–" if not math.isfinite(v) else format(int(v), sep) for v in num]
    d = _decimals_for(num) if decimals is None else min(int(decimals), MAX_DECIMALS)
    out = []
    for v in num:
        if not math.isfinite(v):
            out.append("–")
            continue
        s = format(v, f",.{d}f")
        if float(s.replace(",", "")) == 0:
            s = s.lstrip("-")  # no "-0.000"
        out.append(s)
    return out


class DisplayTable:
    """An HTML table for a notebook cell (`_repr_html_`); `html` holds the markup."""

    def __init__(self, markup: str):
        self.html = markup

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:  # plain-text output would print the markup; keep it short
        return "<table>"


def display_table(frame: pd.DataFrame, caption: str | None = None, headers: dict | None = None,
                  wide: bool | None = None, summary: str | None = None,
                  decimals: int | None = None) -> DisplayTable:
    """`frame` as a readable HTML table (see module docstring). `headers` overrides the
    header of named columns. `wide` (default: more than 6 columns, or any cell longer than
    60 characters) folds the table into a box that opens on click and scrolls sideways;
    `summary` is the box's label."""
    if frame.empty:
        raise ValueError("nothing to display: the table is empty")
    # A named index is data (e.g. "package"): it becomes the first column; an unnamed
    # (range) index is pandas bookkeeping and is dropped.
    named = any(n is not None for n in frame.index.names)
    data = frame.reset_index() if named else frame.reset_index(drop=True)
    headers = {**(headers or {})}
    cols = list(data.columns)
    formatted = {c: format_column(data[c], c, decimals) for c in cols}
    numeric = {c: pd.api.types.is_numeric_dtype(data[c]) and not pd.api.types.is_bool_dtype(data[c]) for c in cols}
    longest = max((len(s) for c in cols for s in formatted[c]), default=0)
    if wide is None:
        wide = len(cols) > 6 or longest > 60
    esc = html.escape
    cls = {c: ' class="fb-num"' if numeric[c] else "" for c in cols}
    head = "".join(f'<th scope="col"{cls[c]}>{esc(headers.get(c, human_header(c)))}</th>' for c in cols)
    body = "".join(
        "<tr>" + "".join(f"<td{cls[c]}>{esc(formatted[c][i])}</td>" for c in cols) + "</tr>"
        for i in range(len(data)))
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    table = f'<table class="fb-table">{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    if wide:
        label = summary or (f"{caption} (table, {len(data)} rows)" if caption else f"Show the table ({len(data)} rows)")
        table = (f'<details class="fb-details"><summary>{esc(label)}</summary>'
                 f'<div class="fb-table-scroll">{table}</div></details>')
    else:
        table = f'<div class="fb-table-scroll">{table}</div>'
    return DisplayTable(table)
