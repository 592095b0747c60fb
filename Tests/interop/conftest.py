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


def start_junction(junction_bin, config_path, env=None):
    """Runs `junction run config_path`, its stderr going to a .log file beside the config."""
    log = open(str(config_path) + ".log", "ab")
    proc = subprocess.Popen([junction_bin, "run", str(config_path)], env=env, stderr=log)
    proc.log_path = str(config_path) + ".log"
    return proc


def log_tail(proc, limit=4000):
    with open(proc.log_path, "rb") as f:
        return f.read()[-limit:].decode(errors="replace")


@pytest.fixture
def junction(junction_bin, tmp_path):
    """`junction(text, name="routes.yaml")` writes the config, runs Junction on
    it and waits for its `listen: 127.0.0.1:PORT` to answer /health; every
    process started is stopped after the test."""
    procs = []

    def run(text, name="routes.yaml"):
        path = tmp_path / name
        path.write_text(text)
        port = int(text.split("listen: 127.0.0.1:")[1].split("\n")[0])
        proc = start_junction(junction_bin, path)
        procs.append(proc)
        wait_healthy(f"http://127.0.0.1:{port}", proc)
        return proc

    yield run
    for p in procs:
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
