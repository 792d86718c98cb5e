"""OECD regional statistics codebook (``regional_codebook.xlsx``, October 2022): reference.

Each dataset sheet (``reg-economic``, ``reg-labour``, ..., ``typology``) lists its
dimensions and then, for each dimension, a block: a title in column A (``VAR``, ``MEAS``,
``POS``, ``TL``, ...), a header row (``code | description_eng | description_fra | parent
| ... | order``; in ``typology`` the code column is headed ``typology``) and one row per
code until a blank row or the next title. Some cells are formulas; the workbook carries
their cached values, which are read (``data_only``).

Not read: the ``overall`` contents sheet and the hidden ``list-all-var`` sheet, which
repeats the VAR blocks.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pandera.pandas as pa

from ._validate import SourceFormatError, validate

SKIP_SHEETS = {"overall", "list-all-var"}
CODE_HEADERS = ("code", "typology")


def _text(v) -> str | None:
    if v is None:
        return None
    s = str(v).strip()
    return s or None


def read_codebook(path: str | Path) -> pd.DataFrame:
    """Codes and labels of the REGION_* datasets.

    Columns
        sheet     worksheet, e.g. ``reg-economic`` (str)
        block     the dimension the code belongs to (block title in column A, e.g. ``VAR``,
                  ``MEAS``, ``TL``) (str)
        code      the code as text (numbers such as TL levels 1, 2, 3 become "1", "2", "3")
        label     English description, leading indentation removed (str)
        label_fr  French description (str, may be missing)

    Checks: at least one block per dataset sheet; no block without codes; no code without
    an English label; (sheet, block, code) unique.
    """
    path = Path(path)
    try:
        wb = openpyxl.load_workbook(path, data_only=True, read_only=True)
    except Exception as err:
        raise SourceFormatError(f"{path}: cannot read as an xlsx workbook ({type(err).__name__}: {err}).") from None
    records = []
    for ws in wb.worksheets:
        if ws.title in SKIP_SHEETS:
            continue
        rows = [[_text(v) for v in r] for r in ws.iter_rows(values_only=True)]
        block = None
        header = None  # (code_col, label_col, label_fr_col)
        n_blocks = 0
        n_codes_in_block = 0
        for i, r in enumerate(rows):
            r = r + [None] * 12
            if "description_eng" in r:
                if header is not None and n_codes_in_block == 0:
                    raise SourceFormatError(f"{path} [{ws.title}]: block {block} has no codes.")
                code_col = next((j for j, v in enumerate(r) if v in CODE_HEADERS and r[j + 1] == "description_eng"), None)
                if code_col is None:
                    raise SourceFormatError(f"{path} [{ws.title}] row {i + 1}: no code column before description_eng.")
                label_col = code_col + 1
                header = (code_col, label_col, label_col + 1 if r[label_col + 1] == "description_fra" else None)
                if block is None:
                    raise SourceFormatError(f"{path} [{ws.title}] row {i + 1}: code table without a block title.")
                n_blocks += 1
                n_codes_in_block = 0
                continue
            if r[0] is not None and not any(r[1:]):
                block, header = r[0], None if header is None else header
                if header is not None and n_codes_in_block:
                    header = None
                continue
            if r[0] is not None and header is None:
                block = r[0]
                continue
            if header is None:
                continue
            if not any(r):
                if n_codes_in_block:
                    header = None
                continue
            code_col, label_col, fr_col = header
            code = r[code_col]
            if code is None:
                continue
            if code.endswith(".0") and code[:-2].isdigit():
                code = code[:-2]
            label = r[label_col]
            if label is None:
                raise SourceFormatError(f"{path} [{ws.title}] row {i + 1}: code {code} has no English label.")
            records.append((ws.title, block, code, label, r[fr_col] if fr_col is not None else None))
            n_codes_in_block += 1
        if header is not None and n_codes_in_block == 0:
            raise SourceFormatError(f"{path} [{ws.title}]: block {block} has no codes.")
        if n_blocks == 0:
            raise SourceFormatError(f"{path} [{ws.title}]: no code tables found.")
    if not records:
        raise SourceFormatError(f"{path}: no codes.")
    out = pd.DataFrame(records, columns=["sheet", "block", "code", "label", "label_fr"])
    out["label_fr"] = out["label_fr"].astype("str").where(out["label_fr"].notna())
    schema = pa.DataFrameSchema(
        {"sheet": pa.Column(str), "block": pa.Column(str), "code": pa.Column(str), "label": pa.Column(str),
         "label_fr": pa.Column(str, nullable=True)},
        unique=["sheet", "block", "code"], strict=True, ordered=True)
    return validate(out, schema, path)
