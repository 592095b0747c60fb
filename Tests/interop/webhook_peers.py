"""A webhook receiver that misbehaves on demand, and a sender, for the webhook suites."""
import http.client
import http.server
import json
import random
import socket
import threading
import time

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Receiver:
    """An HTTP/1.1 server recording every request it answers 2xx.

    fail_rate: share answered 500; hang_rate: share that sleep `hang` seconds
    before answering (past the sink's timeout); status_for(body) may force a
    status; secret: every request must verify with the standardwebhooks
    library (failures are recorded in `bad_signatures`)."""

    def __init__(self, port=None, fail_rate=0.0, hang_rate=0.0, hang=3.0, secret=None, delay=0.0, seed=7):
        self.port = port or free_port()
        self.fail_rate, self.hang_rate, self.hang, self.delay = fail_rate, hang_rate, hang, delay
        self.verifier = Webhook(secret) if secret else None
        self.status_for = None
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.delivered = []  # (webhook-id, body bytes, headers dict, time)
        self.attempts = 0
        self.failed = 0
        self.hung = 0
        self.bad_signatures = []
        self.server = None
        self.thread = None

    def start(self):
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes: without this, Nagle and
            # delayed ACKs add 40 ms to every answer on a kept-alive connection.
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                with receiver.lock:
                    receiver.attempts += 1
                    roll = receiver.random.random()
                    forced = receiver.status_for(body) if receiver.status_for else None
                if receiver.verifier is not None:
                    try:
                        receiver.verifier.verify(body, headers)
                    except WebhookVerificationError as e:
                        with receiver.lock:
                            receiver.bad_signatures.append(str(e))
                if forced is None and roll < receiver.hang_rate:
                    with receiver.lock:
                        receiver.hung += 1
                    time.sleep(receiver.hang)
                    status = 500
                elif forced is not None:
                    status = forced
                elif roll < receiver.hang_rate + receiver.fail_rate:
                    status = 500
                else:
                    status = 200
                if receiver.delay:
                    time.sleep(receiver.delay)
                with receiver.lock:
                    if 200 <= status < 300:
                        receiver.delivered.append((headers.get("webhook-id"), body, headers, time.monotonic()))
                    else:
                        receiver.failed += 1
                reply = b'{"ok":true}' if status == 200 else b'{"error":"nope"}'
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", str(len(reply)))
                    self.end_headers()
                    self.wfile.write(reply)
                except OSError:
                    pass

            do_PUT = do_POST

        class Server(http.server.ThreadingHTTPServer):
            allow_reuse_address = True
            daemon_threads = True
            request_queue_size = 256

            def handle_error(self, request, client_address):
                pass  # a sender killed mid-request (the kill -9 test) is expected

        self.server = Server(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/hook"

    def bodies(self):
        with self.lock:
            return [d[1] for d in self.delivered]

    def records(self):
        with self.lock:
            return list(self.delivered)

    def wait_for(self, predicate, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self):
                return True
            time.sleep(0.05)
        return predicate(self)


def post(port, path, body, headers=None, method="POST", timeout=30):
    """One request on a fresh connection: (status, headers dict, body bytes)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def body_json(body):
    return json.loads(body.decode())
