"""The scorecard: one verdict per part of the Core Cities claim.

These rules were written in December 2026, after the chapters' estimates had been seen (an
earlier version of this scorecard judged effects only by whether an interval included
zero). They are stated here so a reader can check them and rerun them under other
thresholds (`sensitivity`), not because they predate the results.

Five verdicts: supported, mixed, inconclusive, not supported, cannot be tested.

Premises about the UK (H1 centralised, H2 unequal) are judged by ranks: the share of
independent measures on which the UK is in the most extreme quarter of OECD countries
(rank ≤ N/4, the definition of `uk_context.in_extreme_quarter`). At least two thirds:
supported; at most one third: not supported; between: mixed. H1 counts each independent
measure once (VFI and transfer dependence are one measure; the three nested RAI scores are
one) and is decided on the local state, the claim's subject; the regional tier is
reported beside it.

Effects (H3 productivity, H4 disparity, H5 second-tier cities) are judged on the
headline estimate's wild-bootstrap interval against zero AND against the smallest effect
the claim implies (the coefficient at which the UK moving to the OECD median on the
measure closes half of the UK gap the hypothesis is about; `analyses.headlines`):
    not supported  the interval lies wholly against the claim (significant against it), or
                   it holds zero but excludes the implied effect (equivalence-style: the
                   data rule out an effect as large as the claim needs);
    inconclusive   the interval holds both zero and the implied effect;
    supported      the interval excludes zero in the claim's direction, reaches the
                   implied effect, and at least SPEC_SHARE of the specification curve is
                   significant in the claim's direction;
    mixed          the interval excludes zero in the claim's direction but either lies
                   below the implied effect (a real but smaller effect) or the
                   specification curve does not back it;
    cannot be tested  fewer than MIN_CHANGING countries change the measure, or no estimate.

Speed (H6 "quickly") uses the same logic on the five-year effect of a reform against the
effect needed to close half the lagging regions' gap in a parliament, and is "cannot be
tested" with fewer than MIN_EVENTS reforming countries.

Every hypothesis is decided by one function in DECIDERS taking the dict of inputs that
`gather()` assembles; replacing H2's or H6's decider (e.g. with a productivity or
devolution module's headline) is a one-line change there and in `gather`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from .memo import disk_memo

SUPPORTED, MIXED, INCONCLUSIVE, NOT_SUPPORTED, UNTESTABLE = (
    "supported", "mixed", "inconclusive", "not supported", "cannot be tested")
VERDICTS = (SUPPORTED, MIXED, INCONCLUSIVE, NOT_SUPPORTED, UNTESTABLE)
MIN_EVENTS = 5
MIN_CHANGING = 3
SPEC_SHARE = 0.5
LEVEL = 95
PRIMARY = "imf_tax_share"

COLUMNS = ["hypothesis", "claim_part", "verdict", "headline", "estimate", "ci_low", "ci_high",
           "implied_effect", "unit", "wb_p", "ri_p"]


def in_extreme_quarter(rank: int, n: int) -> bool:
    """Rank 1 = most extreme; the extreme quarter is rank ≤ N/4 (as in uk_context)."""
    if not 1 <= rank <= n:
        raise ValueError(f"rank {rank} outside 1..{n}")
    return rank <= n / 4


def rank_verdict(share_extreme: float) -> str:
    """Premise verdict from the share of measures with the UK in the extreme quarter."""
    if not 0 <= share_extreme <= 1:
        raise ValueError("share must lie in [0, 1]")
    if share_extreme >= 2 / 3:
        return SUPPORTED
    if share_extreme <= 1 / 3:
        return NOT_SUPPORTED
    return MIXED


def effect_verdict(ci_low: float, ci_high: float, implied: float, claim_sign: int,
                   share_sig_for: float = 0.0, n_changing: int | None = None,
                   spec_share: float = SPEC_SHARE, min_changing: int = MIN_CHANGING) -> str:
    """Effect verdict from the interval, the implied effect and the robustness share.

    `implied` is in the estimate's units (its sign is ignored: it is taken in the claim's
    direction); an unbounded interval end is passed as NaN or ±inf.
    """
    if claim_sign not in (1, -1):
        raise ValueError("claim_sign must be +1 or -1")
    if n_changing is not None and n_changing < min_changing:
        return UNTESTABLE
    lo, hi = (np.nan_to_num(ci_low, nan=-np.inf), np.nan_to_num(ci_high, nan=np.inf))
    lo, hi = sorted((lo * claim_sign, hi * claim_sign))
    m = abs(implied)
    if not np.isfinite(m) or m == 0:
        return UNTESTABLE
    if hi < 0:
        return NOT_SUPPORTED          # significant against the claim
    if lo > 0:
        return SUPPORTED if (hi >= m and share_sig_for >= spec_share) else MIXED
    return INCONCLUSIVE if hi >= m else NOT_SUPPORTED


def speed_verdict(ci_low: float, ci_high: float, implied: float, n_events: int, claim_sign: int = 1) -> str:
    """Verdict on 'quickly' from a five-year effect's interval and the implied size."""
    if n_events < MIN_EVENTS:
        return UNTESTABLE
    return effect_verdict(ci_low, ci_high, implied, claim_sign, share_sig_for=1.0)


# ------------------------------------------------------------------------- inputs


def gather() -> dict:
    """Every input the deciders use (the chapters' headline functions; heavy, memoised)."""
    from . import robustness, timing, uk_context
    from .analyses import headlines

    curve = robustness.curve()
    return dict(ctx=uk_context.headline(), h6=timing.headline(), effects=headlines.compute(),
                shares={"H3": robustness.shares(curve, ("region", "cross-section"), "wild_bootstrap"),
                        "H4": robustness.shares(curve, "country", "wild_bootstrap")})


def h5_share(effects: dict) -> dict:
    """H5's robustness share, by direction: of the headline measures' within-country
    estimates, the share significant (wild bootstrap, 5 %) for and against the claim."""
    from .analyses.headlines import MEASURES

    rs = [effects[("H5", m)] for m in MEASURES if "coef" in effects.get(("H5", m), {})]
    n = len(rs)
    return {"n": n, "share_sig_for": sum(r["coef"] > 0 and r["wb_p"] < 0.05 for r in rs) / max(n, 1),
            "share_sig_against": sum(r["coef"] < 0 and r["wb_p"] < 0.05 for r in rs) / max(n, 1)}


# ------------------------------------------------------------------------- deciders


@dataclass
class Row:
    hypothesis: str
    claim_part: str
    verdict: str
    headline: str
    estimate: float = np.nan
    ci_low: float = np.nan
    ci_high: float = np.nan
    implied_effect: float = np.nan
    unit: str = ""
    wb_p: float = np.nan
    ri_p: float = np.nan


# The independent centralisation measures, by tier (uk_context short names). VFI stands for
# VFI and transfer dependence (correlation 0.93); "rai" for the three nested RAI scores.
H1_LOCAL = ("tax", "spend", "vfi", "lai")
H1_REGIONAL = ("rai",)


def h1_counts(ctx: dict, keys) -> tuple[int, int, list[int]]:
    ks = [k for k in keys if f"{k}_rank" in ctx]
    ranks = [int(ctx[f"{k}_rank"]) for k in ks]
    top = sum(in_extreme_quarter(int(ctx[f"{k}_rank"]), int(ctx[f"{k}_n"])) for k in ks)
    return top, len(ks), ranks


def decide_h1(inp: dict) -> Row:
    ctx = inp["ctx"]
    k, m, ranks = h1_counts(ctx, H1_LOCAL)
    kr, mr, rr = h1_counts(ctx, H1_REGIONAL)
    v = rank_verdict(k / m)
    return Row("H1", "The UK's local state is unusually centralised", v,
               f"Local state: most-centralised quarter on {k} of {m} independent measures (ranks "
               f"{min(ranks)}–{max(ranks)}); regional tier (RAI): {kr} of {mr} (rank {rr[0] if rr else 'n/a'})",
               estimate=k / m, unit="share of independent local-state measures in the most centralised quarter")


def decide_h2(inp: dict) -> Row:
    ctx = inp["ctx"]
    share = ctx["h2_n_top_quarter"] / ctx["h2_n_variants"]
    return Row("H2", "The UK's regional productivity gaps are unusually wide", rank_verdict(share),
               f"Most-unequal quarter on {ctx['h2_n_top_quarter']} of {ctx['h2_n_variants']} index variants "
               f"(ranks {ctx['h2_rank_min']}–{ctx['h2_rank_max']}); above the OECD median on {ctx['h2_n_above_median']}",
               estimate=share, unit="share of disparity variants in the most unequal quarter")


CLAIMS = {"H3": "More local fiscal power raises regional productivity",
          "H4": "More local fiscal power narrows regional gaps",
          "H5": "Second-tier cities do better where local government has more fiscal power"}


def uk_sentence(h: str, r: dict, level: int = LEVEL) -> str:
    """The estimate in UK terms: what the UK's move on the measure does to its gap."""
    from .analyses.headlines import LABEL

    lo, hi = r[f"uk_lo{level}"], r[f"uk_hi{level}"]
    move = f"UK {LABEL[r['measure']]} {r['uk_move_kind'].split(' (')[0]}"
    if h == "H3":
        f = lambda v: f"{100 * v:+.1f}"  # noqa: E731  log -> log points
        return (f"{move}: regional GDP per head {f(r['uk_change'])} log points "
                f"[{f(lo)}, {f(hi)}]; closing half the lagging regions' gap needs {100 * r['required_uk']:+.1f}")
    if h == "H4":
        return (f"{move}: CV of regional GDP per head {r['uk_change']:+.3f} "
                f"[{lo:+.3f}, {hi:+.3f}]; halving the UK's gaps needs {-r['required_uk']:+.3f}")
    return (f"{move}: second-tier metros {r['uk_change']:+.1f} pp of national GDP per "
            f"head [{lo:+.1f}, {hi:+.1f}]; closing half the gap to peers needs {r['required_uk']:+.1f}")


def _decide_effect(h: str, inp: dict, measure: str = PRIMARY, level: int = LEVEL, implied_factor: float = 1.0,
                   spec_share: float = SPEC_SHARE, variant: str | None = None) -> Row:
    """One effect hypothesis under the rule; `variant` picks an alternative estimate of the
    same measure ("lagging": H3's gap-closing interaction; "no_capital": H4 without capital
    regions), judged against the same implied effect."""
    from .analyses.headlines import CLAIM_SIGN, UNITS

    r = inp["effects"].get((h, measure), {})
    if "coef" not in r or (variant is not None and variant not in r):
        return Row(h, CLAIMS[h], UNTESTABLE, f"no estimate ({r.get('error', 'no data')})")
    e = r if variant is None else r[variant]
    shares = inp["shares"].get(h) or h5_share(inp["effects"])
    v = effect_verdict(e[f"lo{level}"], e[f"hi{level}"], implied_factor * r["implied"], CLAIM_SIGN[h],
                       shares["share_sig_for"], r["n_changing"], spec_share=spec_share)
    text = uk_sentence(h, r, level) if variant is None else f"{variant}: {e['coef']:.3f} [{e[f'lo{level}']:.3f}, {e[f'hi{level}']:.3f}]"
    return Row(h, CLAIMS[h], v, text, e["coef"], e[f"lo{level}"], e[f"hi{level}"],
               implied_factor * r["implied"], UNITS[h], e["wb_p"], e.get("ri_p_permute", np.nan))


def decide_h3(inp: dict) -> Row:
    return _decide_effect("H3", inp)


def decide_h4(inp: dict) -> Row:
    return _decide_effect("H4", inp)


def decide_h5(inp: dict) -> Row:
    return _decide_effect("H5", inp)


def decide_h6(inp: dict) -> Row:
    h6 = inp["h6"]
    n = h6["fa_rel_n_treated"]
    v = speed_verdict(h6["fa_rel_e5_lo"], h6["fa_rel_e5_hi"], h6["required_lagging_gap"], n)
    return Row("H6", "…and quickly (within a parliament)", v,
               f"{n} reforming countries (the rule needs {MIN_EVENTS}); five years after a reform, lagging regions "
               f"{h6['fa_rel_e5']:+.1f} log points [{h6['fa_rel_e5_lo']:+.1f}, {h6['fa_rel_e5_hi']:+.1f}]; "
               f"Greater Manchester {h6['manchester_e5_logpoints']:+.1f} log points vs its synthetic control "
               f"(half its gap: {h6['required_manchester_gap']:.1f})",
               h6["fa_rel_e5"], h6["fa_rel_e5_lo"], h6["fa_rel_e5_hi"], h6["required_lagging_gap"],
               "log points of lagging regions' GDP per head, five years after a reform",
               np.nan, h6.get("fa_rel_e5_p_perm", np.nan))


DECIDERS = {"H1": decide_h1, "H2": decide_h2, "H3": decide_h3, "H4": decide_h4, "H5": decide_h5,
            "H6": decide_h6}


def frame(inp: dict, deciders: dict = DECIDERS) -> pd.DataFrame:
    """The scorecard from given inputs (pure: used by the tests with synthetic inputs)."""
    rows = [asdict(deciders[h](inp)) for h in sorted(deciders)]
    out = pd.DataFrame(rows, columns=COLUMNS)
    if not out["verdict"].isin(VERDICTS).all():
        raise ValueError("a decider returned an unknown verdict")
    return out


@disk_memo
def _scorecard_and_inputs() -> tuple[pd.DataFrame, dict]:
    inp = gather()
    return frame(inp), inp


def scorecard_frame() -> pd.DataFrame:
    """One row per hypothesis H1–H6 (COLUMNS), memoised on disk: the verdict chapter and
    the landing page read it without recomputing the chapters' models."""
    return _scorecard_and_inputs()[0].copy()


def inputs() -> dict:
    """The inputs behind scorecard_frame() (same memo)."""
    return _scorecard_and_inputs()[1]


# ------------------------------------------------------------------------- sensitivity


def sensitivity(inp: dict) -> pd.DataFrame:
    """H3–H5 verdicts under other reasonable thresholds: interval level, implied-effect
    size, the specification-curve share a 'supported' needs, and the headline measure."""
    from .analyses.headlines import LABEL, MEASURES

    variants = [("Rule as stated (95 %, implied effect, curve share 0.5, tax share)", {}),
                ("90 % interval", dict(level=90)),
                ("Implied effect halved (a quarter of the gap)", dict(implied_factor=0.5)),
                ("Implied effect doubled (the whole gap)", dict(implied_factor=2.0)),
                ("Curve share for 'supported' 0.25", dict(spec_share=0.25)),
                ("Curve share for 'supported' 0.75", dict(spec_share=0.75))]
    variants += [(f"Headline measure: {LABEL[m]}", dict(measure=m)) for m in MEASURES if m != PRIMARY]
    rows = []
    for name, kw in variants:
        rows.append({"Thresholds": name, **{h: _decide_effect(h, inp, **kw).verdict for h in ("H3", "H4", "H5")}})
    rows.append({"Thresholds": "Estimate: tax share × lagging regions (H3 as gap-closing)",
                 "H3": _decide_effect("H3", inp, variant="lagging").verdict, "H4": "", "H5": ""})
    rows.append({"Thresholds": "Estimate: without capital regions (H4)",
                 "H3": "", "H4": _decide_effect("H4", inp, variant="no_capital").verdict, "H5": ""})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------- numbers for the prose


def glue_values(card: pd.DataFrame, inp: dict) -> dict:
    """Flat {key: value} (without the chapter prefix) of everything the verdict chapter
    quotes; non-finite numbers are left out (the prose never quotes a missing number)."""
    from .analyses import headlines

    out: dict = {}
    for _, r in card.iterrows():
        k = r["hypothesis"].lower()
        out[f"{k}_verdict"] = r["verdict"]
        for f in ("estimate", "ci_low", "ci_high", "implied_effect", "wb_p", "ri_p"):
            out[f"{k}_{f}"] = r[f]
    eff = inp["effects"]
    out.update(headlines.headline(eff))
    g = eff["gaps"]
    out.update(share_pct=100 * g["share"], gap_year=g["year"], lagging_gap_lp=-g["lagging_gap_lp"],
               uk_cv=g["uk_cv"], uk_cv_year=g["uk_cv_year"], uk_st=g["uk_st"], peers_st=g["peers_st"],
               st_gap_pp=g["peers_st"] - g["uk_st"])
    t = eff[("H3", PRIMARY)]
    out.update(tax_uk_pct=100 * t["uk_value"], tax_median_pct=100 * t["oecd_median"], tax_year=t["uk_year"],
               tax_move_pct=100 * t["uk_move"], tax_sd_h5=eff["sd_h5"][PRIMARY] * 100,
               tax_move_sd_h5=eff[("H5", PRIMARY)]["move_scale"])
    for h in ("H3", "H4", "H5"):
        r = eff[(h, PRIMARY)]
        out[f"{h.lower()}_required_uk"] = r["required_uk"] * (100 if h == "H3" else 1)
    # UK terms in log points (H3) for the headline, the gap-closing form and own-spending;
    # the H4 CV change without capitals
    lp = {"uk_lp": (t["coef"], t["lo95"], t["hi95"], t["move_scale"]),
          "lag_uk_lp": (t["lagging"]["coef"], t["lagging"]["lo95"], t["lagging"]["hi95"], t["move_scale"])}
    sp = eff.get(("H3", "imf_own_spending_share"), {})
    if "coef" in sp:
        lp["spend_uk_lp"] = (sp["coef"], sp["lo95"], sp["hi95"], sp["move_scale"])
    for key, (c, lo, hi, mv) in lp.items():
        out[f"h3_{key}"], out[f"h3_{key}_lo"], out[f"h3_{key}_hi"] = 100 * c * mv, 100 * lo * mv, 100 * hi * mv
    nc = eff[("H4", PRIMARY)]["no_capital"]
    mv = eff[("H4", PRIMARY)]["move_scale"]
    out.update(h4_nocap_uk=nc["coef"] * mv, h4_nocap_uk_lo=nc["lo95"] * mv, h4_nocap_uk_hi=nc["hi95"] * mv)
    ctx = inp["ctx"]
    k, m, ranks = h1_counts(ctx, H1_LOCAL)
    kr, mr, rr = h1_counts(ctx, H1_REGIONAL)
    out.update(h1_k=k, h1_m=m, h1_rank_best=min(ranks), h1_rank_worst=max(ranks), h1_reg_k=kr, h1_reg_m=mr,
               h1_rai_rank=rr[0], h1_rai_n=ctx["rai_n"], h1_rfa_rank=ctx["rfa_rank"], h1_rfa_n=ctx["rfa_n"],
               h1_spend_rank=ctx["spend_rank"], h1_spend_n=ctx["spend_n"])
    out.update(h2_k=ctx["h2_n_top_quarter"], h2_m=ctx["h2_n_variants"], h2_rank_best=ctx["h2_rank_min"],
               h2_rank_worst=ctx["h2_rank_max"], h2_above_median=ctx["h2_n_above_median"])
    for h in ("H3", "H4"):
        s = inp["shares"][h]
        out.update({f"{h.lower()}_curve_for": 100 * s["share_sig_for"],
                    f"{h.lower()}_curve_against": 100 * s["share_sig_against"], f"{h.lower()}_curve_n": s["n"]})
    h6 = inp["h6"]
    out.update(h6_n_events=h6["fa_rel_n_treated"], h6_manchester_lp=h6["manchester_e5_logpoints"],
               h6_manchester_p=h6["manchester_2014_all_p"], h6_manchester_required=h6["required_manchester_gap"],
               min_events=MIN_EVENTS, min_changing=MIN_CHANGING)
    return {k: v for k, v in out.items() if isinstance(v, str) or np.isfinite(v)}
