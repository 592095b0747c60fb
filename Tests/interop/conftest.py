import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def junction_bin():
    path = os.environ.get("JUNCTION_BIN") or str(ROOT / ".build" / "debug" / "junction")
    if not os.path.exists(path):
        subprocess.run(["swift", "build", "--product", "junction"], cwd=ROOT, check=True)
    return path


@pytest.fixture
def write_config(tmp_path):
    def write(text, name="routes.yaml"):
        p = tmp_path / name
        p.write_text(text)
        return p
    return write
