"""Chromium -> Junction throughput. Run inside a private network namespace
(datachannel.sh starts it with `unshare -n` and a veth at 10.99.0.1, as the
Chromium interop test does: Chromium gathers no loopback candidates, and no
packet may leave that namespace).

Starts Junction with channel `bulk` routed into a discarding file sink,
loads a same-origin page in headless Chromium (Selenium), which sends
16 KiB messages for SECONDS or MAX_MIB keeping bufferedAmount between 1 and
4 MiB; Junction's sink byte counter, read by meter.py, gives the goodput.
Prints one JSON object.

    python chromium.py JUNCTION_BIN WORKDIR [--seconds S] [--max-mib M] [--size N]
"""
import argparse
import json
import os
import shutil
import subprocess
import time

from common import HIGH_WATER, LOW_WATER, MIB, cpu_seconds, descendants, idle_since, machine_jiffies, wait_healthy
from meter import Meter, goodput

PORT = 8090
CONFIG = f"""\
listen: 127.0.0.1:{PORT}
rtc:
  addresses: [10.99.0.1]
sources:
  bulk_in: {{ type: datachannel, label: bulk }}
sinks:
  discard: {{ type: file, path: /dev/null, codec: raw }}
routes:
  - {{ from: bulk_in, to: discard }}
"""

PAGE_SCRIPT = """
const [size, seconds, limit, low, high] = arguments;
const done = arguments[arguments.length - 1];
(async () => {
  const pc = new RTCPeerConnection();
  const bulk = pc.createDataChannel("bulk");
  const opened = new Promise((ok, fail) => {
    bulk.onopen = ok; setTimeout(() => fail(new Error("bulk did not open")), 30000);
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
  await pc.setRemoteDescription(await response.json());
  await opened;
  const payload = new Uint8Array(size);
  for (let k = 0; k < size; k++) payload[k] = (k * 131) % 251;
  bulk.bufferedAmountLowThreshold = low;
  let sent = 0, peak = 0;
  const start = performance.now(), end = start + seconds * 1000;
  while (sent < limit && performance.now() < end) {
    while (bulk.bufferedAmount + size <= high && sent + size <= limit) {
      bulk.send(payload);
      sent += size;
    }
    peak = Math.max(peak, bulk.bufferedAmount);
    if (sent + size > limit) break;
    if (bulk.bufferedAmount > low) {
      await new Promise((ok) => { bulk.onbufferedamountlow = ok; });
    }
  }
  const senderSeconds = (performance.now() - start) / 1000;
  // Leave the connection up until the caller has seen every byte arrive.
  window.benchPc = pc;
  return {sent, peak, senderSeconds};
})().then(done, (e) => done({error: String(e)}));
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("junction")
    parser.add_argument("workdir")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--max-mib", type=int, default=256)
    parser.add_argument("--size", type=int, default=16 * 1024)
    args = parser.parse_args()

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    config = os.path.join(args.workdir, "chromium-routes.yaml")
    with open(config, "w") as f:
        f.write(CONFIG)
    base = f"http://127.0.0.1:{PORT}"
    log = open(os.path.join(args.workdir, "chromium-junction.log"), "w")
    junction = subprocess.Popen([args.junction, "run", config, "--log-level", "warning"], stderr=log)
    meter = Meter(base + "/metrics", "junction_bytes_total", component="discard", kind="sink")
    driver = None
    try:
        wait_healthy(base)
        options = webdriver.ChromeOptions()
        options.binary_location = shutil.which("chromium")
        for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-features=WebRtcHideLocalIpsWithMdns"]:
            options.add_argument(flag)
        driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
        driver.set_script_timeout(args.seconds + 120)
        driver.get(base + "/health")  # same origin as /rtc/offer
        base_bytes = meter.value()
        meter.start()
        time.sleep(0.2)
        browser = descendants(driver.service.process.pid)
        cpu_before = (cpu_seconds([junction.pid]), cpu_seconds(browser), machine_jiffies())
        start = time.monotonic()
        page = driver.execute_async_script(PAGE_SCRIPT, args.size, args.seconds, args.max_mib * MIB, LOW_WATER, HIGH_WATER)
        if "error" in page:
            raise RuntimeError(page["error"])
        deadline = time.monotonic() + 120
        while meter.value() < base_bytes + page["sent"]:
            if time.monotonic() > deadline:
                raise RuntimeError("Junction did not count every byte within 120 s")
            time.sleep(0.05)
        window = time.monotonic() - start
        junction_cpu = cpu_seconds([junction.pid]) - cpu_before[0]
        browser_cpu = cpu_seconds(browser) - cpu_before[1]
        idle = idle_since(cpu_before[2])
        time.sleep(0.1)
        rate, seconds = goodput(meter.stop(), base_bytes, page["sent"])
        print(json.dumps({"bytes": page["sent"], "seconds": round(seconds, 3), "mb_per_s": round(rate / 1e6, 2),
                          "sender_seconds": round(page["senderSeconds"], 3), "peak_buffered": page["peak"],
                          "sender_cpu": round(browser_cpu / window, 3), "receiver_cpu": round(junction_cpu / window, 3),
                          "machine_idle": idle}))
    finally:
        meter.kill()
        if driver is not None:
            driver.quit()
        junction.terminate()
        try:
            junction.wait(timeout=15)
        except subprocess.TimeoutExpired:
            junction.kill()
            junction.wait()


if __name__ == "__main__":
    main()
