"""The devolution events reference table: the committed file reads, malformed copies are refused
with a clear error, and the analysis maps it onto the ONS ITL3 regions as documented."""

from pathlib import Path

import pandas as pd
import pytest

from fiscalbook.readers._validate import SourceFormatError
from fiscalbook.readers.reference import read_devolution_events

ROOT = Path(__file__).resolve().parents[1]
REF = ROOT / "data" / "reference" / "uk_devolution_events.csv"


def _write(tmp_path, df: pd.DataFrame) -> Path:
    p = tmp_path / "events.csv"
    df.to_csv(p, index=False)
    return p


@pytest.fixture
def raw() -> pd.DataFrame:
    return pd.read_csv(REF, dtype=str, keep_default_na=False)


def test_committed_table_reads(raw):
    d = read_devolution_events(REF)
    assert len(d) == len(raw) and d["id"].is_unique
    gm = d.set_index("id").loc["greater_manchester"]
    assert gm["deal_date"] == pd.Timestamp("2014-11-03") and gm["itl3_codes"] == ("TLD33", "TLD34", "TLD35", "TLD36", "TLD37")
    assert set(d["kind"]) == {"gla", "mayoral_ca", "devolved_tax"}


def test_every_source_is_in_references_bib():
    d = read_devolution_events(REF)
    bib = (ROOT / "references.bib").read_text(encoding="utf-8")
    missing = [k for k in d["source"].unique() if "{" + k + "," not in bib]
    assert not missing


@pytest.mark.parametrize("column, row, value, message", [
    ("deal_date", 1, "2014-13-03", "not a YYYY-MM-DD date"),
    ("deal_date", 1, "3 Nov 2014", "not a YYYY-MM-DD date"),
    ("itl3_codes", 1, "TLD33;UKD34", "not an ITL3 code"),
    ("itl3_codes", 1, "TLD33;TLM82", "outside England"),
    ("itl3_partial", 1, "TLD33", "both whole and partial"),
    ("itl3_partial", 2, "TLD35", "partial_regions_need_drop_partial"),
    ("kind", 1, "city_deal", "isin"),
    ("effective_date", 14, "", "tax_instrument_has_effective_date"),
    ("itl3_codes", 3, "", "at_least_one_itl3_code"),
    ("id", 2, "greater_manchester", "unique"),
])
def test_bad_input_is_refused(tmp_path, raw, column, row, value, message):
    bad = raw.copy()
    bad.loc[row, column] = value
    with pytest.raises(SourceFormatError, match=message):
        read_devolution_events(_write(tmp_path, bad))


def test_authority_without_any_date_is_refused(tmp_path, raw):
    bad = raw.copy()
    bad.loc[2, ["deal_date", "body_established"]] = ""
    with pytest.raises(SourceFormatError, match="authority_has_deal_or_body_date"):
        read_devolution_events(_write(tmp_path, bad))


def test_missing_and_extra_columns_are_refused(tmp_path, raw):
    with pytest.raises(SourceFormatError, match="missing column"):
        read_devolution_events(_write(tmp_path, raw.drop(columns="source")))
    with pytest.raises(SourceFormatError, match="unexpected column"):
        read_devolution_events(_write(tmp_path, raw.assign(extra="x")))


def test_empty_file_is_refused(tmp_path, raw):
    with pytest.raises(SourceFormatError, match="no rows"):
        read_devolution_events(_write(tmp_path, raw.iloc[0:0]))


def test_real_region_groups():
    """On the real ONS data: the treated, straddling and control regions as documented."""
    from fiscalbook.analyses import devolution as dv

    st = dv.region_status().set_index("itl_code")
    assert st.loc[["TLK12", "TLC22"], "group"].eq("partial").all()
    assert st.loc[["TLD33", "TLG31", "TLE42"], "group"].eq("treated").all()
    assert st.loc["TLI31", "group"] == "london" and st.loc["TLM82", "group"] == "devolved"
    assert st.loc["TLE22", "group"] == "control"  # York and North Yorkshire: mayor only in 2024
    assert (st["group"] == "treated").sum() == 29
    assert st.loc[st["group"] == "treated", "authority"].nunique() == 9


def test_real_headline_is_flat_and_complete():
    """The verdict chapter's contract: plain values, every number the issue asks for."""
    from fiscalbook.analyses import devolution as dv

    h = dv.headline()
    need = ["n_authorities", "n_treated_regions", "e3", "e3_lo", "e3_hi", "e5", "e5_lo", "e5_hi", "pre_p",
            "scot_gap", "scot_p", "gm_rel_deal", "gm_rel_e5", "conv_speed_slope", "conv_speed_slope_lo",
            "conv_speed_slope_hi", "conv_hl_slope", "required", "h6_proposal"]
    assert not [k for k in need if k not in h]
    assert all(type(v) in (int, float, bool, str) for v in h.values())
    assert h["e3_lo"] <= h["e3"] <= h["e3_hi"] and h["e5_lo"] <= h["e5"] <= h["e5_hi"]
    assert h["h6_proposal"] in ("supported", "mixed", "not supported")
    assert 0 < h["scot_p"] <= 1 and h["scot_p"] >= 1 / h["scot_n_units"]


def test_analysis_options_are_checked():
    from fiscalbook.analyses import devolution as dv

    with pytest.raises(ValueError, match="partial"):
        dv.did_panel(partial="keep")
    with pytest.raises(ValueError, match="TL2"):
        dv.convergence("TL1")
    treat = dv.did_panel(partial="treat").drop_duplicates("region").set_index("region")
    assert treat.loc["TLK12", "authority"] == "west_of_england" and treat.loc["TLC22", "cohort"] == 2017
