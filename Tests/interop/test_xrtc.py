"""Junction's embedded XRTC server against the PyPI xrtc SDK (unmodified) and raw HTTP."""
import asyncio
import json
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
import urllib.request

import pytest
import requests

from conftest import wait_healthy

ACCOUNT = "AC0987654321012345"
KEY1 = "k1-" + "a" * 29
KEY2 = "k2-" + "b" * 29

CONFIG = """\
listen: 127.0.0.1:${PORT}
xrtc:
  accounts:
    - id: AC0987654321012345
      api_keys: ["${XRTC_API_KEY}", "${XRTC_API_KEY2}"]
sources:
  inbox: { type: xrtc, portal: inbox }
stages:
  shout: { type: transform, set: { routed: true } }
sinks:
  outbox: { type: xrtc, portal: outbox }
routes:
  - { from: inbox, via: [shout], to: outbox }
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(junction_bin, tmp_path_factory):
    port = free_port()
    cfg = tmp_path_factory.mktemp("xrtc") / "routes.yaml"
    cfg.write_text(CONFIG)
    env = dict(os.environ, PORT=str(port), XRTC_API_KEY=KEY1, XRTC_API_KEY2=KEY2)
    proc = subprocess.Popen([junction_bin, "run", str(cfg)], env=env, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    wait_healthy(base, proc)
    yield {"port": port, "base": base, "proc": proc}
    proc.terminate()
    proc.wait(timeout=15)


def sdk_env(server, key, host="127.0.0.1"):
    base = f"http://{host}:{server['port']}/v1"
    return dict(os.environ, ACCOUNT_ID=ACCOUNT, API_KEY=key,
                LOGIN_URL=base + "/auth/login", SET_URL=base + "/item/set", GET_URL=base + "/item/get")


def run_python(code, env, timeout=60, cwd=None):
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env, capture_output=True, text=True, timeout=timeout, cwd=cwd)


def test_sdk_sync_example(server):
    got = run_python("""
        from xrtc import XRTC
        with XRTC() as xrtc:
            xrtc.set_item(items=[{"portalid": "exampleportal", "payload": "examplepayload"}])
            for item in xrtc.get_item(portals=[{"portalid": "exampleportal"}]):
                print(item.dict())
    """, sdk_env(server, KEY1))
    assert got.returncode == 0, got.stderr
    lines = got.stdout.strip().splitlines()
    assert len(lines) == 1
    assert "'portalid': 'exampleportal'" in lines[0] and "'payload': 'examplepayload'" in lines[0]


def test_sdk_async_example(server):
    # aiohttp keeps no cookies for bare IP hosts: the async client needs a host name.
    got = run_python("""
        from xrtc import AXRTC
        async def main():
            async with AXRTC() as xrtc:
                await xrtc.set_item(items=[{"portalid": "exampleportal", "payload": "examplepayload"}])
                async for item in xrtc.get_item(portals=[{"portalid": "exampleportal"}]):
                    print(item.dict())
        AXRTC.run(main())
    """, sdk_env(server, KEY2, host="localhost"))
    assert got.returncode == 0, got.stderr
    assert "'payload': 'examplepayload'" in got.stdout


def test_sdk_latency_example_two_keys_stream(server, tmp_path):
    base = f"http://localhost:{server['port']}/v1"
    urls = f"LOGIN_URL={base}/auth/login\nSET_URL={base}/item/set\nGET_URL={base}/item/get\n"
    (tmp_path / "xrtc_set.env").write_text(f"ACCOUNT_ID={ACCOUNT}\nAPI_KEY={KEY1}\n" + urls)
    (tmp_path / "xrtc_get.env").write_text(f"ACCOUNT_ID={ACCOUNT}\nAPI_KEY={KEY2}\n" + urls)
    env = {k: v for k, v in os.environ.items() if k not in ("ACCOUNT_ID", "API_KEY", "LOGIN_URL", "SET_URL", "GET_URL")}
    (tmp_path / "xrtc.env").write_text(urls)  # the SDK's default connection file
    got = run_python("""
        import asyncio
        from time import time
        import json

        from xrtc import AXRTC


        class LatencyTest:
            def __init__(self):
                self.test_running = True

            async def setting(self):
                async with AXRTC(env_file_credentials="xrtc_set.env") as xrtc:
                    for counter in range(0, 100):
                        payload = json.dumps({"time": str(time())})
                        await xrtc.set_item(items=[{"portalid": "latency", "payload": payload}])
                        await asyncio.sleep(0.1)
                await asyncio.sleep(1)
                self.test_running = False

            async def getting(self):
                mean = 0
                iteration = 0
                async with AXRTC(env_file_credentials="xrtc_get.env") as xrtc:
                    while self.test_running:
                        async for item in xrtc.get_item(
                            portals=[{"portalid": "latency"}], mode="stream", cutoff=500
                        ):
                            received_time = json.loads(item.payload)["time"]
                            latency = round((time() - float(received_time)) * 1000, 1)
                            mean = round(1 / (iteration + 1) * (mean * iteration + latency), 1)
                            iteration += 1
                            print(f"{iteration = }: {latency = } ms, {mean = } ms")

            async def execute(self):
                await asyncio.gather(self.setting(), self.getting())


        latency_test = LatencyTest()
        asyncio.run(latency_test.execute())
    """, env, timeout=90, cwd=tmp_path)
    assert got.returncode == 0, got.stderr
    lines = [l for l in got.stdout.splitlines() if l.startswith("iteration")]
    assert len(lines) >= 95, got.stdout[-2000:]
    means = [float(l.split("mean = ")[1].split(" ms")[0]) for l in lines]
    assert means[-1] < 100, lines[-1]


def session(server, key=KEY1):
    s = requests.Session()
    r = s.post(server["base"] + "/v1/auth/login", data=json.dumps({"accountid": ACCOUNT, "apikey": key}))
    assert r.status_code == 200, r.text
    assert "JSESSIONID" in s.cookies
    return s


def err(r):
    return r.json()["error"]["errorcode"]


def test_login_errors(server):
    base = server["base"]
    r = requests.post(base + "/v1/auth/login", data=json.dumps({"accountid": ACCOUNT, "apikey": "wrong"}))
    assert (r.status_code, err(r)) == (401, 35)
    r = requests.post(base + "/v1/auth/login", data="{not json")
    assert (r.status_code, err(r)) == (400, 30)
    r = requests.post(base + "/v1/auth/login", data=json.dumps({"account": ACCOUNT, "apikey": KEY1}))
    assert (r.status_code, err(r)) == (400, 30)
    assert isinstance(r.json()["error"]["errormessage"], str)


def test_login_rate_limit(server):
    base = server["base"]
    key = KEY2
    codes = [requests.post(base + "/v1/auth/login", data=json.dumps({"accountid": ACCOUNT, "apikey": key})).status_code for _ in range(12)]
    assert 429 in codes
    r = requests.post(base + "/v1/auth/login", data=json.dumps({"accountid": ACCOUNT, "apikey": key}))
    assert (r.status_code, err(r)) == (429, 45)
    time.sleep(10.5)  # the sliding window empties


def test_session_and_argument_errors(server):
    base = server["base"]
    r = requests.post(base + "/v1/item/set", data=json.dumps({"items": []}))
    assert (r.status_code, err(r)) == (401, 10011)
    r = requests.post(base + "/v1/item/get", data="{}", cookies={"JSESSIONID": "0" * 32})
    assert (r.status_code, err(r)) == (401, 10011)
    s = session(server)
    r = s.post(base + "/v1/item/set", data=json.dumps({"itemz": []}))
    assert (r.status_code, err(r)) == (400, 20)
    r = s.post(base + "/v1/item/set", data=json.dumps({"items": [{"portalid": "p", "payload": "x" * 1025}]}))
    assert (r.status_code, err(r)) == (400, 20)
    r = s.post(base + "/v1/item/set", data=json.dumps({"items": [{"portalid": "p" * 17, "payload": "x"}]}))
    assert (r.status_code, err(r)) == (400, 30)
    r = s.post(base + "/v1/item/get", data=json.dumps({"mode": "later"}))
    assert (r.status_code, err(r)) == (400, 30)
    r = s.post(base + "/v1/item/set", data=b"{" + b" " * (65 * 1024) + b"}")
    assert r.status_code == 413 and err(r) == 20
    # The server still serves everyone after all that.
    assert s.post(base + "/v1/item/set", data=json.dumps({"items": [{"portalid": "p", "payload": "ok"}]})).status_code == 200


def test_probe_fifo_lifo_ring_and_cursor(server):
    base = server["base"]
    w, r = session(server), session(server)
    for i in range(12):
        assert w.post(base + "/v1/item/set", data=json.dumps({"items": [{"portalid": "ring", "payload": str(i)}]})).status_code == 200
    got = r.post(base + "/v1/item/get", data=json.dumps({"portals": [{"portalid": "ring"}], "schedule": "FIFO"})).json()["items"]
    assert [i["payload"] for i in got] == [str(i) for i in range(2, 12)]
    assert all(isinstance(i["servertimestamp"], int) for i in got)
    assert r.post(base + "/v1/item/get", data=json.dumps({"portals": [{"portalid": "ring"}]})).json()["items"] == []
    w.post(base + "/v1/item/set", data=json.dumps({"items": [{"portalid": "ring", "payload": "a"}, {"portalid": "ring", "payload": "b"}]}))
    got = r.post(base + "/v1/item/get", data=json.dumps({"portals": [{"portalid": "ring"}]})).json()["items"]
    assert [i["payload"] for i in got] == ["b", "a"]


def test_watch_waits_for_the_first_item(server):
    base = server["base"]
    w, r = session(server), session(server)
    def later():
        time.sleep(0.5)
        w.post(base + "/v1/item/set", data=json.dumps({"items": [{"portalid": "watched", "payload": "late"}]}))
    threading.Thread(target=later).start()
    start = time.time()
    got = r.post(base + "/v1/item/get", data=json.dumps({"portals": [{"portalid": "watched"}], "mode": "watch"})).json()["items"]
    elapsed = time.time() - start
    assert [i["payload"] for i in got] == ["late"]
    assert 0.3 < elapsed < 4
    start = time.time()
    got = r.post(base + "/v1/item/get", data=json.dumps({"portals": [{"portalid": "watched"}], "mode": "watch"})).json()["items"]
    assert got == [] and 4 < time.time() - start < 8


def test_stream_writes_a_line_per_arrival_then_ends(server):
    base = server["base"]
    w, r = session(server), session(server)
    def writer():
        for i in range(5):
            time.sleep(0.2)
            w.post(base + "/v1/item/set", data=json.dumps({"items": [{"portalid": "s", "payload": str(i)}]}))
    threading.Thread(target=writer).start()
    start = time.time()
    resp = r.post(base + "/v1/item/get", data=json.dumps({"portals": [{"portalid": "s"}], "mode": "stream"}), stream=True)
    lines = [json.loads(l) for l in resp.iter_lines() if l]
    assert 4 < time.time() - start < 8
    assert [i["payload"] for l in lines for i in l["items"]] == [str(i) for i in range(5)]
    assert len(lines) >= 3  # arrivals come as separate lines


def test_hosted_portals_are_sources_and_sinks(server):
    base = server["base"]
    w, r = session(server), session(server)
    r.post(base + "/v1/item/get", data=json.dumps({"portals": [{"portalid": "outbox"}]}))
    w.post(base + "/v1/item/set", data=json.dumps({"items": [{"portalid": "inbox", "payload": json.dumps({"n": 1})}]}))
    got = r.post(base + "/v1/item/get", data=json.dumps({"portals": [{"portalid": "outbox"}], "mode": "watch"})).json()["items"]
    assert [json.loads(i["payload"]) for i in got] == [{"n": 1, "routed": True}]


def test_health_and_metrics(server):
    assert requests.get(server["base"] + "/health").json() == {"status": "ok"}
    text = requests.get(server["base"] + "/metrics").text
    assert "# TYPE junction_xrtc_requests_total counter" in text
    assert 'junction_xrtc_requests_total{code="35",endpoint="login"}' in text


CLIENT_CONFIG = """\
sources:
  lines: { type: stdin }
  back: { type: xrtc, url: "http://127.0.0.1:${PORT}", portal: outbox, mode: stream, cutoff: 500, account_id: AC0987654321012345, api_key: "${XRTC_API_KEY}" }
sinks:
  there: { type: xrtc, url: "http://127.0.0.1:${PORT}", portal: inbox, env_file: client.env }
  out: { type: stdout }
routes:
  - { from: lines, to: there }
  - { from: back, to: out }
"""


def test_junction_client_through_junction_server(server, junction_bin, tmp_path):
    """A second Junction sets items on the server's inbox portal as a remote
    sink, the server routes them to outbox, and the second Junction streams
    them back as a remote source: order kept, sets packed within limits, an
    oversized message refused without stopping the rest. Items earlier
    tests left on outbox are older than the cutoff and skipped."""
    time.sleep(0.6)
    (tmp_path / "routes.yaml").write_text(CLIENT_CONFIG)
    (tmp_path / "client.env").write_text(f"ACCOUNT_ID={ACCOUNT}\nAPI_KEY={KEY1}\n")
    env = dict(os.environ, PORT=str(server["port"]), XRTC_API_KEY=KEY1)
    proc = subprocess.Popen([junction_bin, "run", "routes.yaml"], cwd=tmp_path, env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    got = []

    def read():
        for line in proc.stdout:
            got.append(json.loads(line))
    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        time.sleep(1.0)  # the stream is open
        for i in range(25):
            proc.stdin.write((json.dumps({"n": i}) + "\n").encode())
            if i == 12:
                proc.stdin.write((json.dumps({"big": "x" * 2000}) + "\n").encode())
            proc.stdin.flush()
            time.sleep(0.02)
        deadline = time.time() + 15
        while len(got) < 25 and time.time() < deadline:
            time.sleep(0.05)
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=15)
    assert [g.get("n") for g in got] == list(range(25)), err.decode()[-2000:]
    assert all(g["routed"] is True for g in got)
    assert "over the XRTC set size limit" in err.decode()


def test_tls_listener(junction_bin, tmp_path):
    """`listen: {tls: {cert, key}}` serves HTTPS (the XRTC API and /health);
    a plain-HTTP client on that port is refused without harming the server."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem"), "-days", "1",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True)
    port = free_port()
    (tmp_path / "routes.yaml").write_text(
        f"listen: {{ address: 127.0.0.1:{port}, tls: {{ cert: cert.pem, key: key.pem }} }}\n"
        "xrtc:\n  accounts:\n    - { id: AC1, api_keys: [k] }\n")
    proc = subprocess.Popen([junction_bin, "run", "routes.yaml"], cwd=tmp_path, stderr=subprocess.PIPE)
    base = f"https://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if requests.get(base + "/health", verify=str(tmp_path / "cert.pem"), timeout=1).status_code == 200:
                    break
                time.sleep(0.05)  # 503 while the sources start
            except requests.exceptions.SSLError:
                raise
            except requests.exceptions.ConnectionError:
                time.sleep(0.05)
        s = requests.Session()
        s.trust_env = False  # REQUESTS_CA_BUNDLE in the environment would override verify
        s.verify = str(tmp_path / "cert.pem")
        r = s.post(base + "/v1/auth/login", data=json.dumps({"accountid": "AC1", "apikey": "k"}))
        assert r.status_code == 200 and "JSESSIONID" in s.cookies
        assert s.post(base + "/v1/item/set", data=json.dumps({"items": [{"portalid": "p", "payload": "x"}]})).status_code == 200
        with pytest.raises(requests.exceptions.ConnectionError):
            requests.get(f"http://127.0.0.1:{port}/health", timeout=2)
        assert s.get(base + "/health").json() == {"status": "ok"}
    finally:
        proc.terminate()
        proc.wait(timeout=15)
