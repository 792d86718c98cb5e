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

Productivity comes first (issue 12): H2 is decided on GDP per worker, one measure per
geography (unmerged TL3; TL2, where the upper/lower-half gap is one more variant), the UK
counting as extreme on a geography when it is in the most unequal quarter on most of that
geography's variants; GDP per head is the second measure (sensitivity). H3's headline is the
lower half's ln GDP per worker and H4's the per-worker upper/lower-half log gap (country and
year FE, 32 countries 2001–2020) on the IMF tax share; the implied effect closes half the
UK's per-worker gap when its tax share moves to the OECD median. The GDP-per-head models are
the second outcome.

Speed (H6 "quickly") uses the same logic on the UK's own devolution deals: the staggered
DiD's effect on log GVA per hour five years after a deal (randomisation-inference interval)
against half the combined authorities' gap within a parliament; "cannot be tested" with
fewer than MIN_EVENTS treated authorities (then the OECD reform event study is used, with
the same minimum). A "supported" also needs the other designs (Scotland, Wales and Greater
Manchester synthetic controls, the OECD reform event study, the convergence-speed slope) to
back it in at least SPEC_SHARE of cases.

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

    from .analyses import devolution, productivity

    curve = robustness.curve()
    return dict(ctx=uk_context.headline(), h6=timing.headline(), effects=headlines.compute(),
                prod=productivity.headline(), dev=devolution.headline(),
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


H2_CLAIM = "The UK's regional productivity gaps are unusually wide"


def h2_geography(prod: dict, level: str, peer: bool = False, gap: bool = True) -> dict:
    """The UK's ranks on one geography's GDP-per-worker dispersion variants (index, weighting,
    sample; at TL2 also the upper/lower-half gap unless `gap` is False): how many put it in
    the most unequal quarter. `peer`: ranks among large high-income economies."""
    suf = "_peer_rank" if peer else "_rank"
    ranks = []
    for k, r in prod.items():
        if not (k.startswith(f"{level}_") and k.endswith(suf)) or (not peer and k.endswith("_peer_rank")):
            continue
        n = prod.get(k[: -len(suf)] + ("_peer_n" if peer else "_n"))
        if n is not None:
            ranks.append((int(r), int(n)))
    if level == "tl2" and gap:
        ranks.append((int(prod["gap_peer_rank" if peer else "gap_rank"]), int(prod["gap_peer_n" if peer else "gap_n"])))
    if not ranks:
        raise ValueError(f"no ranks for {level}")
    k = sum(in_extreme_quarter(r, n) for r, n in ranks)
    return {"k": k, "m": len(ranks), "extreme": k > len(ranks) / 2, "rank_min": min(r for r, _ in ranks),
            "rank_max": max(r for r, _ in ranks), "n_max": max(n for _, n in ranks)}


def h2_productivity(prod: dict, peer: bool = False, gap_as_measure: bool = False) -> dict:
    """Productivity premise: one measure per geography (TL3, TL2), or the half gap as a third."""
    geo = {"tl3": h2_geography(prod, "tl3", peer), "tl2": h2_geography(prod, "tl2", peer, gap=not gap_as_measure)}
    if gap_as_measure:
        r, n = (int(prod["gap_peer_rank"]), int(prod["gap_peer_n"])) if peer else (int(prod["gap_rank"]), int(prod["gap_n"]))
        geo["gap"] = {"k": int(in_extreme_quarter(r, n)), "m": 1, "extreme": in_extreme_quarter(r, n),
                      "rank_min": r, "rank_max": r, "n_max": n}
    k = sum(g["extreme"] for g in geo.values())
    return {"geo": geo, "k": k, "m": len(geo), "share": k / len(geo)}


def decide_h2_gdp_per_head(inp: dict) -> Row:
    ctx = inp["ctx"]
    share = ctx["h2_n_top_quarter"] / ctx["h2_n_variants"]
    return Row("H2", H2_CLAIM, rank_verdict(share),
               f"GDP per head: most-unequal quarter on {ctx['h2_n_top_quarter']} of {ctx['h2_n_variants']} index variants "
               f"(ranks {ctx['h2_rank_min']}–{ctx['h2_rank_max']}); above the OECD median on {ctx['h2_n_above_median']}",
               estimate=share, unit="share of disparity variants in the most unequal quarter")


def decide_h2(inp: dict, peer: bool = False, gap_as_measure: bool = False) -> Row:
    """Productivity first: GDP per worker, one measure per geography; GDP per head second."""
    pr, p = h2_productivity(inp["prod"], peer, gap_as_measure), inp["prod"]
    t3, t2 = pr["geo"]["tl3"], pr["geo"]["tl2"]
    second = decide_h2_gdp_per_head(inp).verdict
    r3 = f"rank {t3['rank_min']}" if t3["rank_min"] == t3["rank_max"] else f"ranks {t3['rank_min']}–{t3['rank_max']}"
    text = (f"GDP per worker, {p['year']}: across small (TL3) regions the UK is in the most unequal quarter on {t3['k']} "
            f"of {t3['m']} variants ({r3} of up to {t3['n_max']}); across TL2 regions on {t2['k']} of "
            f"{t2['m']} (ranks {t2['rank_min']}–{t2['rank_max']}; upper/lower-half gap rank {p['gap_rank']} of {p['gap_n']}). "
            f"GDP per head (second measure): {second}")
    return Row("H2", H2_CLAIM, rank_verdict(pr["share"]), text, estimate=pr["share"],
               unit="share of productivity geographies (TL3, TL2) with the UK in the most unequal quarter")


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


PROD_UNITS = {"H3": "log GDP per worker of the lower half of regions per unit of the tax share",
              "H4": "log upper/lower-half gap in GDP per worker per unit of the tax share"}
PROD_PREFIX = {"H3": "h3_{s}_log_lower", "H4": "h4_{s}_fe"}


def _decide_prod(h: str, inp: dict, level: int = LEVEL, implied_factor: float = 1.0, spec_share: float = SPEC_SHARE,
                 s: str = "tax") -> Row:
    """H3/H4 on productivity (the first measure): country and year FE on the tax share, the
    lower half's ln GDP per worker (H3) or the per-worker log gap (H4), wild-bootstrap
    interval, judged against the effect that closes half the UK's per-worker gap."""
    p = inp["prod"]
    pre = PROD_PREFIX[h].format(s=s)
    implied = p.get(f"h3_{s}_log_lower_implied" if h == "H3" else f"h4_{s}_implied")
    if f"{pre}_coef" not in p or implied is None:
        return Row(h, CLAIMS[h], UNTESTABLE, "no productivity estimate")
    lo, hi = ((p[f"{pre}_boot_ci_low"], p[f"{pre}_boot_ci_high"]) if level == 95
              else (p[f"{pre}_boot90_low"], p[f"{pre}_boot90_high"]))
    sign = 1 if h == "H3" else -1
    v = effect_verdict(lo, hi, implied_factor * implied, sign, inp["shares"][h]["share_sig_for"],
                       p[f"h4_{s}_fe_n_changing"], spec_share=spec_share)
    mv, gap = p[f"h4_{s}_move"], p["uk_gap_log"]
    f = lambda x: f"{100 * x * mv:+.1f}"  # noqa: E731  slope -> log points for the UK's move
    what = "the lower half's GDP per worker" if h == "H3" else "the upper/lower-half gap in GDP per worker"
    text = (f"UK tax share to the OECD median: {what} {f(p[f'{pre}_coef'])} log points [{f(lo)}, {f(hi)}]; "
            f"halving the UK's {100 * gap:.1f}-log-point gap needs {f(implied_factor * implied)}")
    return Row(h, CLAIMS[h], v, text, p[f"{pre}_coef"], lo, hi, implied_factor * implied, PROD_UNITS[h],
               p[f"{pre}_boot_p"], p.get(f"{pre}_ri_p", np.nan))


def decide_h3(inp: dict) -> Row:
    r = _decide_prod("H3", inp)
    r.headline += f". GDP per head (second measure): {_decide_effect('H3', inp).verdict}"
    return r


def decide_h4(inp: dict) -> Row:
    r = _decide_prod("H4", inp)
    r.headline += f". GDP per head (second measure): {_decide_effect('H4', inp).verdict}"
    return r


def decide_h5(inp: dict) -> Row:
    return _decide_effect("H5", inp)


H6_CLAIM = "…and quickly (within a parliament)"


def h6_corroboration(dev: dict, h6: dict) -> dict:
    """The other speed designs, each counted 'for' when it shows a significant effect in the
    claim's direction: Scotland, Wales and Greater Manchester synthetic controls (gap > 0,
    permutation p ≤ 0.10), the OECD reform event study (interval above zero), the
    cross-country convergence-speed slope on autonomy (interval above zero)."""
    tests = {"scotland": dev["scot_gap"] > 0 and dev["scot_p"] <= 0.10,
             "wales": dev["wales_gap"] > 0 and dev["wales_p"] <= 0.10,
             "greater_manchester": dev["gm_gap"] > 0 and dev["gm_p"] <= 0.10,
             "oecd_reforms": h6["fa_rel_e5_lo"] > 0,
             "convergence": dev["conv_speed_slope_lo"] > 0}
    return {"n_for": sum(tests.values()), "n": len(tests), "share_sig_for": sum(tests.values()) / len(tests), **tests}


def decide_h6(inp: dict, source: str = "uk", implied_factor: float = 1.0, horizon: int = 5,
              outcome: str = "hour") -> Row:
    """'Quickly', measured where it happened: the UK deals' staggered DiD at +5 (RI interval)
    against half the combined authorities' GVA-per-hour gap within a parliament; the OECD
    reform event study when the UK design is untestable or when asked (`source='oecd'`)."""
    h6 = inp["h6"]
    if source == "uk":
        dev = inp["dev"]
        share = h6_corroboration(dev, h6)["share_sig_for"]
        if outcome == "job":
            key, lab = "job_e5", "GVA per filled job"
        elif horizon == 3:
            key, lab = "mayor_e3", "dated from the first mayor"
        else:
            key, lab = "e5", "GVA per hour"
        e, lo, hi = dev[key], dev[f"{key}_lo"], dev[f"{key}_hi"]
        implied = implied_factor * dev["required"] * horizon / 5
        n = dev["n_authorities"]
        if n >= MIN_EVENTS:
            v = effect_verdict(lo, hi, implied, 1, share)
            text = (f"{n} combined-authority deals ({dev['n_treated_regions']} ITL3 regions), {lab}: "
                    f"{e:+.1f} log points {horizon} years on [{lo:+.1f}, {hi:+.1f}] (randomisation interval); half the "
                    f"authorities' gap within a parliament needs {implied:+.1f}. Scotland {dev['scot_gap']:+.1f} "
                    f"(p = {dev['scot_p']:.2f}), Greater Manchester {dev['gm_gap']:+.1f} (p = {dev['gm_p']:.2f}) "
                    f"vs synthetic controls; OECD reforms (2 countries) {h6['fa_rel_e5']:+.1f}")
            return Row("H6", H6_CLAIM, v, text, e, lo, hi, implied,
                       f"log points ({lab}), {horizon} years after a deal", np.nan,
                       dev.get(f"{key}_p", np.nan))
    n = h6["fa_rel_n_treated"]
    implied = implied_factor * h6["required_lagging_gap"]
    v = speed_verdict(h6["fa_rel_e5_lo"], h6["fa_rel_e5_hi"], implied, n)
    return Row("H6", H6_CLAIM, v,
               f"{n} reforming OECD countries (the rule needs {MIN_EVENTS}); five years after a reform, lagging "
               f"regions {h6['fa_rel_e5']:+.1f} log points [{h6['fa_rel_e5_lo']:+.1f}, {h6['fa_rel_e5_hi']:+.1f}]",
               h6["fa_rel_e5"], h6["fa_rel_e5_lo"], h6["fa_rel_e5_hi"], implied,
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
    """Every verdict under other reasonable thresholds: interval level, implied-effect size,
    the specification-curve share a 'supported' needs, the outcome (productivity first, GDP
    per head second), the headline measure and estimate, H2's counting and peer group, H6's
    design. Blank where a row does not apply."""
    from .analyses.headlines import LABEL, MEASURES

    def row(name, h2="", h3="", h4="", h5="", h6=""):
        return {"Thresholds": name, "H2": h2, "H3": h3, "H4": h4, "H5": h5, "H6": h6}

    def v(f, *a, **k):
        return f(*a, **k).verdict

    rows = [row("Rule as stated (productivity first, 95 %, implied effect = half the gap, curve share 0.5, tax share)",
                v(decide_h2, inp), v(_decide_prod, "H3", inp), v(_decide_prod, "H4", inp),
                v(_decide_effect, "H5", inp), v(decide_h6, inp))]
    for name, kw, h6kw in (("90 % interval", dict(level=90), None),
                           ("Implied effect halved (a quarter of the gap)", dict(implied_factor=0.5), dict(implied_factor=0.5)),
                           ("Implied effect doubled (the whole gap)", dict(implied_factor=2.0), dict(implied_factor=2.0)),
                           ("Curve share for 'supported' 0.25", dict(spec_share=0.25), None),
                           ("Curve share for 'supported' 0.75", dict(spec_share=0.75), None)):
        rows.append(row(name, "", v(_decide_prod, "H3", inp, **kw), v(_decide_prod, "H4", inp, **kw),
                        v(_decide_effect, "H5", inp, **kw), v(decide_h6, inp, **h6kw) if h6kw else ""))
    rows.append(row("Outcome: GDP per head (second measure), tax share", v(decide_h2_gdp_per_head, inp),
                    v(_decide_effect, "H3", inp), v(_decide_effect, "H4", inp)))
    rows += [row(f"GDP per head, headline measure: {LABEL[m]}", "", v(_decide_effect, "H3", inp, measure=m),
                 v(_decide_effect, "H4", inp, measure=m), v(_decide_effect, "H5", inp, measure=m))
             for m in MEASURES if m != PRIMARY]
    rows.append(row("GDP per head, tax share × lagging regions (H3 as gap-closing)",
                    h3=v(_decide_effect, "H3", inp, variant="lagging")))
    rows.append(row("GDP per head, without capital regions (H4)", h4=v(_decide_effect, "H4", inp, variant="no_capital")))
    rows.append(row("H2: the upper/lower-half gap counted as a third measure", v(decide_h2, inp, gap_as_measure=True)))
    rows.append(row("H2: large high-income peers only", v(decide_h2, inp, peer=True)))
    rows.append(row("H6: dated from the first mayor, +3 years (three fifths of the benchmark)",
                    h6=v(decide_h6, inp, horizon=3)))
    rows.append(row("H6: GVA per filled job", h6=v(decide_h6, inp, outcome="job")))
    rows.append(row("H6: OECD reform event study (two countries)", h6=v(decide_h6, inp, source="oecd")))
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
    out.update(productivity_values(inp))
    out.update(devolution_values(inp))
    return {k: v for k, v in out.items() if isinstance(v, str) or np.isfinite(v)}


def productivity_values(inp: dict) -> dict:
    """H2–H4 productivity numbers the chapter quotes (keys pw_*), in UK terms where useful."""
    p = inp["prod"]
    pr = h2_productivity(p)
    t3, t2 = pr["geo"]["tl3"], pr["geo"]["tl2"]
    out = {"pw_year": p["year"], "pw_h2_k": pr["k"], "pw_h2_m": pr["m"], "pw_tl3_k": t3["k"], "pw_tl3_m": t3["m"],
           "pw_tl3_n": t3["n_max"], "pw_tl3_rank_max": t3["rank_max"], "pw_tl2_k": t2["k"], "pw_tl2_m": t2["m"],
           "pw_tl2_rank_min": t2["rank_min"], "pw_tl2_rank_max": t2["rank_max"], "pw_tl2_n": t2["n_max"],
           "h2_gdp_verdict": decide_h2_gdp_per_head(inp).verdict,
           "h3_gdp_verdict": _decide_effect("H3", inp).verdict, "h4_gdp_verdict": _decide_effect("H4", inp).verdict}
    for k in ("tl3_all_cv_uw_uk", "tl3_all_cv_uw_median", "tl3_all_cv_ew_uk", "tl3_all_cv_uw_peer_rank",
              "tl3_all_cv_uw_peer_n", "tl2_all_cv_uw_uk", "tl2_all_cv_uw_rank", "tl2_all_cv_uw_n", "tl2_all_cv_uw_median",
              "gap_uk_pct", "gap_median_pct", "gap_rank", "gap_n", "gap_peer_rank", "gap_peer_n",
              "h4_tax_measure_year", "h4_tax_fe_n_changing", "h4_tax_fe_n_countries", "h4_gap_first_year",
              "h4_gap_last_year"):
        out[f"pw_{k}"] = p[k]
    mv, gap = p["h4_tax_move"], p["uk_gap_log"]
    out.update(pw_uk_gap_lp=100 * gap, pw_required_lp=100 * p["h4_tax_required_log"], pw_move_pct=100 * mv,
               pw_tax_uk_pct=100 * p["h4_tax_uk_measure"], pw_tax_median_pct=100 * p["h4_tax_median_measure"])
    for h, pre in (("h3", "h3_tax_log_lower"), ("h4", "h4_tax_fe")):
        imp = p["h3_tax_log_lower_implied" if h == "h3" else "h4_tax_implied"]
        out.update({f"pw_{h}_coef": p[f"{pre}_coef"], f"pw_{h}_lo": p[f"{pre}_boot_ci_low"],
                    f"pw_{h}_hi": p[f"{pre}_boot_ci_high"], f"pw_{h}_p": p[f"{pre}_boot_p"],
                    f"pw_{h}_ri_p": p[f"{pre}_ri_p"], f"pw_{h}_implied": imp,
                    f"pw_{h}_uk_lp": 100 * p[f"{pre}_coef"] * mv, f"pw_{h}_uk_lo": 100 * p[f"{pre}_boot_ci_low"] * mv,
                    f"pw_{h}_uk_hi": 100 * p[f"{pre}_boot_ci_high"] * mv})
    out.update(pw_h4_ri_p_shift=p["h4_tax_fe_ri_p_shift"], pw_h4_pct=-p["h4_tax_cf_median_pct_of_gap"],
               pw_h4_pct_lo=-p["h4_tax_cf_median_pct_high"], pw_h4_pct_hi=-p["h4_tax_cf_median_pct_low"],
               pw_h4_pooled_coef=p["h4_tax_pooled_coef"], pw_h4_pooled_p=p["h4_tax_pooled_boot_p"],
               pw_h4_long_coef=p["h4_tax_long_diff_coef"], pw_h4_long_p=p["h4_tax_long_diff_boot_p"],
               pw_h4_long_n=p["h4_tax_long_diff_n_countries"], pw_long_first=p["long_diff_first"],
               pw_long_last=p["long_diff_last"], pw_h4_rfa_coef=p["h4_rfa_fe_coef"], pw_h4_rfa_p=p["h4_rfa_fe_boot_p"],
               pw_h4_rfa_ri_p=p["h4_rfa_fe_ri_p"],
               pw_h3_upper_coef=p["h3_tax_log_upper_coef"], pw_h3_upper_p=p["h3_tax_log_upper_boot_p"],
               pw_h3_tl3_coef=p["h3_tax_h3_tl3_coef"], pw_h3_tl3_p=p["h3_tax_h3_tl3_boot_p"],
               pw_h3_tl3_n=p["h3_tax_h3_tl3_n_countries"], pw_h3_tl3_rfa_coef=p["h3_rfa_h3_tl3_coef"],
               pw_h3_tl3_rfa_p=p["h3_rfa_h3_tl3_boot_p"])
    return out


def devolution_values(inp: dict) -> dict:
    """H6 numbers from the devolution chapter's headline (keys dev_*)."""
    d = inp["dev"]
    keys = ("n_authorities", "n_treated_regions", "n_control_regions", "e3", "e3_lo", "e3_hi", "e5", "e5_lo", "e5_hi",
            "e5_p", "pre_p", "required", "ca_gap", "ca_gap_year", "mayor_e3", "mayor_e3_lo", "mayor_e3_hi",
            "job_e5", "job_e5_lo", "job_e5_hi", "scot_gap", "scot_p", "scot_year", "wales_gap", "wales_p",
            "wales_year", "gm_gap", "gm_p", "gm_rel_deal", "gm_rel_e5", "gm_year", "conv_n_countries",
            "conv_speed_slope", "conv_speed_slope_lo", "conv_speed_slope_hi", "conv_required_speed",
            "conv_median_half_life", "conv_n_faster_than_parliament", "conv_uk_speed", "conv_uk_speed_lo",
            "conv_uk_speed_hi")
    out = {f"dev_{k}": d[k] for k in keys}
    c = h6_corroboration(d, inp["h6"])
    h6 = inp["h6"]
    out.update(dev_n_for=c["n_for"], dev_n_designs=c["n"], h6_oecd_verdict=decide_h6(inp, source="oecd").verdict,
               h6_oecd_e5=h6["fa_rel_e5"], h6_oecd_e5_lo=h6["fa_rel_e5_perm_lo"], h6_oecd_e5_hi=h6["fa_rel_e5_perm_hi"],
               h6_oecd_p=h6["fa_rel_e5_p_perm"])
    return out
