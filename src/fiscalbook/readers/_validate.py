"""Shared schema checking for the readers (pandera underneath)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaError, SchemaErrors


class SourceFormatError(ValueError):
    """A source file is not in the shape its reader expects; the message names file and fault."""


def validate(df: pd.DataFrame, schema: pa.DataFrameSchema, source: str | Path) -> pd.DataFrame:
    """Validate lazily and raise one SourceFormatError that lists every failure."""
    try:
        return schema.validate(df, lazy=True)
    except SchemaErrors as err:
        cases = err.failure_cases
        summary = "; ".join(
            f"{r.check} on {r.column} (e.g. {r.failure_case!r})"
            for r in cases.drop_duplicates(["column", "check"]).head(8).itertuples()
        )
        raise SourceFormatError(f"{source}: {len(cases)} schema failure(s): {summary}") from None
    except SchemaError as err:
        raise SourceFormatError(f"{source}: {err}") from None


def require_columns(df: pd.DataFrame, columns, source: str | Path) -> None:
    """Fail early, naming the missing columns, before any reshaping."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise SourceFormatError(f"{source}: missing column(s) {missing}; found {list(df.columns)[:20]}")


def read_text_csv(path: str | Path, encoding: str, **kwargs) -> pd.DataFrame:
    """pandas.read_csv with encoding and parse errors turned into SourceFormatError."""
    try:
        return pd.read_csv(path, encoding=encoding, **kwargs)
    except UnicodeDecodeError as err:
        raise SourceFormatError(f"{path}: not valid {encoding} text ({err.reason} at byte {err.start}).") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise SourceFormatError(f"{path}: malformed CSV ({err}).") from None
