"""The webhook receiver of ``bench.operate``, in a process of its own (so that the load generator's threads
cannot delay when a delivery is noted): ``python -m bench.operate_receiver <port> <secret> <record file>``.

It verifies every request with the ``standardwebhooks`` library, as a front-end would, answers 204 to what
verifies and 400 to what does not, and appends one JSON line per request to the record file: its
``webhook-id``, event type, the change event's time (the payload's ``timestamp``), the object, and when it
arrived (wall clock, the same clock the editor notes its commits with). A repeated ``webhook-id`` is recorded
again: counting repeats is the point.

Commands on stdin, one per line: ``down`` closes the listening socket (deliveries are refused, as when the
front-end is down), ``up`` listens again on the same port, ``quit`` ends the process. ``ready`` and the port are
printed on stdout at start, ``ok <command>`` after each command.
"""

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


class Receiver:
    def __init__(self, port, secret, record_path):
        self.port = port
        self.webhook = Webhook(secret)
        self.record = open(record_path, "a", buffering=1, encoding="utf-8")  # noqa: SIM115 (lives as long as we do)
        self.lock = threading.Lock()
        self.server = None
        self.thread = None

    def write(self, item):
        with self.lock:
            self.record.write(json.dumps(item) + "\n")
            self.record.flush()

    def handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                arrived = time.time()
                try:
                    payload = receiver.webhook.verify(body, dict(self.headers))
                except WebhookVerificationError as exc:
                    receiver.write({"rejected": str(exc), "arrived": arrived, "id": self.headers.get("webhook-id")})
                    self.send_response(400)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                receiver.write(
                    {
                        "id": self.headers["webhook-id"],
                        "type": payload.get("type"),
                        "event_time": payload.get("timestamp"),
                        "object": payload.get("data", {}).get("object"),
                        "signed_at": int(self.headers.get("webhook-timestamp", 0)),
                        "arrived": arrived,
                    }
                )
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        return Handler

    def up(self):
        if self.server is not None:
            return
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), self.handler())
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def down(self):
        if self.server is None:
            return
        self.server.shutdown()
        self.server.server_close()  # the port is closed: a delivery now gets "connection refused"
        self.server = None


def main():
    port, secret, record_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    receiver = Receiver(port, secret, record_path)
    receiver.up()
    print(f"ready {receiver.port}", flush=True)
    for line in sys.stdin:
        command = line.strip()
        if command == "down":
            receiver.down()
        elif command == "up":
            receiver.up()
        elif command == "quit":
            break
        print(f"ok {command}", flush=True)
    receiver.down()


if __name__ == "__main__":
    main()
