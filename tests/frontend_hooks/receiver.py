"""A real webhook receiver on loopback for the tests: verifies every request with the ``standardwebhooks``
library, as a front-end would, and records what it accepted."""

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from .loopback import LoopbackServer


class Receiver(LoopbackServer):
    def __init__(self, secret):
        super().__init__()
        self.secret = secret
        self.received = []  # (webhook-id, payload) of each verified request, in order
        self.rejected = []  # verification errors

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/hooks"

    def handle(self, handler, body):
        try:
            payload = Webhook(self.secret).verify(body, dict(handler.headers))
        except WebhookVerificationError as exc:
            with self.lock:
                self.rejected.append(str(exc))
            return 400
        with self.lock:
            self.received.append((handler.headers["webhook-id"], payload))
        return None

    def ids(self):
        with self.lock:
            return [webhook_id for webhook_id, _payload in self.received]

    def payloads(self):
        with self.lock:
            return [payload for _id, payload in self.received]

    def __repr__(self):
        return f"Receiver({self.url}, {len(self.received)} received)"
