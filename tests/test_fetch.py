"""The resolver: cache -> snapshot -> producer download, checksum verified every time.

Downloads are tested against a loopback HTTP server: success, 404, checksum mismatch
(a new vintage) and timeout.
"""

from __future__ import annotations

import hashlib
import http.server
import threading
import time
from pathlib import Path

import pytest

from fiscalbook import fetch
from fiscalbook.catalog import Entry, load_catalog
from fiscalbook.fetch import DataFileError, resolve

PAYLOAD = b"REG_ID,TIME,GDP\nUKI,2019,1\n"
NEW_VINTAGE = b"REG_ID,TIME,GDP\nUKI,2019,2\n"
SHA = hashlib.sha256(PAYLOAD).hexdigest()


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server API)
        if self.path == "/good.csv":
            body = PAYLOAD
        elif self.path == "/changed.csv":
            body = NEW_VINTAGE
        elif self.path == "/slow.csv":
            time.sleep(3)
            body = PAYLOAD
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def make_entry(download=None, sha=SHA) -> Entry:
    return Entry(id="toy", file="oecd/toy.csv", sha256=sha, producer="Test producer", title="Toy table",
                 citation="k", licence="CC BY 4.0", url="https://producer.example/toy", vintage="2023",
                 download=download)


@pytest.fixture
def dirs(tmp_path):
    cache, snap = tmp_path / "cache", tmp_path / "snapshot"
    cache.mkdir()
    (snap / "oecd").mkdir(parents=True)
    return cache, snap


def test_snapshot_file_is_found_and_verified(dirs):
    cache, snap = dirs
    (snap / "oecd" / "toy.csv").write_bytes(PAYLOAD)
    assert resolve(make_entry(), cache=cache, snapshot=snap) == snap / "oecd" / "toy.csv"


def test_cache_wins_over_snapshot(dirs):
    cache, snap = dirs
    (cache / "oecd__toy.csv").write_bytes(PAYLOAD)
    (snap / "oecd" / "toy.csv").write_bytes(b"something else")
    assert resolve(make_entry(), cache=cache, snapshot=snap) == cache / "oecd__toy.csv"


@pytest.mark.parametrize("content, where", [(PAYLOAD[:10], "truncated"), (PAYLOAD.replace(b"1", b"9"), "altered")])
def test_truncated_or_altered_snapshot_file_stops_with_a_clear_error(dirs, content, where):
    cache, snap = dirs
    (snap / "oecd" / "toy.csv").write_bytes(content)
    with pytest.raises(DataFileError) as err:
        resolve(make_entry(), cache=cache, snapshot=snap)
    msg = str(err.value)
    assert "oecd/toy.csv" in msg and SHA in msg and "truncated or altered" in msg
    assert "https://producer.example/toy" in msg  # what to do: get the original


def test_altered_cache_file_says_delete_it(dirs):
    cache, snap = dirs
    (cache / "oecd__toy.csv").write_bytes(b"junk")
    with pytest.raises(DataFileError, match="delete it"):
        resolve(make_entry(), cache=cache, snapshot=snap)


def test_missing_everywhere_names_every_place_tried(dirs):
    cache, snap = dirs
    with pytest.raises(DataFileError) as err:
        resolve(make_entry(), cache=cache, snapshot=snap)
    msg = str(err.value)
    assert str(cache / "oecd__toy.csv") in msg
    assert str(snap / "oecd" / "toy.csv") in msg
    assert "FISCALBOOK_SNAPSHOT" in msg and "no direct file" in msg


def test_download_succeeds_verifies_and_caches(dirs, server):
    cache, snap = dirs
    path = resolve(make_entry(f"{server}/good.csv"), cache=cache, snapshot=snap)
    assert path.read_bytes() == PAYLOAD and path.parent == cache
    # second call is served from the cache, even with the server URL broken
    assert resolve(make_entry(f"{server}/gone.csv"), cache=cache, snapshot=snap) == path


def test_download_404_is_reported_with_places_tried(dirs, server):
    cache, snap = dirs
    with pytest.raises(DataFileError) as err:
        resolve(make_entry(f"{server}/gone.csv"), cache=cache, snapshot=snap)
    assert "404" in str(err.value) and "gone.csv" in str(err.value)
    assert not any(cache.iterdir())


def test_download_with_new_checksum_is_refused_as_new_vintage(dirs, server):
    cache, snap = dirs
    with pytest.raises(DataFileError) as err:
        resolve(make_entry(f"{server}/changed.csv"), cache=cache, snapshot=snap)
    msg = str(err.value)
    assert "new vintage" in msg and "--accept-new-vintage toy" in msg
    assert not (cache / "oecd__toy.csv").exists()  # the mismatching file is not kept


def test_download_timeout_is_reported(dirs, server):
    cache, snap = dirs
    start = time.perf_counter()
    with pytest.raises(DataFileError, match="Timeout|timed out"):
        resolve(make_entry(f"{server}/slow.csv"), cache=cache, snapshot=snap, timeout=0.5)
    assert time.perf_counter() - start < 3


def test_accept_new_vintage_rewrites_only_that_hash(tmp_path, server, monkeypatch):
    """The deliberate path: download, record the new hash in the catalog, keep the file."""
    root = tmp_path / "project"
    (root / "data").mkdir(parents=True)
    old = hashlib.sha256(PAYLOAD).hexdigest()
    other = "1" * 64
    (root / "data" / "catalog.yml").write_text(
        f"""- id: toy
  file: oecd/toy.csv
  sha256: {old}
  producer: P
  title: T
  citation: k
  licence: CC BY 4.0
  url: https://producer.example/toy
  download: {server}/changed.csv
  vintage: '2023'

- id: other
  file: oecd/other.csv
  sha256: {other}
  producer: P
  title: T
  citation: k
  licence: CC BY 4.0
  url: https://producer.example/other
  vintage: '2023'
""", encoding="utf-8")
    monkeypatch.setenv("FISCALBOOK_ROOT", str(root))
    monkeypatch.setenv("FISCALBOOK_CACHE", str(root / "data" / "cache"))
    new = fetch.accept_new_vintage("toy")
    assert new == hashlib.sha256(NEW_VINTAGE).hexdigest()
    cat = load_catalog(root / "data" / "catalog.yml")
    assert cat["toy"].sha256 == new and cat["other"].sha256 == other
    assert resolve("toy").read_bytes() == NEW_VINTAGE


@pytest.mark.snapshot
def test_every_catalogued_file_resolves_from_the_snapshot():
    for item in load_catalog().values():
        assert resolve(item).is_file()


def _reference_entry(**kw) -> Entry:
    base = dict(id="ref", file="reference/x.csv", sha256=SHA, producer="this book", title="T",
                citation="k", licence="MIT", url="https://example.org", vintage="1",
                origin="project")
    return Entry(**{**base, **kw})


def test_reference_file_is_found_in_the_project_and_checked(tmp_path, monkeypatch):
    monkeypatch.setenv("FISCALBOOK_ROOT", str(tmp_path))
    (tmp_path / "data" / "reference").mkdir(parents=True)
    (tmp_path / "data" / "reference" / "x.csv").write_bytes(PAYLOAD)
    assert resolve(_reference_entry(), snapshot=tmp_path / "nowhere") == tmp_path / "data/reference/x.csv"
    (tmp_path / "data" / "reference" / "x.csv").write_bytes(NEW_VINTAGE)
    with pytest.raises(DataFileError, match="--rehash-reference ref"):
        resolve(_reference_entry())


def test_missing_reference_file_says_how_to_restore_it(tmp_path, monkeypatch):
    monkeypatch.setenv("FISCALBOOK_ROOT", str(tmp_path))
    with pytest.raises(DataFileError, match="git checkout -- data/reference/x.csv"):
        resolve(_reference_entry())
