"""Readable regression tables: several fits side by side, the way a journal prints them.

    from fiscalbook import regtable
    cols = [regtable.column(fit1, "(1)", bootstrap=[wcb1]),
            regtable.column(fit2, "(2)", bootstrap=[wcb2])]
    regtable.regression_table(cols, terms={"dec": "Sub-national spending share"},
                              fe_labels={"iso3": "Country", "period": "Period"},
                              title="Regional inequality and decentralisation")

Each coefficient shows its estimate with stars (from the column's analytical p-value,
legend in the notes) and, beneath it, the standard error in parentheses (``stat="se"``) or
the confidence interval in brackets (``stat="ci"``). Where a wild cluster bootstrap was run
for a term, two more rows give its p-value and test-inversion interval. The bottom block
states fixed effects, observations, clusters, within R² and the SE type, so nothing needed
to read the table lives only in the prose. ``table_frame`` returns the same content as a
pandas DataFrame of strings (tested); ``regression_table`` renders it with great-tables.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from .estimation import Estimate, FitResult

STARS = ((0.01, "***"), (0.05, "**"), (0.10, "*"))
STAR_NOTE = "* p < 0.10, ** p < 0.05, *** p < 0.01 (analytical p-values)."


@dataclass
class Column:
    """One column of a regression table."""

    label: str
    estimates: dict[str, Estimate]
    n_obs: int | None = None
    n_clusters: int | None = None
    fe: tuple = ()
    se_type: str = ""
    r2_within: float | None = None
    bootstrap: dict[str, Estimate] = field(default_factory=dict)
    extra: dict[str, str] = field(default_factory=dict)


def column(result: FitResult | Sequence[Estimate], label: str, terms: Sequence[str] | None = None,
           bootstrap: Sequence[Estimate] | Estimate | None = None,
           extra: Mapping[str, str] | None = None) -> Column:
    """A table column from a FitResult (all or the listed terms) or from Estimates.

    ``bootstrap``: wild-bootstrap Estimates of terms in this column (their p and CI are shown
    under the analytical SE). ``extra``: further footer rows, e.g. {"Controls": "Yes"}.
    """
    if isinstance(bootstrap, Estimate):
        bootstrap = [bootstrap]
    boot = {e.term: e for e in (bootstrap or [])}
    if isinstance(result, FitResult):
        names = list(terms) if terms is not None else list(result.coef.index)
        ests = {t: result.estimate(t) for t in names}
        col = Column(label=label, estimates=ests, n_obs=result.n_obs,
                     n_clusters=result.n_clusters, fe=tuple(result.fe), se_type=result.se_type,
                     r2_within=result.r2_within)
    else:
        ests = {e.term: e for e in result}
        if terms is not None:
            ests = {t: ests[t] for t in terms}
        first = next(iter(ests.values()), None)
        spec = first.spec if first is not None else {}
        col = Column(label=label, estimates=ests,
                     n_obs=first.n_obs if first else None,
                     n_clusters=first.n_clusters if first else None,
                     fe=tuple(spec.get("fe", ())), se_type=spec.get("se_type", ""))
    col.bootstrap = boot
    col.extra = dict(extra or {})
    return col


def stars(p: float) -> str:
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return ""
    for cut, mark in STARS:
        if p < cut:
            return mark
    return ""


def _fmt(x, digits):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    return f"{x:.{digits}f}".replace("-", "−")


def table_frame(columns: Sequence[Column], terms: Mapping[str, str] | Sequence[str] | None = None,
                fe_labels: Mapping[str, str] | None = None, stat: str = "se",
                show_stars: bool = True, digits: int = 3) -> pd.DataFrame:
    """The table as strings: index (block, row label), one column per Column.

    ``terms``: which coefficients to show, in order, optionally with display labels
    ({term: label}); default all terms of all columns in first-seen order.
    """
    if stat not in ("se", "ci"):
        raise ValueError("stat must be 'se' or 'ci'")
    if len({c.label for c in columns}) != len(columns):
        raise ValueError("column labels must be unique")
    if terms is None:
        order = list(dict.fromkeys(t for c in columns for t in c.estimates))
        terms = {t: t for t in order}
    elif not isinstance(terms, Mapping):
        terms = {t: t for t in terms}
    fe_labels = dict(fe_labels or {})
    rows: list[tuple[str, str, dict]] = []
    any_boot = any(c.bootstrap for c in columns)
    for term, lab in terms.items():
        coef, second, bp, bci = {}, {}, {}, {}
        for c in columns:
            e = c.estimates.get(term)
            if e is None:
                continue
            coef[c.label] = _fmt(e.coef, digits) + (stars(e.p) if show_stars else "")
            if stat == "se":
                second[c.label] = f"({_fmt(e.se, digits)})"
            else:
                second[c.label] = f"[{_fmt(e.ci_low, digits)}, {_fmt(e.ci_high, digits)}]"
            b = c.bootstrap.get(term)
            if b is not None:
                bp[c.label] = _fmt(b.p, digits)
                if not math.isnan(b.ci_low):
                    bci[c.label] = f"[{_fmt(b.ci_low, digits)}, {_fmt(b.ci_high, digits)}]"
        rows.append(("Coefficients", lab, coef))
        rows.append(("Coefficients", f"{lab} — {'SE' if stat == 'se' else 'CI'}", second))
        if any_boot and bp:
            rows.append(("Coefficients", f"{lab} — wild bootstrap p", bp))
            if bci:
                rows.append(("Coefficients", f"{lab} — wild bootstrap CI", bci))
    all_fe = list(dict.fromkeys(f for c in columns for f in c.fe))
    for f in all_fe:
        rows.append(("Specification", f"{fe_labels.get(f, f)} fixed effects",
                     {c.label: "Yes" if f in c.fe else "No" for c in columns}))
    extra_keys = list(dict.fromkeys(k for c in columns for k in c.extra))
    for k in extra_keys:
        rows.append(("Specification", k, {c.label: c.extra.get(k, "") for c in columns}))
    rows.append(("Specification", "Observations",
                 {c.label: "" if c.n_obs is None else f"{c.n_obs:,}" for c in columns}))
    if any(c.n_clusters for c in columns):
        rows.append(("Specification", "Clusters",
                     {c.label: "" if not c.n_clusters else str(c.n_clusters) for c in columns}))
    if any(c.r2_within is not None for c in columns):
        rows.append(("Specification", "Within R²",
                     {c.label: _fmt(c.r2_within, digits) for c in columns}))
    rows.append(("Specification", "Standard errors", {c.label: c.se_type for c in columns}))
    out = pd.DataFrame([r[2] for r in rows], columns=[c.label for c in columns]).fillna("")
    out.index = pd.MultiIndex.from_tuples([(r[0], r[1]) for r in rows], names=["block", "row"])
    return out


def regression_table(columns: Sequence[Column], terms=None, fe_labels=None, stat: str = "se",
                     show_stars: bool = True, digits: int = 3, title: str = "",
                     subtitle: str = "", notes: Sequence[str] = (), table_id: str | None = None):
    """A great-tables GT object (renders as self-contained HTML in the book).

    SE rows are shown without a repeated label; the notes always state the SE type(s), the
    star legend and what the bootstrap rows mean. ``table_id`` fixes the HTML id (default:
    derived from the title) so rebuilds produce identical pages.
    """
    import great_tables as gt

    frame = table_frame(columns, terms=terms, fe_labels=fe_labels, stat=stat,
                        show_stars=show_stars, digits=digits)
    se_types = list(dict.fromkeys(c.se_type for c in columns if c.se_type))
    df = frame.reset_index()

    def shown(label: str) -> str:
        if " — " not in label:
            return label
        tail = label.split(" — ", 1)[1]
        return "" if tail in ("SE", "CI") else f"  {tail}"

    df["row"] = df["row"].map(shown)
    # great-tables needs unique stub labels only for display; keep them as plain text
    table_id = table_id or "rt-" + hashlib.sha1((title or repr(frame.index.tolist())).encode()).hexdigest()[:10]
    g = gt.GT(df, rowname_col="row", groupname_col="block", id=table_id)
    if title:
        g = g.tab_header(title=title, subtitle=subtitle or None)
    g = g.cols_align(align="center", columns=[c.label for c in columns])
    legend = []
    if show_stars:
        legend.append(STAR_NOTE)
    legend.append(("Standard errors in parentheses" if stat == "se" else "95% confidence intervals in brackets")
                  + (": " + "; ".join(se_types) + "." if se_types else "."))
    if any(c.bootstrap for c in columns):
        legend.append("Wild bootstrap rows: restricted wild cluster bootstrap (WCR11) p-value "
                      "for H0: coefficient = 0, and 95% interval by test inversion.")
    for note in [*legend, *notes]:
        g = g.tab_source_note(note)
    return g
