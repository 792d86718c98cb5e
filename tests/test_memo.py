from fiscalbook import memo


def test_disk_memo_reuses_results_and_keys_on_arguments(tmp_path, monkeypatch):
    monkeypatch.setattr(memo, "memo_dir", lambda: tmp_path)
    calls = []

    @memo.disk_memo
    def square(x, scale=1):
        calls.append(x)
        return x * x * scale

    assert square(3) == 9 and square(3) == 9 and calls == [3]
    assert square(3, scale=2) == 18 and calls == [3, 3]
    assert len(list(tmp_path.glob("*.pkl"))) == 2


def test_fingerprint_changes_when_the_package_source_changes(tmp_path, monkeypatch):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "a.py").write_text("x = 1\n")
    cat = tmp_path / "catalog.yml"
    cat.write_text("[]\n")
    monkeypatch.setattr(memo, "_PACKAGE", pkg)
    monkeypatch.setattr(memo, "catalog_path", lambda: cat)
    memo.fingerprint.cache_clear()
    first = memo.fingerprint()
    (pkg / "a.py").write_text("x = 2\n")
    memo.fingerprint.cache_clear()
    second = memo.fingerprint()
    cat.write_text("[1]\n")
    memo.fingerprint.cache_clear()
    third = memo.fingerprint()
    memo.fingerprint.cache_clear()
    assert len({first, second, third}) == 3
