import pytest

from fiscalbook.verdict import (MIXED, NOT_SUPPORTED, SUPPORTED, UNTESTABLE, effect_verdict,
                                in_extreme_quarter, rank_verdict, speed_verdict)


def test_rank_rules():
    assert rank_verdict(5 / 7) == SUPPORTED
    assert rank_verdict(2 / 3) == SUPPORTED
    assert rank_verdict(0.5) == MIXED
    assert rank_verdict(1 / 3) == NOT_SUPPORTED
    with pytest.raises(ValueError):
        rank_verdict(1.2)


def test_extreme_quarter_uses_the_ceiling():
    assert in_extreme_quarter(10, 37) and not in_extreme_quarter(11, 37)
    assert in_extreme_quarter(1, 3) and not in_extreme_quarter(2, 3)
    with pytest.raises(ValueError):
        in_extreme_quarter(0, 10)


def test_effect_rules_respect_the_claims_direction():
    # productivity (claim +): interval above zero and robust
    assert effect_verdict(0.01, 0.05, +1, 0.6) == SUPPORTED
    # disparity (claim -): interval below zero and robust
    assert effect_verdict(-0.05, -0.01, -1, 0.6) == SUPPORTED
    # the same interval is against the claim when the claim is +
    assert effect_verdict(-0.05, -0.01, +1, 0.0) == NOT_SUPPORTED
    # null headline, little robustness
    assert effect_verdict(-0.02, 0.03, +1, 0.1) == NOT_SUPPORTED
    # null headline but many specifications significant: mixed
    assert effect_verdict(-0.02, 0.03, +1, 0.4) == MIXED
    # significant headline but fragile
    assert effect_verdict(0.01, 0.05, +1, 0.2) == MIXED


def test_speed_rules():
    assert speed_verdict(0.06, 0.02, 0.10, implied=0.05, n_events=8) == SUPPORTED
    assert speed_verdict(0.0, -0.02, 0.02, implied=0.05, n_events=8) == NOT_SUPPORTED
    assert speed_verdict(0.02, -0.05, 0.09, implied=0.05, n_events=8) == MIXED
    assert speed_verdict(0.06, 0.02, 0.10, implied=0.05, n_events=2) == UNTESTABLE
