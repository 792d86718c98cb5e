"""The resolver: cache -> snapshot -> producer download, checksum verified every time.

Downloads are tested against a loopback HTTPS server (a throw-away self-signed certificate
made with the openssl command, trusted through REQUESTS_CA_BUNDLE): success, 404, checksum
mismatch (a new vintage) and timeout. Then the hardening cases: paths that leave their
folder, non-https URLs, malformed catalogs.
"""

from __future__ import annotations

import hashlib
import http.server
import os
import ssl
import subprocess
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
def certificate(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


@pytest.fixture(scope="module")
def server(certificate):
    cert, key = certificate
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    old = os.environ.get("REQUESTS_CA_BUNDLE")
    os.environ["REQUESTS_CA_BUNDLE"] = str(cert)  # requests trusts the test certificate only here
    yield f"https://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    if old is None:
        os.environ.pop("REQUESTS_CA_BUNDLE")
    else:
        os.environ["REQUESTS_CA_BUNDLE"] = old


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


# ----------------------------------------------------------------- hardening (issue 15)

def test_catalogued_path_leaving_the_snapshot_is_refused_without_reading_it(tmp_path):
    """`file: ../../secret` with a matching hash must not resolve, nor describe the file."""
    snap = tmp_path / "a" / "b" / "snapshot"
    snap.mkdir(parents=True)
    secret = tmp_path / "secret.txt"
    secret.write_bytes(PAYLOAD)
    item = Entry(**{**make_entry().__dict__, "file": "../../../secret.txt"})
    with pytest.raises(DataFileError) as err:
        resolve(item, cache=tmp_path / "cache", snapshot=snap)
    msg = str(err.value)
    assert "must stay inside the data folder" in msg
    assert SHA not in msg.replace(f"sha256 {SHA}", "") and "bytes" not in msg
    assert not (tmp_path / "cache").exists()  # nothing created, nothing downloaded


@pytest.mark.parametrize("name", ["/etc/passwd", "oecd/../../x.csv", "oecd\\x.csv", "./x.csv", "oecd//x.csv"])
def test_absolute_or_escaping_file_names_are_refused(dirs, name):
    cache, snap = dirs
    with pytest.raises(DataFileError, match="relative path|stay inside"):
        resolve(Entry(**{**make_entry().__dict__, "file": name}), cache=cache, snapshot=snap)


def test_symbolic_link_out_of_the_snapshot_is_refused_and_not_described(dirs, tmp_path):
    cache, snap = dirs
    outside = tmp_path / "elsewhere.csv"
    outside.write_bytes(b"private contents of some other file\n")
    (snap / "oecd" / "toy.csv").symlink_to(outside)
    with pytest.raises(DataFileError) as err:
        resolve(make_entry(), cache=cache, snapshot=snap)
    msg = str(err.value)
    assert "leads outside that folder" in msg
    assert str(outside) not in msg and hashlib.sha256(outside.read_bytes()).hexdigest() not in msg


def test_symbolic_link_out_of_the_cache_is_refused(dirs, tmp_path):
    cache, snap = dirs
    outside = tmp_path / "x.csv"
    outside.write_bytes(PAYLOAD)  # even with the right content
    (cache / "oecd__toy.csv").symlink_to(outside)
    with pytest.raises(DataFileError, match="leads outside that folder"):
        resolve(make_entry(), cache=cache, snapshot=snap)


def test_reference_file_must_live_in_data_reference(tmp_path, monkeypatch):
    monkeypatch.setenv("FISCALBOOK_ROOT", str(tmp_path))
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "catalog.yml").write_bytes(PAYLOAD)  # a real file with the right hash
    with pytest.raises(DataFileError, match="must live under data/reference/"):
        resolve(_reference_entry(file="catalog.yml"))
    with pytest.raises(DataFileError, match="stay inside"):
        resolve(_reference_entry(file="reference/../catalog.yml"))


def test_reference_symbolic_link_out_of_data_reference_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("FISCALBOOK_ROOT", str(tmp_path))
    (tmp_path / "data" / "reference").mkdir(parents=True)
    (tmp_path / "data" / "other.csv").write_bytes(PAYLOAD)
    (tmp_path / "data" / "reference" / "x.csv").symlink_to(tmp_path / "data" / "other.csv")
    with pytest.raises(DataFileError, match="leads outside that folder"):
        resolve(_reference_entry())


@pytest.mark.parametrize("url, scheme", [
    ("http://127.0.0.1:9/good.csv", "'http'"),
    ("file:///etc/passwd", "'file'"),
    ("ftp://producer.example/toy.csv", "'ftp'"),
])
def test_non_https_downloads_are_refused_as_scheme_errors(dirs, url, scheme):
    cache, snap = dirs
    with pytest.raises(DataFileError) as err:
        resolve(make_entry(url), cache=cache, snapshot=snap)
    msg = str(err.value)
    assert scheme in msg and "only https" in msg and "new vintage" not in msg
    assert not any(cache.iterdir())


@pytest.mark.parametrize("url", ["https://", "https:///toy.csv", "https://exa mple.org/x"])
def test_malformed_urls_are_reported_as_url_errors(dirs, url):
    cache, snap = dirs
    with pytest.raises(DataFileError, match="not a valid https URL") as err:
        resolve(make_entry(url), cache=cache, snapshot=snap)
    assert "new vintage" not in str(err.value)


def test_unreachable_host_is_a_download_error_not_a_new_vintage(dirs):
    cache, snap = dirs
    with pytest.raises(DataFileError) as err:
        resolve(make_entry("https://127.0.0.1:9/toy.csv"), cache=cache, snapshot=snap, timeout=2)
    msg = str(err.value)
    assert "download: https://127.0.0.1:9/toy.csv (ConnectionError" in msg and "new vintage" not in msg


def _toy_catalog(root: Path, download: str, sha: str) -> None:
    (root / "data").mkdir(parents=True, exist_ok=True)
    (root / "data" / "catalog.yml").write_text(
        f"""- id: toy
  file: oecd/toy.csv
  sha256: {sha}
  producer: P
  title: T
  citation: k
  licence: CC BY 4.0
  url: https://producer.example/toy
  download: {download}
  vintage: '2023'
""", encoding="utf-8")


def test_accept_new_vintage_always_downloads_afresh(tmp_path, server, monkeypatch):
    """A file left in cache/incoming by an earlier run must not stand in for the producer's."""
    root = tmp_path / "project"
    _toy_catalog(root, f"{server}/changed.csv", SHA)
    monkeypatch.setenv("FISCALBOOK_ROOT", str(root))
    monkeypatch.setenv("FISCALBOOK_CACHE", "data/cache")  # relative: against the project root
    stale = root / "data" / "cache" / "incoming"
    stale.mkdir(parents=True)
    (stale / "oecd__toy.csv").write_bytes(b"an older download\n")
    new = fetch.accept_new_vintage("toy")
    assert new == hashlib.sha256(NEW_VINTAGE).hexdigest()
    assert (root / "data" / "cache" / "oecd__toy.csv").read_bytes() == NEW_VINTAGE
    assert load_catalog(root / "data" / "catalog.yml")["toy"].sha256 == new


def test_relative_environment_paths_resolve_against_the_project_root(tmp_path, monkeypatch):
    from fiscalbook import paths

    root = tmp_path / "project"
    (root / "data").mkdir(parents=True)
    elsewhere = tmp_path / "somewhere" / "else"
    elsewhere.mkdir(parents=True)
    monkeypatch.chdir(elsewhere)
    monkeypatch.setenv("FISCALBOOK_ROOT", str(root))
    monkeypatch.setenv("FISCALBOOK_SNAPSHOT", "../snap")
    monkeypatch.setenv("FISCALBOOK_CACHE", "data/cache")
    assert paths.snapshot_dir() == (tmp_path / "snap").resolve()
    assert paths.cache_dir() == (root / "data" / "cache").resolve()


def test_uncreatable_cache_folder_is_reported_with_its_path(tmp_path, server, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be\n")
    cache = blocker / "cache"
    with pytest.raises(DataFileError) as err:
        resolve(make_entry(f"{server}/good.csv"), cache=cache, snapshot=tmp_path / "snap")
    msg = str(err.value)
    assert f"Cannot create the data cache folder {cache}" in msg and "FISCALBOOK_CACHE" in msg


def test_permission_error_on_the_cache_folder_names_it(tmp_path, monkeypatch):
    from fiscalbook import paths

    def refuse(self, *a, **k):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "mkdir", refuse)
    with pytest.raises(paths.FolderError, match=r"Cannot create the data cache folder .*Permission denied.*"
                                                r"FISCALBOOK_CACHE"):
        paths.make_folder(tmp_path / "c", "data cache folder", "FISCALBOOK_CACHE")


def test_verify_all_names_every_missing_file(tmp_path, monkeypatch):
    monkeypatch.setenv("FISCALBOOK_SNAPSHOT", str(tmp_path / "empty"))
    monkeypatch.setenv("FISCALBOOK_CACHE", str(tmp_path / "cache"))
    producer = [e for e in load_catalog().values() if not e.is_reference and not e.download]
    with pytest.raises(DataFileError) as err:
        fetch.verify_all()
    msg = str(err.value)
    assert producer and all(e.file in msg for e in producer)


def test_project_root_is_found_from_any_working_folder(tmp_path):
    """A downloaded notebook run from elsewhere still finds the catalog and the snapshot."""
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("FISCALBOOK_ROOT", "FISCALBOOK_SNAPSHOT")}
    out = subprocess.run([sys.executable, "-c", "from fiscalbook import paths; "
                          "print(paths.project_root()); print(paths.snapshot_dir())"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, check=True).stdout.split("\n")
    root = Path(__file__).resolve().parents[1]
    assert Path(out[0]) == root
    assert Path(out[1]) == (root.parent / "shared" / "data").resolve()
