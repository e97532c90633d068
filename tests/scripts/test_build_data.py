"""Tests of the data build entry point (scripts/build_data.py) and its 3MdB builder."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nebuladapt.grids import load_source_grids

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "scripts" / "build_data.py"


@pytest.fixture(scope="module")
def build_script():
    spec = importlib.util.spec_from_file_location("build_data", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_missing_shared_folder_is_a_usage_error(tmp_path):
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--shared", str(tmp_path / "nowhere")],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 2
    assert "no shared data at" in result.stderr.strip().splitlines()[-1]


def test_rebuild_reproduces_shipped_3mdb(shared_data_dir):
    from databuild.threemdb import build_3mdb

    all_grids = load_source_grids(default_only=False)
    rebuilt, provenance = build_3mdb(shared_data_dir)
    shipped = all_grids[np.char.startswith(np.asarray(all_grids["grid"], dtype=str), "3MdB:")]
    assert len(rebuilt) == len(shipped)
    assert list(rebuilt["model_id"]) == list(shipped["model_id"])
    for name in rebuilt.colnames:
        if rebuilt[name].dtype.kind == "f":
            np.testing.assert_array_equal(rebuilt[name], shipped[name], err_msg=name)
        else:
            assert list(rebuilt[name]) == list(shipped[name]), name
    assert provenance == {k: v for k, v in all_grids.meta["grids"].items() if k.startswith("3MdB")}


def test_entry_point_uses_the_package_builders(build_script):
    from databuild.benchmark import build_benchmark
    from databuild.threemdb import build_3mdb

    assert build_script.build_benchmark is build_benchmark
    assert build_script.build_3mdb is build_3mdb
