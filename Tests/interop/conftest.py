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


def wait_healthy(base, proc=None, timeout=10):
    """Polls GET /health until Junction answers; fails the test (with its
    stderr when piped) if it does not within `timeout` seconds."""
    import time
    import urllib.request
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(base + "/health", timeout=1).status == 200:
                return
        except OSError:
            time.sleep(0.05)
    if proc is not None:
        proc.kill()
    pytest.fail(f"junction did not answer {base}/health within {timeout} s")
