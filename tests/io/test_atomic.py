"""The one atomic writer: umask, no partial output, stale temporaries swept."""

import os
import subprocess
import sys

import pytest

from nebuladapt.io.atomic import (
    TEMP_MARKER,
    AtomicPath,
    atomic_write_bytes,
    replace_directory,
    sweep_stale,
    temporary_directory_beside,
    umask,
)


def test_written_file_gets_the_umask_not_0600(tmp_path):
    old = os.umask(0o027)
    try:
        path = atomic_write_bytes(tmp_path / "a.bin", b"x")
        assert path.stat().st_mode & 0o777 == 0o640
    finally:
        os.umask(old)
    assert umask() == old


def test_failure_leaves_nothing_and_existing_file_is_kept(tmp_path):
    out = tmp_path / "t.csv"
    out.write_text("old")
    with pytest.raises(FileExistsError):
        AtomicPath(out)
    with pytest.raises(RuntimeError):
        with AtomicPath(out, overwrite=True) as tmp:
            tmp.write_text("half")
            raise RuntimeError("killed")
    assert out.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"]


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_stale_temporaries_of_dead_runs_are_swept_and_named(tmp_path):
    out = tmp_path / "pred.parquet"
    stale = tmp_path / f".pred.parquet.{TEMP_MARKER}-{_dead_pid()}-abc.parquet"
    live = tmp_path / f".pred.parquet.{TEMP_MARKER}-{os.getppid()}-abc.parquet"  # a running process
    other = tmp_path / ".pred.parquet.someone-else.parquet"  # not ours: never touched
    for path in (stale, live, other):
        path.write_bytes(b"partial")
    target = AtomicPath(out)
    assert target.swept == [stale]
    target.abort()
    assert not stale.exists() and live.exists() and other.exists()
    assert sweep_stale(out) == []


def test_temporary_names_are_recognisable(tmp_path):
    target = AtomicPath(tmp_path / "x.fits")
    assert target.tmp.name.startswith(f".x.fits.{TEMP_MARKER}-{os.getpid()}-")
    assert target.tmp.suffix == ".fits"
    target.abort()


def test_replace_directory(tmp_path):
    out = tmp_path / "model"
    out.mkdir()
    (out / "old.txt").write_text("old")
    staging = temporary_directory_beside(out)
    assert staging.stat().st_mode & 0o777 == 0o777 & ~umask()
    (staging / "new.txt").write_text("new")
    replace_directory(staging, out)
    assert [p.name for p in out.iterdir()] == ["new.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["model"]
