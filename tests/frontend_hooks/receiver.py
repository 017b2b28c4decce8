"""A real webhook receiver on loopback for the tests: verifies every request with the ``standardwebhooks``
library, as a front-end would, and records what it accepted. It can be stopped and started again on the same
port, made slow, or made to answer with a given status."""

import http.server
import json
import threading
import time

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


class Receiver:
    def __init__(self, secret):
        self.secret = secret
        self.received = []  # (webhook-id, payload) of each verified request, in order
        self.rejected = []  # verification errors
        self.status = 204
        self.headers = {}
        self.delay = 0.0
        self.port = None
        self.server = None
        self.lock = threading.Lock()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/hooks"

    def start(self):
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                try:
                    payload = Webhook(receiver.secret).verify(body, dict(self.headers))
                except WebhookVerificationError as exc:
                    with receiver.lock:
                        receiver.rejected.append(str(exc))
                    self.send_response(400)
                    self.end_headers()
                    return
                with receiver.lock:
                    receiver.received.append((self.headers["webhook-id"], payload))
                if receiver.delay:
                    time.sleep(receiver.delay)
                self.send_response(receiver.status)
                for name, value in receiver.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        # Port 0 the first time; the same port after a restart (a receiver coming back at its address).
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port or 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def ids(self):
        with self.lock:
            return [webhook_id for webhook_id, _payload in self.received]

    def payloads(self):
        with self.lock:
            return [payload for _id, payload in self.received]

    def __repr__(self):
        return f"Receiver({self.url}, {len(self.received)} received)"


def dumps(payload):
    return json.dumps(payload, sort_keys=True)
