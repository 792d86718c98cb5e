"""The scorecard: one verdict per part of the Core Cities claim, by rules written down
before looking at which verdict they give.

Verdicts: "supported", "mixed", "not supported", "cannot be tested with these data".

Rules
-----
Premises about the UK (H1 centralised, H2 unequal) are judged by ranks: the share of
measures on which the UK is in the extreme quarter of OECD countries (most centralised,
most unequal). At least two thirds: supported; at most one third: not supported; between:
mixed.

Effects (H3 productivity, H4 disparity, H5 second-tier cities) are judged on the headline
estimate's wild-bootstrap interval and on robustness (the share of specifications that are
significant at 5 % in the claim's direction):
    supported      the interval excludes zero in the claim's direction AND at least half of
                   the robustness specifications are significant that way;
    not supported  the interval includes zero (or excludes it against the claim) AND fewer
                   than a quarter of the robustness specifications are significant the
                   claim's way;
    mixed          anything else.

Speed (H6 "quickly") needs an effect that shows up within a parliament (five years) and
is as large as the claim implies:
    supported      the five-year effect's interval excludes zero in the claim's direction
                   and its point estimate reaches the implied size;
    not supported  the interval excludes the implied size (the data rule out an effect that
                   large) and no significant effect in the claim's direction;
    cannot be tested  fewer than MIN_EVENTS reforms to learn from;
    mixed          otherwise (e.g. too imprecise to rule the implied size in or out).
"""

from __future__ import annotations

import pandas as pd

SUPPORTED, MIXED, NOT_SUPPORTED, UNTESTABLE = (
    "supported", "mixed", "not supported", "cannot be tested with these data")
MIN_EVENTS = 5


def rank_verdict(share_extreme: float) -> str:
    """Premise verdict from the share of measures with the UK in the extreme quarter."""
    if not 0 <= share_extreme <= 1:
        raise ValueError("share must lie in [0, 1]")
    if share_extreme >= 2 / 3:
        return SUPPORTED
    if share_extreme <= 1 / 3:
        return NOT_SUPPORTED
    return MIXED


def in_extreme_quarter(rank: int, n: int) -> bool:
    """Rank 1 = most extreme; the top quarter is ranks 1..ceil(n/4)."""
    if not 1 <= rank <= n:
        raise ValueError(f"rank {rank} outside 1..{n}")
    return rank <= -(-n // 4)


def effect_verdict(ci_low: float, ci_high: float, claim_sign: int, share_sig_for: float) -> str:
    """Effect verdict from the headline interval and the robustness share."""
    if claim_sign not in (1, -1):
        raise ValueError("claim_sign must be +1 or -1")
    lo, hi = sorted((ci_low * claim_sign, ci_high * claim_sign))  # in the claim's direction
    excludes_zero_for = lo > 0
    if excludes_zero_for and share_sig_for >= 0.5:
        return SUPPORTED
    if not excludes_zero_for and share_sig_for < 0.25:
        return NOT_SUPPORTED
    return MIXED


def speed_verdict(effect: float, ci_low: float, ci_high: float, implied: float, n_events: int,
                  claim_sign: int = 1) -> str:
    """Verdict on 'quickly' from a five-year effect, its interval and the implied size."""
    if n_events < MIN_EVENTS:
        return UNTESTABLE
    e, (lo, hi), target = effect * claim_sign, sorted((ci_low * claim_sign, ci_high * claim_sign)), abs(implied)
    if lo > 0 and e >= target:
        return SUPPORTED
    if hi < target and not lo > 0:
        return NOT_SUPPORTED
    return MIXED


# ------------------------------------------------------------------------- the scorecard

def _rank_range(ctx: dict, prefixes) -> tuple[int, int]:
    ranks = [ctx[f"{p}_rank"] for p in prefixes if f"{p}_rank" in ctx]
    return int(min(ranks)), int(max(ranks))


H1_MEASURES = ("tax", "spend", "vfi", "transfer", "rfa", "rsr", "rai", "lai")


def scorecard(ctx: dict, h3: dict, h4: dict, h5: dict, h6: dict, prod: dict, disp: dict) -> tuple[pd.DataFrame, dict]:
    """One row per part of the claim, and the numbers behind each (for glue).

    ctx, h3, h4, h5, h6: the headline() dicts of uk_context, regions, country_disparity,
    cities and timing; prod, disp: robustness.shares() of the productivity and disparity
    specifications (wild bootstrap).
    """
    nums: dict = {}
    rows = []

    # H1 -------------------------------------------------------------------------------
    share1 = ctx["h1_n_top_quarter"] / ctx["h1_n_measures"]
    lo1, hi1 = _rank_range(ctx, H1_MEASURES)
    nums.update(h1_share=100 * share1, h1_k=ctx["h1_n_top_quarter"], h1_m=ctx["h1_n_measures"],
                h1_rank_best=lo1, h1_rank_worst=hi1, h1_verdict=rank_verdict(share1))
    rows.append(("H1", "The UK is unusually centralised",
                 f"Most-centralised quarter on {ctx['h1_n_top_quarter']} of {ctx['h1_n_measures']} measures",
                 f"ranks {lo1}–{hi1} (1 = most centralised)",
                 f"{100 * share1:.0f} % of measures", rank_verdict(share1)))

    # H2 -------------------------------------------------------------------------------
    share2 = ctx["h2_n_top_quarter"] / ctx["h2_n_variants"]
    nums.update(h2_share=100 * share2, h2_k=ctx["h2_n_top_quarter"], h2_m=ctx["h2_n_variants"],
                h2_rank_best=ctx["h2_rank_min"], h2_rank_worst=ctx["h2_rank_max"],
                h2_above_median=ctx["h2_n_above_median"], h2_verdict=rank_verdict(share2))
    rows.append(("H2", "The UK's regional productivity gaps are unusually wide",
                 f"Most-unequal quarter on {ctx['h2_n_top_quarter']} of {ctx['h2_n_variants']} index variants (2019)",
                 f"ranks {ctx['h2_rank_min']}–{ctx['h2_rank_max']} (1 = most unequal)",
                 f"{100 * share2:.0f} % of variants", rank_verdict(share2)))

    # H3, H4 -------------------------------------------------------------------------------
    m = "rai_fiscal_autonomy"
    for key, part, h, shares, sign, unit in (
            ("h3", "More local fiscal autonomy raises regional productivity", h3, prod, +1,
             "log GDP per head per RAI point"),
            ("h4", "More local fiscal autonomy narrows regional gaps", h4, disp, -1,
             "CV of GDP per head per RAI point")):
        v = effect_verdict(h[f"{m}_boot_ci_low"], h[f"{m}_boot_ci_high"], sign, shares["share_sig_for"])
        nums.update({f"{key}_coef": h[f"{m}_coef"], f"{key}_lo": h[f"{m}_boot_ci_low"],
                     f"{key}_hi": h[f"{m}_boot_ci_high"], f"{key}_p": h[f"{m}_boot_p"],
                     f"{key}_n": h[f"{m}_n_countries"], f"{key}_share_for": 100 * shares["share_sig_for"],
                     f"{key}_share_against": 100 * shares["share_sig_against"], f"{key}_verdict": v})
        rows.append((key.upper(), part,
                     f"{h[f'{m}_coef']:.3f} {unit} ({h[f'{m}_n_countries']} countries)",
                     f"[{h[f'{m}_boot_ci_low']:.3f}, {h[f'{m}_boot_ci_high']:.3f}], bootstrap p = {h[f'{m}_boot_p']:.2f}",
                     f"{100 * shares['share_sig_for']:.0f} % of {shares['n']} specifications significant as claimed",
                     v))

    # H5 -------------------------------------------------------------------------------
    # Robustness for H5 is across the autonomy measures: none significant -> share 0; if some
    # interval excludes zero the headline only tells us "some", so take the neutral 0.5.
    share5 = 0.0 if h5["xs_all_span_zero"] else 0.5
    v5 = effect_verdict(h5["xs_boot_low"], h5["xs_boot_high"], +1, share5)
    nums.update(h5_coef=h5["xs_coef"], h5_lo=h5["xs_boot_low"], h5_hi=h5["xs_boot_high"], h5_n=h5["xs_n"],
                h5_uk_st=h5["uk_st_national"], h5_peers_st=h5["others_median_st_national"],
                h5_wi_p=h5["wi_wb_p"], h5_verdict=v5)
    rows.append(("H5", "Second-tier cities do better where local government has more fiscal autonomy",
                 f"{h5['xs_coef']:.2f} pp of national GDP per head per SD of RAI fiscal autonomy ({h5['xs_n']} countries)",
                 f"[{h5['xs_boot_low']:.2f}, {h5['xs_boot_high']:.2f}] (pairs bootstrap); within countries wild-bootstrap p = {h5['wi_wb_p']:.2f}",
                 "no measure's interval excludes zero" if h5["xs_all_span_zero"] else "some intervals exclude zero",
                 v5))

    # H6 -------------------------------------------------------------------------------
    n_events = h6["fa_rel_n_treated"]
    v6 = speed_verdict(h6["fa_rel_e5"], h6["fa_rel_e5_lo"], h6["fa_rel_e5_hi"], h6["required_lagging_gap"], n_events)
    nums.update(h6_effect=h6["fa_rel_e5"], h6_lo=h6["fa_rel_e5_lo"], h6_hi=h6["fa_rel_e5_hi"],
                h6_required=h6["required_lagging_gap"], h6_n_events=n_events,
                h6_manchester_gap=h6["manchester_2014_all_gap_h_pct"], h6_manchester_p=h6["manchester_2014_all_p"],
                h6_manchester_required=h6["required_manchester_gap"], h6_verdict=v6)
    rows.append(("H6", "…and quickly (within a parliament)",
                 f"Fiscal-autonomy reforms: {n_events} reforming countries with TL2 data; "
                 f"Greater Manchester: {h6['manchester_2014_all_gap_h_pct']:+.1f} % vs synthetic control five years on",
                 f"Manchester permutation p = {h6['manchester_2014_all_p']:.2f}; implied by the claim: "
                 f"+{h6['required_manchester_gap']:.1f} (Manchester), +{h6['required_lagging_gap']:.1f} pp (lagging regions)",
                 f"{n_events} reforming countries (the rule needs {MIN_EVENTS}); one city case", v6))

    table = pd.DataFrame(rows, columns=["", "Part of the claim", "Key estimate", "Interval", "Robustness", "Verdict"])
    return table, nums
