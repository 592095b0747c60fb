"""A real browser against Junction's data channels: headless Chromium (Debian's
chromium and chromium-driver, driven by Selenium) opens channels to Junction,
echoes 100 messages and sends 5 MB through an echo route.

Chromium does not gather loopback candidates, and its other host addresses
are not for test traffic here, so Junction and Chromium both run inside a
private network namespace made for the test (`unshare -n`) with a veth pair
at 10.99.0.1: every packet stays inside it.
"""
import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import wait_healthy

CHROMIUM = shutil.which("chromium")
DRIVER = shutil.which("chromedriver")


def can_make_namespace():
    try:
        return subprocess.run(["unshare", "-n", "true"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


pytestmark = [
    pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="Debian chromium and chromium-driver are not installed (scripts/bootstrap.sh installs them)"),
    pytest.mark.skipif(not can_make_namespace(), reason="no permission to make a network namespace (unshare -n) for the browser's traffic"),
]

PAGE_SCRIPT = """
const done = arguments[arguments.length - 1];
const mdns = arguments[0];
(async () => {
  const results = {};
  const pc = new RTCPeerConnection();
  const chat = pc.createDataChannel("chat");
  const bulk = pc.createDataChannel("bulk");
  const opened = (ch) => new Promise((ok, fail) => {
    ch.onopen = ok; setTimeout(() => fail(new Error(ch.label + " did not open")), 20000);
  });
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((ok) => {
    if (pc.iceGatheringState === "complete") return ok();
    pc.onicegatheringstatechange = () => pc.iceGatheringState === "complete" && ok();
    setTimeout(ok, 3000);
  });
  const response = await fetch("/rtc/offer", {
    method: "POST", headers: {"Content-Type": "application/json"},
    body: JSON.stringify({type: "offer", sdp: pc.localDescription.sdp}),
  });
  const answer = await response.json();
  await pc.setRemoteDescription(answer);
  await Promise.all([opened(chat), opened(bulk)]);
  results.maxMessageSize = pc.sctp.maxMessageSize;
  // Chromium may fire the channels' open before it moves connectionState on.
  for (let i = 0; i < 100 && pc.connectionState !== "connected"; i++) await new Promise((ok) => setTimeout(ok, 50));
  results.connectionState = pc.connectionState;

  // 100 echoes, one at a time.
  const echoes = [];
  for (let i = 0; i < 100; i++) {
    const got = new Promise((ok) => { chat.onmessage = (e) => ok(e.data); });
    chat.send("echo " + i);
    echoes.push(await got);
  }
  results.echoes = echoes;

  // 5 MB in 16 KiB messages, paced by bufferedAmount, echoed back whole.
  const total = 5 * 1024 * 1024, chunk = 16 * 1024;
  let received = 0, sum = 0, sentSum = 0;
  const allBack = new Promise((ok) => {
    bulk.binaryType = "arraybuffer";
    bulk.onmessage = (e) => {
      const bytes = new Uint8Array(e.data);
      for (let k = 0; k < bytes.length; k += 997) sum = (sum + bytes[k] * (k + 1)) % 1000000007;
      received += bytes.length;
      if (received >= total) ok();
    };
  });
  bulk.bufferedAmountLowThreshold = 256 * 1024;
  const started = performance.now();
  for (let off = 0; off < total; off += chunk) {
    if (bulk.bufferedAmount > 1024 * 1024) {
      await new Promise((ok) => { bulk.onbufferedamountlow = ok; });
    }
    const bytes = new Uint8Array(chunk);
    for (let k = 0; k < chunk; k++) bytes[k] = (off + k * 31) & 255;
    for (let k = 0; k < bytes.length; k += 997) sentSum = (sentSum + bytes[k] * (k + 1)) % 1000000007;
    bulk.send(bytes);
  }
  await allBack;
  results.bulkSeconds = (performance.now() - started) / 1000;
  results.received = received;
  results.checksumMatches = sum === sentSum;
  pc.close();
  return results;
})().then(done, (e) => done({error: String(e)}));
"""


CONFIG = """\
listen: 127.0.0.1:8090
rtc:
  addresses: [10.99.0.1]
sources:
  chat_in: { type: datachannel, label: chat }
  bulk_in: { type: datachannel, label: bulk }
sinks:
  chat_out: { type: datachannel, label: chat }
  bulk_out: { type: datachannel, label: bulk }
routes:
  - { from: chat_in, to: chat_out }
  - { from: bulk_in, to: bulk_out }
"""

RTM_CONFIG = CONFIG + """rtm:
  path: /rtm
"""

# session_start over a WebSocket from the page: the answer arrives as
# sdp_update, the session goes SETUP -> ACTIVE, its channel echoes through the
# route, an sdp_update offer (audio added, ICE restarted) is answered and the
# channel goes on, and session_stop ends it with TERM_BY_CLIENT.
RTM_PAGE_SCRIPT = """
const done = arguments[arguments.length - 1];
(async () => {
  const results = {states: []};
  const ws = new WebSocket("ws://" + location.host + "/rtm");
  const inbox = [];
  let wake = null;
  ws.onmessage = (e) => { inbox.push(JSON.parse(e.data)); if (wake) { wake(); wake = null; } };
  await new Promise((ok, fail) => { ws.onopen = ok; ws.onerror = () => fail(new Error("websocket failed")); });
  const next = async (type) => {
    for (;;) {
      const i = inbox.findIndex((m) => m.type === type);
      if (i >= 0) return inbox.splice(i, 1)[0];
      await new Promise((ok, fail) => { wake = ok; setTimeout(() => fail(new Error("no " + type)), 20000); });
    }
  };
  const send = (type, data) => ws.send(JSON.stringify({type, client_id: "browser-1", session_id: "browser-session", data: data || {}}));
  const pc = new RTCPeerConnection();
  const chat = pc.createDataChannel("chat");
  await pc.setLocalDescription(await pc.createOffer());
  pc.onicecandidate = (e) => { if (e.candidate) send("candidate", {candidate: e.candidate.toJSON()}); };
  send("session_start", {sdp: {type: "offer", sdp: pc.localDescription.sdp}});
  const answer = await next("sdp_update");
  await pc.setRemoteDescription(answer.data.sdp);
  await new Promise((ok, fail) => { chat.onopen = ok; setTimeout(() => fail(new Error("chat did not open")), 20000); });
  results.states.push((await next("session_state")).data.state);
  results.states.push((await next("session_state")).data.state);
  const echoes = [];
  for (let i = 0; i < 10; i++) {
    const got = new Promise((ok) => { chat.onmessage = (e) => ok(e.data); });
    chat.send("rtm " + i);
    echoes.push(await got);
  }
  results.echoes = echoes;
  // Renegotiation over sdp_update: an audio section (declined) and an ICE
  // restart; the channel goes on over the restarted ICE.
  const firstUfrag = answer.data.sdp.sdp.match(/a=ice-ufrag:([^\\r\\n]+)/)[1];
  pc.addTransceiver("audio");
  pc.restartIce();
  await pc.setLocalDescription(await pc.createOffer());
  send("sdp_update", {sdp: {type: "offer", sdp: pc.localDescription.sdp}});
  const reanswer = await next("sdp_update");
  await pc.setRemoteDescription(reanswer.data.sdp);
  results.audioDeclined = /\\r\\nm=audio 0 /.test(reanswer.data.sdp.sdp);
  results.newUfrag = reanswer.data.sdp.sdp.match(/a=ice-ufrag:([^\\r\\n]+)/)[1] !== firstUfrag;
  const ourUfrag = pc.localDescription.sdp.match(/a=ice-ufrag:([^\\r\\n]+)/)[1];
  results.transports = [];
  for (let i = 0; i < 100; i++) {
    const stats = await pc.getStats();
    // The selected pair must be one of the restarted generation: its local
    // candidate carries the new ufrag, and Junction answered its checks.
    const t = [...stats.values()].find((s) => s.type === "transport");
    const pair = t && stats.get(t.selectedCandidatePairId);
    const local = pair && stats.get(pair.localCandidateId);
    if (local && local.usernameFragment === ourUfrag && pair.state === "succeeded") { results.restartedICE = true; break; }
    if (i === 99) results.transports = [t, pair, local];
    await new Promise((ok) => setTimeout(ok, 100));
  }
  for (let i = 0; i < 10; i++) {
    const got = new Promise((ok) => { chat.onmessage = (e) => ok(e.data); });
    chat.send("after " + i);
    echoes.push(await got);
  }
  send("ping");
  results.pong = (await next("pong")).type;
  send("session_stop");
  results.states.push((await next("session_state")).data.state);
  const last = await next("session_state");
  results.states.push(last.data.state);
  results.cause = last.data.termination_cause;
  pc.close();
  ws.close();
  return results;
})().then(done, (e) => done({error: String(e)}));
"""

NAMESPACE_SETUP = "ip link set lo up && ip link add v0 type veth peer name v1 && ip addr add 10.99.0.1/24 dev v0 && ip link set v0 up && ip link set v1 up"


def inside_namespace(junction_bin, config_path, mdns_hidden, script="PAGE_SCRIPT"):
    """Runs in the namespace: starts Junction, drives Chromium, prints the page's results as JSON."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    junction = subprocess.Popen([junction_bin, "run", config_path], stderr=subprocess.PIPE)
    base = "http://127.0.0.1:8090"
    try:
        wait_healthy(base, junction)
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]:
            options.add_argument(flag)
        if not mdns_hidden:
            options.add_argument("--disable-features=WebRtcHideLocalIpsWithMdns")
        driver = webdriver.Chrome(service=Service(DRIVER), options=options)
        try:
            driver.set_script_timeout(120)
            driver.get(base + "/health")  # same origin as /rtc/offer
            results = driver.execute_async_script(globals()[script], mdns_hidden)
        finally:
            driver.quit()
    finally:
        junction.terminate()
        try:
            junction.wait(timeout=15)
        except subprocess.TimeoutExpired:
            junction.kill()
    print(json.dumps(results))


def run_in_namespace(junction_bin, tmp_path, config_text, mdns_hidden, script):
    """Junction and Chromium in a fresh network namespace; the page's results."""
    config = tmp_path / "routes.yaml"
    config.write_text(config_text)
    here = os.path.dirname(os.path.abspath(__file__))
    code = (f"import sys; sys.path.insert(0, {here!r}); import test_chromium; "
            f"test_chromium.inside_namespace({junction_bin!r}, {str(config)!r}, {mdns_hidden!r}, {script!r})")
    run = subprocess.run(["unshare", "-n", "sh", "-c", NAMESPACE_SETUP + ' && exec "$0" -c "$1"', sys.executable, code],
                         capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stderr[-4000:]
    results = json.loads(run.stdout.strip().splitlines()[-1])
    assert "error" not in results, json.dumps(results)
    return results


@pytest.mark.parametrize("mdns_hidden", [False, True], ids=["host-candidates", "mdns-candidates"])
def test_chromium_echo_and_five_megabytes(junction_bin, tmp_path, mdns_hidden):
    results = run_in_namespace(junction_bin, tmp_path, CONFIG, mdns_hidden, "PAGE_SCRIPT")
    assert results["maxMessageSize"] == 262144
    assert results["connectionState"] == "connected"
    assert results["echoes"] == [f"echo {i}" for i in range(100)]
    assert results["received"] == 5 * 1024 * 1024
    assert results["checksumMatches"]


def test_chromium_rtm_session_over_websocket(junction_bin, tmp_path):
    results = run_in_namespace(junction_bin, tmp_path, RTM_CONFIG, False, "RTM_PAGE_SCRIPT")
    assert results["states"] == ["SETUP", "ACTIVE", "SHUTDOWN", "TERMINATED"]
    assert results["cause"] == "TERM_BY_CLIENT"
    assert results["echoes"] == [f"rtm {i}" for i in range(10)] + [f"after {i}" for i in range(10)]
    assert results["pong"] == "pong"
    assert results["audioDeclined"] and results["newUfrag"]
    assert results.get("restartedICE"), results["transports"]  # transport, selected pair, its local candidate
