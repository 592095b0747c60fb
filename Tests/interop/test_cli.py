"""The junction binary as a user runs it: validate, run, graph, plugins, signals, backpressure."""
import json
import os
import signal
import subprocess
import threading
import time


def run(junction_bin, *args, input=None, timeout=60, env=None):
    return subprocess.run([junction_bin, *args], input=input, capture_output=True, timeout=timeout, env=env)


ISSUE_EXAMPLE = """\
sources:
  in: { type: stdin }
stages:
  sel: { type: jq, expr: 'select(.seq % 2 == 0) | {portalid, payload}' }
sinks:
  out: { type: stdout }
routes:
  - from: [in]
    via: [sel]
    to: [out]
"""


def lines(n):
    return "".join(
        json.dumps({"seq": i, "level": "alert" if i % 3 == 0 else "info", "portalid": f"p{i % 20}", "payload": "x" * 60},
                   separators=(",", ":")) + "\n"
        for i in range(n)
    ).encode()


def test_issue_example_matches_jq_cli(junction_bin, write_config):
    cfg = write_config(ISSUE_EXAMPLE)
    data = lines(5000)
    got = run(junction_bin, "run", str(cfg), input=data)
    assert got.returncode == 0, got.stderr.decode()
    want = subprocess.run(["jq", "-c", "select(.seq % 2 == 0) | {portalid, payload}"], input=data, capture_output=True, check=True)
    assert got.stdout == want.stdout


def test_validate_lists_every_mistake_with_locations(junction_bin, write_config):
    cfg = write_config("""\
sources:
  in: { type: stdn }
sinks:
  out: { type: stdout, codec: line }
routes:
  - from: [in]
    to: [outt]
    when_full: blok
""")
    got = run(junction_bin, "validate", str(cfg))
    assert got.returncode == 1
    err = got.stderr.decode()
    assert f"unknown source type 'stdn' at {cfg}:2:15; did you mean 'stdin'?" in err
    assert f"invalid value 'line' at {cfg}:4:31; did you mean 'lines'?" in err
    assert f"invalid value 'blok' at {cfg}:8:16; did you mean 'block'?" in err
    assert f"unknown sink 'outt' in 'to' of route-1 at {cfg}:7:10; did you mean 'out'?" in err
    assert "4 errors" in err


def test_validate_ok_and_warnings(junction_bin, write_config):
    cfg = write_config(ISSUE_EXAMPLE + "  - from: [in]\n    to: [out]\n")
    got = run(junction_bin, "validate", str(cfg))
    assert got.returncode == 0, got.stderr.decode()
    assert "ok" in got.stdout.decode()


def test_env_file_and_defaults(junction_bin, write_config, tmp_path):
    out = tmp_path / "out.txt"
    envfile = tmp_path / "test.env"
    envfile.write_text(f"OUT_PATH={out}\n")
    cfg = write_config("""\
sources:
  in: { type: stdin, codec: "${CODEC:-lines}" }
sinks:
  f: { type: file, path: "${OUT_PATH}" }
routes:
  - { from: in, to: f }
""")
    env = {k: v for k, v in os.environ.items() if k != "OUT_PATH"}
    got = run(junction_bin, "run", str(cfg), "--env-file", str(envfile), input=b"a\nb\n", env=env)
    assert got.returncode == 0, got.stderr.decode()
    assert out.read_text() == "a\nb\n"
    missing = run(junction_bin, "validate", str(cfg), env=env)
    assert missing.returncode == 1
    assert "environment variable 'OUT_PATH' is not set" in missing.stderr.decode()


def test_graph_and_plugins(junction_bin, write_config):
    cfg = write_config(ISSUE_EXAMPLE)
    dot = run(junction_bin, "graph", str(cfg))
    assert dot.returncode == 0
    assert dot.stdout.decode().startswith("digraph junction {")
    assert dot.stdout.decode().count("->") == 2
    mermaid = run(junction_bin, "graph", str(cfg), "--format", "mermaid")
    assert mermaid.stdout.decode().startswith("flowchart LR")
    plugins = run(junction_bin, "plugins").stdout.decode()
    for t in ["stdin", "stdout", "file", "generate", "jq", "filter", "transform", "switch", "rate_limit", "batch", "split", "dedupe"]:
        assert f"  {t} — " in plugins, t
    assert "max_message_size: bytes = 1MiB" in plugins


def test_sigterm_drains_in_flight_messages(junction_bin, write_config, tmp_path):
    out = tmp_path / "gen.jsonl"
    cfg = write_config(f"""\
sources:
  gen: {{ type: generate, rate: 2000, template: '{{{{seq}}}}' }}
sinks:
  f: {{ type: file, path: {out} }}
routes:
  - {{ from: gen, to: f }}
""")
    proc = subprocess.Popen([junction_bin, "run", str(cfg)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(1.0)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err.decode()
    seqs = [int(x) for x in out.read_text().split()]
    assert len(seqs) > 100
    assert seqs == list(range(1, len(seqs) + 1))


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def test_slow_reader_pauses_stdin_and_nothing_is_lost(junction_bin, write_config):
    """A reader that stalls makes Junction stop reading stdin (the writer blocks); memory stays bounded."""
    cfg = write_config("""\
sources:
  in: { type: stdin }
sinks:
  out: { type: stdout }
routes:
  - { from: in, to: out, high_water: 256KiB }
""")
    total = 400_000
    data = lines(total)  # about 40 MB
    proc = subprocess.Popen([junction_bin, "run", str(cfg)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    written = [0]

    def writer():
        view = memoryview(data)
        try:
            while written[0] < len(data):
                n = os.write(proc.stdin.fileno(), view[written[0]:written[0] + 65536])
                written[0] += n
        finally:
            proc.stdin.close()

    t = threading.Thread(target=writer, daemon=True)
    t.start()
    time.sleep(1.5)  # nobody reads stdout: the pipe fills, the sink blocks, the source pauses
    stalled_at = written[0]
    assert stalled_at < len(data) // 4, f"writer got {stalled_at} bytes through a stalled reader"
    assert rss_kb(proc.pid) < 128 * 1024
    out = proc.stdout.read()
    proc.wait(timeout=60)
    t.join(timeout=10)
    assert proc.returncode == 0
    got = out.splitlines()
    assert len(got) == total
    assert [json.loads(x)["seq"] for x in got[:: total // 1000]] == list(range(0, total, total // 1000))
    assert out == data


def _startup_log(junction_bin, cfg, env):
    """Runs `junction run` until it reports running, then stops it; returns its stderr."""
    proc = subprocess.Popen([junction_bin, "run", str(cfg)], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env=env)
    seen = []
    deadline = time.time() + 20
    while time.time() < deadline:
        line = proc.stderr.readline().decode()
        if not line:
            break
        seen.append(line)
        if "junction: running" in line:
            break
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=20)
    return "".join(seen)


def test_libwebsockets_logs_only_the_enabled_levels(junction_bin, write_config):
    # Junction puts a level test in front of lws' logger: enabled lines still
    # arrive, formatted (%s, %d), and disabled ones do not.
    cfg = write_config("listen: 127.0.0.1:0\nsources: {in: {type: stdin}}\nsinks: {out: {type: stdout}}\nroutes: [{from: [in], to: [out]}]\n")
    widened = _startup_log(junction_bin, cfg, {**os.environ, "JUNCTION_LWS_LOG": "7"})
    assert "LWS: 4." in widened and "loglevel 7 engine=libwebsockets" in widened, widened
    quiet = _startup_log(junction_bin, cfg, {k: v for k, v in os.environ.items() if k != "JUNCTION_LWS_LOG"})
    assert "junction: running" in quiet
    assert "engine=libwebsockets" not in quiet, quiet
