"""Webhook relay: Junction's http source and durable webhook sink against a
misbehaving receiver, Standard Webhooks signatures checked with the PyPI
`standardwebhooks` library, kill -9 and restart, fan-out with a target down,
dead letters and replay, and bad input."""
import concurrent.futures
import json
import os
import signal
import sqlite3
import subprocess
import threading
import time
from datetime import datetime, timezone

import pytest
from standardwebhooks.webhooks import Webhook

from conftest import log_tail, start_junction, wait_healthy
from webhook_peers import Receiver, free_port, post

SECRET_IN = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SECRET_OUT = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"


def config(port, sinks, outbox, source_extra="", route_extra=""):
    lines = [f"listen: 127.0.0.1:{port}", f"webhooks: {{ outbox: {outbox} }}",
             "sources:", f"  hooks: {{ type: http, path: /hooks/in{source_extra} }}", "sinks:"]
    for name, spec in sinks.items():
        lines.append(f"  {name}: {spec}")
    lines.append("routes:")
    lines.append(f"  - {{ from: [hooks], to: [{', '.join(sinks)}]{route_extra} }}")
    return "\n".join(lines) + "\n"


def outbox_rows(path, table="outbox"):
    with sqlite3.connect(path, timeout=5) as db:
        return db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def test_signed_relay_verified_by_standardwebhooks(junction, tmp_path):
    receiver = Receiver(secret=SECRET_OUT).start()
    port = free_port()
    sink = (f'{{ type: webhook, url: "{receiver.url}", secret: "{SECRET_OUT}", headers: {{ X-Env: test }}, '
            f'forward_headers: [x-github-event] }}')
    junction(config(port, {"out": sink}, tmp_path / "outbox.db", source_extra=", headers: [x-github-event]"))
    sent = [json.dumps({"n": i, "text": "héllo"}).encode() for i in range(40)]
    for body in sent:
        status, headers, reply = post(port, "/hooks/in", body, {"Content-Type": "application/json", "X-GitHub-Event": "push"})
        assert status == 202, reply
        assert json.loads(reply) == {"status": "accepted"}
    assert receiver.wait_for(lambda r: len(r.records()) >= 40, timeout=20)
    records = receiver.records()
    assert sorted(r[1] for r in records) == sorted(sent)
    assert receiver.bad_signatures == []
    ids = [r[0] for r in records]
    assert len(set(ids)) == 40 and all(i.startswith("msg_") for i in ids)
    h = records[0][2]
    assert h["content-type"] == "application/json"
    assert h["x-env"] == "test"
    assert h["x-github-event"] == "push"
    assert h["webhook-signature"].startswith("v1,")
    # The reference library agrees, and rejects a tampered body.
    wh = Webhook(SECRET_OUT)
    wh.verify(records[0][1], h)
    with pytest.raises(Exception):
        wh.verify(records[0][1] + b" ", h)


def test_flaky_receiver_gets_everything_with_stable_ids(junction, tmp_path):
    # 30 % answered 500, 5 % hang past the sink's 1 s timeout.
    receiver = Receiver(fail_rate=0.30, hang_rate=0.05, hang=2.0).start()
    port = free_port()
    schedule = "[0s, 100ms, 200ms, 300ms, 500ms, 500ms, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s]"
    sink = f'{{ type: webhook, url: "{receiver.url}", timeout: 1s, concurrency: 8, retry: {{ schedule: {schedule}, jitter: 0.1 }} }}'
    junction(config(port, {"out": sink}, tmp_path / "outbox.db"))
    total = 300

    def send(i):
        status, _, _ = post(port, "/hooks/in", f'{{"n":{i}}}'.encode(), {"Content-Type": "application/json"})
        return status

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(send, range(total)))
    assert statuses == [202] * total
    want = {f'{{"n":{i}}}'.encode() for i in range(total)}
    assert receiver.wait_for(lambda r: want <= set(r.bodies()), timeout=60), \
        f"missing {len(want - set(receiver.bodies()))} of {total}"
    assert receiver.failed > 0 and receiver.hung > 0
    # A message keeps its webhook-id across attempts: one id per body.
    ids_per_body = {}
    for wid, body, _, _ in receiver.records():
        ids_per_body.setdefault(body, set()).add(wid)
    assert all(len(ids) == 1 for ids in ids_per_body.values())
    # The outbox empties once every outcome is recorded.
    deadline = time.monotonic() + 5
    while outbox_rows(tmp_path / "outbox.db") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert outbox_rows(tmp_path / "outbox.db") == 0


def test_kill9_mid_stream_loses_nothing_acknowledged(junction_bin, tmp_path):
    receiver = Receiver(delay=0.004).start()  # slower than the senders: a backlog builds up
    port = free_port()
    sink = f'{{ type: webhook, url: "{receiver.url}", concurrency: 2, retry: {{ schedule: [0s, 200ms, 500ms, 1s, 1s, 1s, 1s, 1s, 1s, 1s] }} }}'
    path = tmp_path / "routes.yaml"
    path.write_text(config(port, {"out": sink}, tmp_path / "outbox.db"))
    proc = start_junction(junction_bin, path)
    wait_healthy(f"http://127.0.0.1:{port}", proc)

    acked = set()
    lock = threading.Lock()
    stop = threading.Event()
    counter = iter(range(10**9))

    def sender():
        while not stop.is_set():
            with lock:
                n = next(counter)
            body = f'{{"seq":{n}}}'.encode()
            try:
                status, _, _ = post(port, "/hooks/in", body, {"Content-Type": "application/json"}, timeout=10)
            except OSError:
                time.sleep(0.05)  # Junction is down: this one was never acknowledged
                continue
            if status == 202:
                with lock:
                    acked.add(body)

    threads = [threading.Thread(target=sender) for _ in range(6)]
    for t in threads:
        t.start()
    while len(acked) < 1500:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with lock:
        acked_before_kill = len(acked)
    delivered_before_kill = len(set(receiver.bodies()))
    # The senders keep trying while Junction is down; then it comes back on the same outbox.
    time.sleep(0.5)
    proc = start_junction(junction_bin, path)
    try:
        wait_healthy(f"http://127.0.0.1:{port}", proc)
        time.sleep(1.0)
        stop.set()
        for t in threads:
            t.join()
        delivered_all = receiver.wait_for(lambda r: acked <= set(r.bodies()), timeout=60)
        assert delivered_all, (f"{len(acked - set(receiver.bodies()))} of {len(acked)} acknowledged messages missing; "
                               f"{outbox_rows(tmp_path / 'outbox.db')} rows in the outbox, "
                               f"{outbox_rows(tmp_path / 'outbox.db', 'dead_letters')} dead letters\n{log_tail(proc)}")
        bodies = receiver.bodies()
        lost = len(acked - set(bodies))
        duplicates = len(bodies) - len(set(bodies))
        print(f"\nkill -9: {len(acked)} acknowledged ({acked_before_kill} before the kill, "
              f"{delivered_before_kill} delivered by then), lost {lost}, duplicates {duplicates}")
        assert lost == 0
        assert delivered_before_kill < acked_before_kill, "the kill should have left a backlog in the outbox"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_fanout_target_down_for_30s_does_not_slow_the_others(junction, tmp_path):
    a, b = Receiver().start(), Receiver().start()
    c_port = free_port()  # nobody listens here for the first 30 s
    port = free_port()
    retry = "retry: { schedule: [0s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s], jitter: 0 }"
    sinks = {
        "a": f'{{ type: webhook, url: "{a.url}", {retry} }}',
        "b": f'{{ type: webhook, url: "{b.url}", {retry} }}',
        "c": f'{{ type: webhook, url: "http://127.0.0.1:{c_port}/hook", timeout: 2s, {retry} }}',
    }
    junction(config(port, sinks, tmp_path / "outbox.db"))
    sent_at = {}
    rate = 50  # messages per second for 30 s
    start = time.monotonic()
    n = 0
    while time.monotonic() - start < 30:
        body = f'{{"n":{n}}}'.encode()
        sent_at[body] = time.monotonic()
        status, _, _ = post(port, "/hooks/in", body, {"Content-Type": "application/json"})
        assert status == 202
        n += 1
        time.sleep(max(0, start + n / rate - time.monotonic()))
    c = Receiver(port=c_port).start()
    try:
        for r in (a, b):
            assert r.wait_for(lambda r: len(set(r.bodies())) >= n, timeout=10)
            lags = sorted(t - sent_at[body] for _, body, _, t in r.records())
            p99 = lags[int(len(lags) * 0.99) - 1]
            print(f"\nwhile c was down: {n} messages, delivery lag p99 {p99 * 1000:.1f} ms")
            assert p99 < 1.0, f"a healthy target fell behind: p99 lag {p99:.2f} s"
        # The down target gets everything once it is back.
        assert c.wait_for(lambda r: len(set(r.bodies())) >= n, timeout=30)
    finally:
        c.stop()


def test_dead_letters_listed_and_replayed_with_the_same_id(junction, junction_bin, tmp_path):
    receiver = Receiver().start()
    receiver.status_for = lambda body: 404 if b"poison" in body else None
    port = free_port()
    junction(config(port, {"out": f'{{ type: webhook, url: "{receiver.url}" }}'}, tmp_path / "outbox.db"))
    for body in [b'{"ok":1}', b'{"poison":1}', b'{"poison":2}', b'{"ok":2}']:
        assert post(port, "/hooks/in", body, {"Content-Type": "application/json"})[0] == 202
    assert receiver.wait_for(lambda r: len(r.records()) == 2 and r.failed == 2, timeout=10)
    cfg = str(tmp_path / "routes.yaml")
    deadline = time.monotonic() + 5
    while True:
        listed = subprocess.run([junction_bin, "webhooks", "dlq", "list", "--config", cfg, "--json"], capture_output=True, text=True)
        assert listed.returncode == 0, listed.stderr
        letters = [json.loads(line) for line in listed.stdout.splitlines()]
        if len(letters) == 2 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert sorted(l["payload"] for l in letters) == ['{"poison":1}', '{"poison":2}']
    assert all(l["sink"] == "out" and "404" in l["last_error"] and l["attempts"] == 1 for l in letters)
    ids = {l["webhook_id"] for l in letters}
    # Nothing failed in the future: --since a minute from now replays nothing.
    later = datetime.fromtimestamp(time.time() + 60, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    none = subprocess.run([junction_bin, "webhooks", "dlq", "replay", "--config", cfg, "--since", later], capture_output=True, text=True)
    assert none.returncode == 0 and none.stdout.strip() == "replayed 0 messages", none.stderr
    receiver.status_for = None
    replayed = subprocess.run([junction_bin, "webhooks", "dlq", "replay", "--config", cfg, "--since", "10m"], capture_output=True, text=True)
    assert replayed.returncode == 0, replayed.stderr
    assert replayed.stdout.strip() == "replayed 2 messages"
    # The running Junction picks them up and delivers them with their webhook-id unchanged.
    assert receiver.wait_for(lambda r: len(r.records()) == 4, timeout=10)
    poisoned = {wid for wid, body, _, _ in receiver.records() if b"poison" in body}
    assert poisoned == ids
    assert outbox_rows(tmp_path / "outbox.db", "dead_letters") == 0
    # Bad arguments are refused with a message, never a crash; a mistyped outbox is not created.
    for since in ["99999999999999999999999", "1e30d", "infd", "yesterday"]:
        bad = subprocess.run([junction_bin, "webhooks", "dlq", "list", "--config", cfg, "--since", since], capture_output=True, text=True)
        assert bad.returncode not in (0,) and bad.returncode > 0 and "--since" in bad.stderr, (since, bad.returncode, bad.stderr)
    missing = tmp_path / "typo.db"
    bad = subprocess.run([junction_bin, "webhooks", "dlq", "list", "--outbox", str(missing)], capture_output=True, text=True)
    assert bad.returncode > 0 and "no outbox" in bad.stderr and not missing.exists()


def test_bad_requests_rejected_and_nothing_stored(junction, tmp_path):
    receiver = Receiver().start()
    port = free_port()
    text = config(port, {"out": f'{{ type: webhook, url: "{receiver.url}" }}'}, tmp_path / "outbox.db",
                  source_extra=f', max_body: 1KiB, secret: "{SECRET_IN}"')
    text = text.replace("  - { from: [hooks], to: [out] }",
                        "  - { from: [hooks], to: [out] }\n  - { from: [json_in], via: [needs_json], to: [out] }")
    text = text.replace("sinks:", f"  json_in: {{ type: http, path: /hooks/json, token: s3cret }}\nstages:\n  needs_json: {{ type: transform, set: {{ seen: true }} }}\nsinks:")
    junction(text)
    signer = Webhook(SECRET_IN)

    def signed(body, msg_id="msg_1", ts=None):
        ts = ts or datetime.now(tz=timezone.utc)
        return {"webhook-id": msg_id, "webhook-timestamp": str(int(ts.timestamp())),
                "webhook-signature": signer.sign(msg_id, ts, body.decode()), "Content-Type": "application/json"}

    good = b'{"good":true}'
    assert post(port, "/hooks/in", good, signed(good))[0] == 202
    # Bad signature, missing signature, stale timestamp, tampered body.
    status, _, reply = post(port, "/hooks/in", b'{"x":1}', {**signed(b'{"x":1}'), "webhook-signature": "v1,AAAA"})
    assert status == 401 and b"signature" in reply
    assert post(port, "/hooks/in", b'{"x":2}', {"Content-Type": "application/json"})[0] == 401
    old = datetime.fromtimestamp(time.time() - 3600, tz=timezone.utc)
    assert post(port, "/hooks/in", b'{"x":3}', signed(b'{"x":3}', ts=old))[0] == 401
    assert post(port, "/hooks/in", b'{"x":44}', signed(b'{"x":4}'))[0] == 401
    # Wrong method, oversized body.
    status, headers, _ = post(port, "/hooks/in", b"", {}, method="GET")
    assert status == 405 and "POST" in headers.get("allow", "")
    big = b'{"pad":"' + b"x" * 2000 + b'"}'
    assert post(port, "/hooks/in", big, signed(big))[0] == 413
    # Bearer token: missing and wrong are 401; a body a stage rejects is 422.
    assert post(port, "/hooks/json", b'{"a":1}', {"Content-Type": "application/json"})[0] == 401
    assert post(port, "/hooks/json", b'{"a":1}', {"Authorization": "Bearer nope"})[0] == 401
    status, _, reply = post(port, "/hooks/json", b"not json", {"Authorization": "Bearer s3cret", "Content-Type": "application/json"})
    assert status == 422, reply
    assert post(port, "/hooks/json", b'{"a":1}', {"Authorization": "Bearer s3cret", "Content-Type": "application/json"})[0] == 202
    # Only the two good messages went anywhere; the service still serves.
    assert receiver.wait_for(lambda r: len(r.records()) == 2, timeout=10)
    time.sleep(0.5)
    bodies = sorted(receiver.bodies())
    assert bodies[0] == b'{"a":1,"seen":true}' or json.loads(bodies[0]) == {"a": 1, "seen": True}
    assert bodies[1] == good
    assert outbox_rows(tmp_path / "outbox.db", "dead_letters") == 0


def test_full_route_answers_503_with_retry_after(junction, tmp_path):
    # The target is down and the sink takes at most 3 undelivered messages: the
    # route fills, the source pauses, and requests give up after max_wait.
    port = free_port()
    down = free_port()
    sink = f'{{ type: webhook, url: "http://127.0.0.1:{down}/hook", max_pending: 3, retry: {{ schedule: [0s, 30s] }} }}'
    junction(config(port, {"out": sink}, tmp_path / "outbox.db",
                    source_extra=", max_wait: 500ms, ack_timeout: 4s, retry_after: 7",
                    route_extra=", high_water: 100, low_water: 50"))
    for i in range(3):
        assert post(port, "/hooks/in", f'{{"n":{i}}}'.encode(), {"Content-Type": "application/json"})[0] == 202

    def send(i):
        started = time.monotonic()
        body = json.dumps({"n": i, "pad": "x" * 200}).encode()  # each message alone fills an edge
        status, headers, reply = post(port, "/hooks/in", body, {"Content-Type": "application/json"})
        return status, headers.get("retry-after"), time.monotonic() - started, reply

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(send, range(3, 11)))
    assert all(status == 503 and retry_after == "7" for status, retry_after, _, _ in results), results
    # Those the paused source never took were refused after max_wait, not after ack_timeout.
    quick = [r for r in results if r[2] < 2.0]
    assert quick and all(b"full" in r[3] for r in quick), results
