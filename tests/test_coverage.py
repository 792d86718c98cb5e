import pandas as pd

from fiscalbook.coverage import runs


def test_runs_collapse_consecutive_equal_counts_and_break_on_gaps_and_changes():
    df = pd.DataFrame({
        "iso3": ["GBR"] * 5 + ["FRA"] * 2,
        "year": [2000, 2001, 2002, 2004, 2005, 2000, 2001],
        "n": [12, 12, 11, 11, 11, 13, 13],
    })
    out = runs(df)
    assert out.to_dict("records") == [
        {"iso3": "FRA", "start": 2000, "end": 2001, "n": 13},
        {"iso3": "GBR", "start": 2000, "end": 2001, "n": 12},
        {"iso3": "GBR", "start": 2002, "end": 2002, "n": 11},
        {"iso3": "GBR", "start": 2004, "end": 2005, "n": 11},
    ]
    # the runs cover exactly the input observations
    assert ((out["end"] - out["start"] + 1)).sum() == len(df)
