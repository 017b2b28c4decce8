"""An HTTP server on loopback for the push-side tests: a webhook receiver or a purging cache. It can be stopped
and started again on the same port (something coming back at its address), made slow, or made to answer with a
given status. Subclasses say what a request means (``handle``) under ``lock``."""

import http.server
import threading
import time


class LoopbackServer:
    method = "POST"

    def __init__(self):
        self.status = 204
        self.headers = {}  # sent with every answer
        self.delay = 0.0
        self.port = None
        self.server = None
        self.lock = threading.Lock()

    def handle(self, handler, body):
        """Note the request; return a status to answer with instead of ``status`` (or None)."""
        raise NotImplementedError

    def start(self):
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def answer(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
                status = owner.handle(self, body)
                if status is None and owner.delay:
                    time.sleep(owner.delay)
                self.send_response(status or owner.status)
                for name, value in ({} if status else owner.headers).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        setattr(Handler, f"do_{self.method}", Handler.answer)
        # Port 0 the first time; the same port after a restart.
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port or 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self):
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
