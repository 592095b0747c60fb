"""Set -> stream delivery latency, for benchmarks/xrtc.sh.

    latency.py PORT ACCOUNT KEY N junction   # through an XRTC server
    latency.py 0 - - N direct                # the same two processes, no server

junction: one session streams a portal, another sets N items on it one per
ms, each carrying its send time (CLOCK_MONOTONIC); the reader notes arrival
minus send time. direct: a raw TCP floor: the same two processes, paced the
same way, send the timestamps as JSON lines over one TCP connection (no HTTP
client, no server), which shows what Python processes and the machine add
by themselves. Reader and writer are separate
processes, so an arrival is stamped when it is read, not when the writer's
thread lets go of Python's GIL. Items left in the portal by an earlier round
are not counted. Prints "p50 p99" in ms.
"""
import http.client, json, multiprocessing, socket, sys, time

port, account, key, n, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]


def login():
    c = http.client.HTTPConnection("127.0.0.1", port)
    c.request("POST", "/v1/auth/login", json.dumps({"accountid": account, "apikey": key}))
    r = c.getresponse(); r.read()
    return c, r.getheader("Set-Cookie").split(";")[0]


def stream_reader(results, ready):
    # A new session's first get also returns what the portal's ring still
    # holds from earlier rounds: those items were sent before this one began.
    began = time.perf_counter_ns()
    c, cookie = login()
    body = json.dumps({"portals": [{"portalid": "lat"}], "mode": "stream"})
    latencies = []
    while len(latencies) < n:
        c.request("POST", "/v1/item/get", body, {"Cookie": cookie})
        r = c.getresponse()
        ready.put(0)
        while len(latencies) < n:
            line = r.readline()
            if not line:
                break
            now = time.perf_counter_ns()
            for item in json.loads(line).get("items", []):
                if int(item["payload"]) > began:
                    latencies.append(now - int(item["payload"]))
        r.close()
    results.put(latencies)


def direct_reader(results, ready):
    server = socket.create_server(("127.0.0.1", 0))
    ready.put(server.getsockname()[1])
    conn, _ = server.accept()
    lines = conn.makefile("rb")
    latencies = []
    while len(latencies) < n:
        line = lines.readline()
        if not line:
            break
        now = time.perf_counter_ns()
        latencies.append(now - int(json.loads(line)["payload"]))
    results.put(latencies)


def paced(send):
    for _ in range(n):
        start = time.perf_counter_ns()
        send(start)
        spare = 0.001 - (time.perf_counter_ns() - start) / 1e9
        if spare > 0:
            time.sleep(spare)


if __name__ == "__main__":
    fork = multiprocessing.get_context("fork")
    results, ready = fork.Queue(), fork.Queue()
    fork.Process(target=stream_reader if mode == "junction" else direct_reader, args=(results, ready), daemon=True).start()
    if mode == "junction":
        w, cookie = login()
        ready.get(timeout=10)
        time.sleep(0.2)

        def send(start):
            w.request("POST", "/v1/item/set", json.dumps({"items": [{"portalid": "lat", "payload": str(start)}]}), {"Cookie": cookie})
            w.getresponse().read()
    else:
        s = socket.create_connection(("127.0.0.1", ready.get(timeout=10)))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        time.sleep(0.2)

        def send(start):
            s.sendall((json.dumps({"payload": str(start)}) + "\n").encode())
    paced(send)
    try:
        lat = sorted(results.get(timeout=10))
    except Exception:
        lat = []
    if len(lat) < n:
        print(f"only {len(lat)} of {n} items arrived", file=sys.stderr)
        sys.exit(1)
    print("%.3f %.3f" % (lat[len(lat) // 2] / 1e6, lat[int(len(lat) * 0.99) - 1] / 1e6))
