"""The GISCO reader rejects malformed files; simplification keeps shared borders shared;
the maps draw one shape per region with the chosen year's values."""

from __future__ import annotations

import gzip
import json

import pandas as pd
import pytest
import shapely

from fiscalbook import charts, geo
from fiscalbook.figures import maps
from fiscalbook.readers import gisco
from fiscalbook.readers._validate import SourceFormatError


def _square(x0, y0, x1, y1):
    # clockwise exterior, as GISCO writes it
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x0, y1], [x1, y1], [x1, y0], [x0, y0]]]}


def _feature(nuts_id, geom, level=2):
    return {"type": "Feature", "geometry": geom,
            "properties": {"NUTS_ID": nuts_id, "LEVL_CODE": level, "CNTR_CODE": nuts_id[:2], "NAME_LATN": nuts_id}}


def _write(tmp_path, features, name="x.geojson.gz"):
    path = tmp_path / name
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        json.dump({"type": "FeatureCollection", "features": features}, fh)
    return path


def test_reader_reads_features(tmp_path):
    path = _write(tmp_path, [_feature("UKD3", _square(0, 0, 1, 1)), _feature("UKD4", _square(1, 0, 2, 1))])
    df = gisco.read_nuts(path, level=2)
    assert df["nuts_id"].tolist() == ["UKD3", "UKD4"]
    assert df["geometry"].iloc[0].area == pytest.approx(1.0)


@pytest.mark.parametrize("mutate, message", [
    (lambda f: f["properties"].pop("NUTS_ID"), "lacks"),
    (lambda f: f.__setitem__("geometry", {"type": "Point", "coordinates": [0, 0]}), "not a (Multi)Polygon"),
    (lambda f: f["properties"].__setitem__("LEVL_CODE", 1), "expected NUTS level 2"),
])
def test_reader_rejects_malformed_features(tmp_path, mutate, message):
    feat = _feature("UKD3", _square(0, 0, 1, 1))
    mutate(feat)
    with pytest.raises(SourceFormatError, match="x.geojson.gz") as err:
        gisco.read_nuts(_write(tmp_path, [feat]), level=2)
    assert message in str(err.value)


def test_reader_rejects_duplicate_ids_and_non_gzip(tmp_path):
    path = _write(tmp_path, [_feature("UKD3", _square(0, 0, 1, 1)), _feature("UKD3", _square(1, 0, 2, 1))])
    with pytest.raises(SourceFormatError, match="schema failure"):
        gisco.read_nuts(path)
    plain = tmp_path / "plain.geojson.gz"
    plain.write_text("{}", encoding="utf-8")
    with pytest.raises(SourceFormatError, match="not a gzip file"):
        gisco.read_nuts(plain)


def _wiggly_pair():
    """Two regions sharing a wiggly border (many vertices), plus a tiny island on the left."""
    border = [(1 + 0.01 * (i % 2), i / 50) for i in range(51)]
    left = shapely.Polygon([(0, 0), *border, (0, 1)])
    right = shapely.Polygon([(2, 0), *border, (2, 1)][::-1])
    island = shapely.box(-0.5, 0.5, -0.49, 0.51)
    return pd.DataFrame({"nuts_id": ["AA1", "AA2"], "geometry": [shapely.MultiPolygon([left, island]), right]})


def test_simplify_keeps_shared_borders_and_drops_islets():
    frame = _wiggly_pair()
    out = geo.simplify(frame, tolerance=0.05, min_part_area=0.001)
    a, b = out["geometry"]
    assert shapely.get_num_coordinates(a) < shapely.get_num_coordinates(frame["geometry"][0]) / 3
    assert a.geom_type == "Polygon"                                   # the islet is gone
    assert a.intersection(b).area == pytest.approx(0, abs=1e-9)       # no overlap
    assert a.union(b).area == pytest.approx(2.0, rel=0.02)            # and no gap opened
    assert frame["geometry"][0].geom_type == "MultiPolygon"           # input untouched


def test_geojson_rings_are_clockwise():
    frame = pd.DataFrame({"nuts_id": ["A"], "geometry": [shapely.box(0, 0, 1, 1)]})  # box is CCW
    (feat,) = geo.geojson_features(frame, ["nuts_id"])
    ring = shapely.LinearRing(feat["geometry"]["coordinates"][0])
    assert not ring.is_ccw
    assert feat["properties"] == {"nuts_id": "A"}


def test_uk_map_carries_every_year_once_per_region():
    regions = _wiggly_pair()
    rows = [dict(nuts_id=r, name=r, year=y, value=v, core_city=c, geometry=g)
            for (r, g), c in zip(regions.itertuples(index=False), ["Leeds", ""])
            for y, v in ((2020, 90.0), (2021, 110.0))]
    chart = maps.uk_productivity_map(pd.DataFrame(rows), 2021)
    charts.check_accessible(chart)
    spec = chart.to_dict()
    feats = spec["layer"][0]["data"]["values"] if "data" in spec["layer"][0] else spec["data"]["values"]
    assert [f["properties"]["y2021"] for f in feats] == [110.0, 110.0]
    assert {f["properties"]["core_city_label"] for f in feats} == {"Leeds", "—"}
    with pytest.raises(ValueError, match="not in the data"):
        maps.uk_productivity_map(pd.DataFrame(rows), 1999)


def test_book_renderer_keeps_map_geometry():
    """shrink_spec drops columns a spec never names; a geoshape uses `geometry` implicitly."""
    frame = pd.DataFrame({"nuts_id": ["A"], "name": ["A"], "geometry": [shapely.box(0, 0, 1, 1)],
                          "iso3": ["GBR"], "per_worker": [1.0], "rel_country": [100.0]})
    spec = charts.shrink_spec(maps.europe_per_worker_map(frame, 2019).to_dict())
    feats = spec["data"]["values"]
    assert feats[0]["geometry"]["type"] == "Polygon" and feats[0]["properties"]["rel_country"] == 100.0
