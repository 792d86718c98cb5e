"""Eurostat GISCO NUTS 2016 region boundaries (``NUTS_RG_01M_2016_4326_LEVL_n.geojson.gz``).

A gzipped GeoJSON FeatureCollection in WGS84; each feature's properties carry NUTS_ID,
LEVL_CODE, CNTR_CODE and NAME_LATN, its geometry is a Polygon or MultiPolygon. The files
are drawn at 1:1 million, far finer than a web map needs: `fiscalbook.geo` simplifies them.
"""

from __future__ import annotations

import gzip
import json
import zlib
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
import shapely

from ._validate import SourceFormatError, validate

PROPERTIES = ("NUTS_ID", "LEVL_CODE", "CNTR_CODE", "NAME_LATN")

SCHEMA = pa.DataFrameSchema(
    {
        "nuts_id": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{2}[0-9A-Z]{0,3}$"), unique=True),
        "level": pa.Column(int, pa.Check.isin([0, 1, 2, 3])),
        "country": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{2}$")),
        "name": pa.Column(str, pa.Check.str_length(min_value=1)),
        "geometry": pa.Column(object),
    },
    strict=True,
)


def read_nuts(path: str | Path, level: int | None = None) -> pd.DataFrame:
    """Regions, one row each: nuts_id, level (int), country (two-letter NUTS code, UK for
    the United Kingdom, EL for Greece), name, geometry (a valid shapely Polygon or
    MultiPolygon). If `level` is given, every feature must be at that level."""
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, EOFError, zlib.error) as err:
        raise SourceFormatError(f"{path}: not a gzip file ({err}).") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise SourceFormatError(f"{path}: not valid GeoJSON text ({err}).") from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not data.get("features"):
        raise SourceFormatError(f"{path}: not a non-empty GeoJSON FeatureCollection.")
    rows = []
    for i, feat in enumerate(data["features"]):
        props = feat.get("properties") or {}
        missing = [p for p in PROPERTIES if p not in props]
        if missing:
            raise SourceFormatError(f"{path}: feature {i} lacks propert(ies) {missing}.")
        geom = feat.get("geometry") or {}
        if geom.get("type") not in ("Polygon", "MultiPolygon"):
            raise SourceFormatError(f"{path}: feature {props['NUTS_ID']} has geometry type "
                                    f"{geom.get('type')!r}, not a (Multi)Polygon.")
        try:
            shape = shapely.geometry.shape(geom)
        except (ValueError, TypeError, IndexError) as err:
            raise SourceFormatError(f"{path}: feature {props['NUTS_ID']}: unreadable geometry ({err}).") from None
        if shape.is_empty:
            raise SourceFormatError(f"{path}: feature {props['NUTS_ID']} has an empty geometry.")
        rows.append({"nuts_id": str(props["NUTS_ID"]), "level": int(props["LEVL_CODE"]),
                     "country": str(props["CNTR_CODE"]), "name": str(props["NAME_LATN"]),
                     "geometry": shapely.make_valid(shape) if not shape.is_valid else shape})
    df = validate(pd.DataFrame(rows), SCHEMA, path)
    if level is not None and (df["level"] != level).any():
        bad = df.loc[df["level"] != level, "nuts_id"].head(3).tolist()
        raise SourceFormatError(f"{path}: expected NUTS level {level} only; found e.g. {bad}.")
    return df.reset_index(drop=True)
