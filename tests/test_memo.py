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


def test_fingerprint_changes_when_requirements_change(tmp_path, monkeypatch):
    req = tmp_path / "requirements.txt"
    req.write_text("pandas==3.1.1\n")
    monkeypatch.setattr(memo, "_requirements", lambda: req)
    memo.fingerprint.cache_clear()
    first = memo.fingerprint()
    req.write_text("pandas==3.1.2\n")
    memo.fingerprint.cache_clear()
    second = memo.fingerprint()
    memo.fingerprint.cache_clear()
    assert first != second


def test_truncated_memo_file_is_reported_with_its_path(tmp_path, monkeypatch):
    import pytest

    monkeypatch.setattr(memo, "memo_dir", lambda: tmp_path)

    @memo.disk_memo
    def value():
        return list(range(1000))

    assert value() == list(range(1000))
    (pkl,) = tmp_path.glob("*.pkl")
    pkl.write_bytes(pkl.read_bytes()[:20])
    with pytest.raises(memo.MemoError) as err:
        value()
    assert str(pkl) in str(err.value) and "Delete it" in str(err.value)


def test_memo_writes_leave_no_temporary_files_and_use_per_process_names(tmp_path, monkeypatch):
    import os
    import tempfile

    monkeypatch.setattr(memo, "memo_dir", lambda: tmp_path)
    names = []
    real = tempfile.mkstemp

    def spy(*a, **k):
        fd, name = real(*a, **k)
        names.append(name)
        return fd, name

    monkeypatch.setattr(memo.tempfile, "mkstemp", spy)

    @memo.disk_memo
    def f(x):
        return x

    f(1), f(2)
    assert len(names) == 2 and len(set(names)) == 2
    assert all(f".{os.getpid()}." in n for n in names)
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".pkl", ".pkl"]


def test_prune_removes_only_results_of_other_fingerprints(tmp_path, monkeypatch):
    monkeypatch.setattr(memo, "memo_dir", lambda: tmp_path)
    (tmp_path / "m.f-aaaa-1.pkl").write_bytes(b"old")
    (tmp_path / "m.f-bbbb-1.pkl").write_bytes(b"current")
    assert memo.prune("bbbb") == 1
    assert [p.name for p in tmp_path.iterdir()] == ["m.f-bbbb-1.pkl"]

