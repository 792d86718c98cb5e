"""Display tables: integers stay integers, at most three decimals (p-values aside), no
negative zero, human headers, no index column, wide tables folded."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from fiscalbook.figures.tables import display_table, format_column, human_header, p_text


def _cells(markup: str) -> list[str]:
    return re.findall(r"<td[^>]*>(.*?)</td>", markup)


def test_numbers_are_formatted_for_readers():
    assert format_column(pd.Series([17.0, 3.0]), "n_countries") == ["17", "3"]
    assert format_column(pd.Series([-1e-9, 1.234567]), "coef") == ["0.000", "1.235"]
    assert format_column(pd.Series([2.9e-17, 0.04321]), "wb_p") == ["< 0.001", "0.043"]
    assert format_column(pd.Series([2019.0, 2020.0]), "first_year") == ["2019", "2020"]
    assert format_column(pd.Series([45123.4, 87.6]), "gdp_per_head") == ["45,123", "88"]
    assert format_column(pd.Series([12.3456, float("nan")]), "x") == ["12.35", "–"]


def test_headers_are_human():
    assert human_header("n_countries") == "Countries"
    assert human_header("gdp_per_head_usd_ppp") == "GDP per head USD PPP"
    assert human_header("Already Human") == "Already Human"


def test_table_has_no_index_and_aligns_numbers_right():
    frame = pd.DataFrame({"country": ["UK", "FR"], "coef": [0.1234567, -0.0000001]}, index=[7, 9])
    markup = display_table(frame, caption="Two").html
    assert _cells(markup) == ["UK", "0.123", "FR", "0.000"]           # no index values 7, 9
    assert markup.count('<th scope="col"') == 2
    assert re.search(r'<td class="fb-num">0.123</td>', markup)
    assert "<details" not in markup


def test_no_cell_shows_more_than_three_decimals():
    frame = pd.DataFrame({"a": [0.123456789, 1 / 3], "b_p": [0.00012, 0.5], "c": [1e-12, -2.5e-7]})
    for cell in _cells(display_table(frame).html):
        m = re.search(r"\.(\d+)", cell)
        assert m is None or len(m.group(1)) <= 3, cell
        assert "e-" not in cell and cell != "-0.000"


def test_wide_tables_fold_and_empty_tables_fail():
    wide = pd.DataFrame({f"c{i}": [i] for i in range(8)})
    markup = display_table(wide, caption="Eight").html
    assert markup.startswith("<details") and "fb-table-scroll" in markup
    with pytest.raises(ValueError, match="empty"):
        display_table(pd.DataFrame())


def test_named_index_becomes_a_column():
    frame = pd.DataFrame({"version": ["1.0"]}, index=pd.Index(["altair"], name="package"))
    markup = display_table(frame).html
    assert _cells(markup) == ["altair", "1.0"] and "<th scope=\"col\">Package</th>" in markup


def test_p_text_never_uses_scientific_notation():
    assert p_text(2.9e-17) == "< 0.001"
    assert p_text(0.0449) == "0.045" and p_text(0.5, digits=2) == "0.50"
    assert "e" not in p_text(1e-4) + p_text(0.00123)
    with pytest.raises(ValueError, match="not a p-value"):
        p_text(1.5)
