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
