"""loopback.py — what the test endpoints here share: an HTTP/1.1 server on a
free port of 127.0.0.1 whose port is the first line of stdout, running until
stdin closes (so that a killed test leaves nothing behind); the answer of a
handler; the request log that --log names (one JSON object a line, which
harness.read_log reads); and the fake services' job polls and required
members."""
import argparse
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()   # the log file and the fakes' shared state, across handler threads
LOG = None                # --log FILE, set by main()
POLLS = {}


class QuietHandler(BaseHTTPRequestHandler):
    """Keep-alive, and no access log on stderr."""
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, data, ctype, headers=()):
        """One whole answer: data (bytes or text) with its type and length,
        then any more (name, value) headers."""
        data = data.encode() if isinstance(data, str) else data
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)


def log(doc):
    """Appends doc to the --log file, if there is one.  Called before the
    answer goes out: a test reads the log as soon as its binary, which waits
    for the answer, has exited."""
    if LOG:
        with LOCK, open(LOG, "a") as f:
            f.write(json.dumps(doc) + "\n")


def poll(key):
    """How many times key has been polled, this time included (a fake job
    runs for a given number of polls, then ends)."""
    with LOCK:
        POLLS[key] = POLLS.get(key, 0) + 1
        return POLLS[key]


def need(body, *names):
    """KeyError(name) for the first member body lacks, which the fake
    answers with validation_exception(name)."""
    for n in names:
        if n not in body:
            raise KeyError(n)


def validation_exception(name):
    """What AWS's JSON services answer (400) a request without a member it
    needs with."""
    return {"__type": "ValidationException",
            "message": "1 validation error detected: '%s' must not be null" % name}


def serve(handler):
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()
    server.shutdown()


def main(handler, parser=None, setup=None):
    """An endpoint's main: --log FILE beside parser's own options, then
    setup(args), then serve(handler)."""
    global LOG
    ap = parser or argparse.ArgumentParser()
    ap.add_argument("--log", help="append each request as a JSON line")
    args = ap.parse_args()
    LOG = args.log
    if setup:
        setup(args)
    serve(handler)
