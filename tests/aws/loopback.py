"""loopback.py — what the test endpoints here share: an HTTP/1.1 server on a
free port of 127.0.0.1 whose port is the first line of stdout, running until
stdin closes (so that a killed test leaves nothing behind)."""
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class QuietHandler(BaseHTTPRequestHandler):
    """Keep-alive, and no access log on stderr."""
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass


def serve(handler):
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()
    server.shutdown()
