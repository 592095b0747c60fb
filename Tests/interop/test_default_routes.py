"""The README quick start: the default routes.yaml, fed as a new user would feed it."""
import json
import shutil

from conftest import ROOT
from test_cli import run


def test_default_routes_yaml(junction_bin, tmp_path):
    cfg = tmp_path / "routes.yaml"
    shutil.copy(ROOT / "routes.yaml", cfg)
    data = b'{"level":"info","msg":"hi"}\n{"level":"alert","msg":"disk full"}\nnot json\n{"level":"error","n":1}\n'
    got = run(junction_bin, "run", str(cfg), input=data)
    assert got.returncode == 0, got.stderr.decode()
    printed = [json.loads(line) for line in got.stdout.decode().splitlines()]
    assert printed == [
        {"level": "alert", "msg": "disk full", "seen_by": "junction"},
        {"level": "error", "n": 1, "seen_by": "junction"},
    ]
    assert (tmp_path / "out" / "all.jsonl").read_bytes() == data
    rejected = (tmp_path / "out" / "rejected.jsonl").read_text().splitlines()
    assert rejected == ["not json"]
