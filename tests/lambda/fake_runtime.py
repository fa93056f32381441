"""A loopback AWS Lambda for the tests of `aslc --target lambda` (docs/lambda.md).

It plays both sides Lambda plays for a custom runtime:

* the Runtime API (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html),
  one endpoint per instance as each Lambda sandbox has its own, checking the
  contract as Lambda enforces it: the methods and paths, a request id that is
  the instance's outstanding one and is answered once, before its deadline, the error shape
  ({"errorMessage", "errorType", ...} as JSON), an init error only before the
  first /next, the 6 MB response limit.  What a runtime does wrong is answered
  as Lambda answers it (400, 403, 404, 413) and kept in `violations`.
* the Invoke API (POST /2015-03-31/functions/NAME/invocations) and Lambda's
  scaler: an invocation goes to an idle instance, or to a new one started
  (`bootstrap` as a process, with the environment Lambda gives it) while there
  are fewer than `max_instances`; beyond that it waits `queue_wait` seconds and
  is throttled (429 TooManyRequestsException).  A function error comes back as
  200 with X-Amz-Function-Error: Unhandled; an instance that dies holding an
  invocation answers it with Runtime.ExitError, and the next invocation starts
  a new instance, as Lambda does.

Hooks for the tests: `throttle_first` (the N invocations after the first throttled),
`kill_after` (the instance taking the Nth invocation is killed with SIGKILL
as it takes it), `stats` (invocations, throttles, exit errors, instances
started, cold starts).
"""

import http.server
import json
import os
import signal
import socketserver
import subprocess
import threading
import time
import urllib.parse
import uuid

ACCOUNT = "123456789012"
REGION = "us-east-1"
RESPONSE_LIMIT = 6 * 1024 * 1024
PREFIX = "/2018-06-01/runtime"


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def handle_error(self, request, client_address):
        pass   # a killed instance's connection: not the test's business


class Invocation:
    def __init__(self, payload, timeout):
        self.id = str(uuid.uuid4())
        self.payload = payload
        self.deadline_ms = int((time.time() + timeout) * 1000)
        self.trace = "Root=1-%08x-%s;Parent=%s;Sampled=0" % (
            int(time.time()), uuid.uuid4().hex[:24], uuid.uuid4().hex[:16])
        self.done = threading.Event()
        self.status = None        # "response" | "error"
        self.body = b""
        self.error_type = None    # Lambda-Runtime-Function-Error-Type


class Instance:
    def __init__(self, svc, n):
        self.svc = svc
        self.n = n
        self.current = None       # the invocation handed out and not answered
        self.assigned = []        # invocations routed here, not yet handed out
        self.nexts = 0
        self.dead = False
        self.init_error = None
        self.cv = threading.Condition(svc.lock)
        self.started = time.monotonic()
        self.first_next = None
        self.first_answer = None
        self.server = Server(("127.0.0.1", 0), self._handler())
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        env = dict(svc.env)
        env.update({
            "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:%d" % self.server.server_address[1],
            "AWS_LAMBDA_FUNCTION_NAME": svc.name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1024",
            "AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION,
            "AWS_ACCESS_KEY_ID": "ASIAFAKELAMBDA", "AWS_SECRET_ACCESS_KEY": "fake-secret",
            "AWS_SESSION_TOKEN": "fake-token",
            "AWS_ENDPOINT_URL_LAMBDA": svc.invoke_url,
            "LAMBDA_TASK_ROOT": svc.task_root, "_HANDLER": "bootstrap",
        })
        self.log = open(os.path.join(svc.workdir, "instance-%d.log" % n), "wb")
        self.proc = subprocess.Popen([svc.bootstrap], env=env, cwd=svc.task_root,
                                     stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log)
        threading.Thread(target=self._watch, daemon=True).start()

    def _watch(self):
        self.proc.wait()
        with self.svc.lock:
            self.dead = True
            inv = self.current
            if inv and not inv.done.is_set():
                inv.status = "error"
                inv.error_type = "Runtime.ExitError"
                sig = -self.proc.returncode if self.proc.returncode < 0 else 0
                what = "signal: %s" % signal.Signals(sig).name.lower()[3:] if sig else \
                    "exit status %d" % self.proc.returncode
                inv.body = json.dumps({"errorType": "Runtime.ExitError",
                                       "errorMessage": "RequestId: %s Error: Runtime exited with error: %s"
                                       % (inv.id, what)}).encode()
                self.svc.stats["exit_errors"] += 1
                inv.done.set()
            for inv in self.assigned:
                if self.init_error is not None:
                    # Lambda answers the invocations of a sandbox whose init
                    # failed with the error the runtime reported
                    inv.status = "error"
                    inv.error_type = self.init_error.get("errorType")
                    inv.body = json.dumps(self.init_error).encode()
                    inv.done.set()
                else:   # never handed out: back to the scaler
                    self.svc.requeue.append(inv)
            self.assigned = []
            self.svc.cv.notify_all()
        self.server.shutdown()

    def violation(self, what):
        self.svc.violations.append("instance %d: %s" % (self.n, what))

    def _handler(self):
        inst = self

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True   # headers and body go out at once

            def log_message(self, *a):
                pass

            def reply(self, code, body=b"", headers=()):
                if isinstance(body, (dict, list)):
                    body = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                for k, v in headers:
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def body(self):
                n = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(n) if n else b""

            def do_GET(self):
                if self.path != PREFIX + "/invocation/next":
                    inst.violation("GET %s" % self.path)
                    return self.reply(404, {"errorType": "NotFound", "errorMessage": self.path})
                svc = inst.svc
                with svc.lock:
                    inst.nexts += 1
                    if inst.first_next is None:
                        inst.first_next = time.monotonic()
                    if inst.current and not inst.current.done.is_set():
                        inst.violation("/next with invocation %s unanswered" % inst.current.id)
                        return self.reply(400, {"errorType": "InvalidStateTransition",
                                                "errorMessage": "State transition from Invoke to Invoke failed"})
                    if inst.init_error:
                        inst.violation("/next after an init error")
                        return self.reply(403, {"errorType": "InvalidStateTransition",
                                                "errorMessage": "init error reported"})
                    inst.current = None
                    svc.cv.notify_all()          # an idle instance: the scaler may route to it
                    while not inst.assigned and not svc.stopping:
                        inst.cv.wait(0.5)
                    if svc.stopping:
                        return self.reply(500, {"errorType": "Shutdown", "errorMessage": "stopping"})
                    inv = inst.assigned.pop(0)
                    inst.current = inv
                    kill = svc.kill_after and svc.stats["invocations_routed"] >= svc.kill_after \
                        and not svc.killed
                    if kill:
                        # dead with the invocation its own: Lambda answers it
                        # Runtime.ExitError whatever the timing
                        svc.killed = True
                        inst.proc.send_signal(signal.SIGKILL)
                        return
                self.reply(200, inv.payload, [
                    ("Lambda-Runtime-Aws-Request-Id", inv.id),
                    ("Lambda-Runtime-Deadline-Ms", str(inv.deadline_ms)),
                    ("Lambda-Runtime-Invoked-Function-Arn", svc.arn),
                    ("Lambda-Runtime-Trace-Id", inv.trace)])

            def do_POST(self):
                svc = inst.svc
                body = self.body()
                path = self.path
                if path == PREFIX + "/init/error":
                    with svc.lock:
                        if inst.nexts:
                            inst.violation("init error after /next")
                            return self.reply(403, {"errorType": "InvalidStateTransition",
                                                    "errorMessage": "init error after /next"})
                        err = self.check_error(body)
                        inst.init_error = err
                        svc.init_errors.append(err)
                    return self.reply(202, {"status": "OK"})
                parts = path[len(PREFIX):].split("/") if path.startswith(PREFIX) else []
                # ['', 'invocation', ID, 'response'|'error']
                if len(parts) != 4 or parts[1] != "invocation" or parts[3] not in ("response", "error"):
                    inst.violation("POST %s" % path)
                    return self.reply(404, {"errorType": "NotFound", "errorMessage": path})
                with svc.lock:
                    inv = inst.current
                    if not inv or inv.id != parts[2]:
                        inst.violation("answer to unknown request id %s" % parts[2])
                        return self.reply(400, {"errorType": "InvalidRequestID",
                                                "errorMessage": "Invalid request ID: %s" % parts[2]})
                    if inv.done.is_set():
                        inst.violation("second answer to %s" % inv.id)
                        return self.reply(400, {"errorType": "InvalidStateTransition",
                                                "errorMessage": "already answered"})
                    if time.time() * 1000 > inv.deadline_ms + 100:
                        inst.violation("answer to %s %d ms after its deadline"
                                       % (inv.id, time.time() * 1000 - inv.deadline_ms))
                    if parts[3] == "response":
                        if len(body) > RESPONSE_LIMIT:
                            return self.reply(413, {"errorType": "RequestEntityTooLarge",
                                                    "errorMessage": "response too large"})
                        try:
                            json.loads(body)
                        except ValueError:
                            inst.violation("a response that is not JSON: %r" % body[:80])
                        inv.status = "response"
                    else:
                        err = self.check_error(body)
                        inv.status = "error"
                        inv.error_type = self.headers.get("Lambda-Runtime-Function-Error-Type")
                        if inv.error_type is None:
                            inst.violation("error without Lambda-Runtime-Function-Error-Type")
                        elif err and inv.error_type != err.get("errorType"):
                            inst.violation("error type header %r, body %r" % (inv.error_type, err))
                    inv.body = body
                    if inst.first_answer is None:
                        inst.first_answer = time.monotonic()
                    inv.done.set()
                    svc.stats["answered"] += 1
                return self.reply(202, {"status": "OK"})

            def check_error(self, body):
                try:
                    err = json.loads(body)
                except ValueError:
                    inst.violation("an error body that is not JSON: %r" % body[:80])
                    return None
                if not isinstance(err, dict) or not isinstance(err.get("errorType"), str) or \
                        not isinstance(err.get("errorMessage"), str):
                    inst.violation("an error without errorType and errorMessage strings: %r" % body[:200])
                return err

        return H


class FakeLambda:
    def __init__(self, bootstrap, workdir, name="workflow", max_instances=4, timeout=30.0,
                 queue_wait=2.0, throttle_first=0, kill_after=0, env=None):
        self.bootstrap = bootstrap
        self.workdir = workdir
        self.task_root = os.path.dirname(os.path.abspath(bootstrap))
        self.name = name
        self.arn = "arn:aws:lambda:%s:%s:function:%s" % (REGION, ACCOUNT, name)
        self.max_instances = max_instances
        self.timeout = timeout
        self.queue_wait = queue_wait
        self.throttle_first = throttle_first
        self.kill_after = kill_after
        self.killed = False
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        self.env.update(env or {})
        self.lock = threading.RLock()
        self.cv = threading.Condition(self.lock)
        self.instances = []
        self.requeue = []
        self.violations = []
        self.init_errors = []
        self.stopping = False
        self.stats = {"invocations": 0, "invocations_routed": 0, "throttles": 0, "exit_errors": 0,
                      "answered": 0, "instances_started": 0, "cold_starts": []}
        self.invoke_server = Server(("127.0.0.1", 0), self._invoke_handler())
        self.invoke_url = "http://127.0.0.1:%d" % self.invoke_server.server_address[1]
        threading.Thread(target=self.invoke_server.serve_forever, daemon=True).start()

    # -- the scaler ---------------------------------------------------------------------
    def _idle(self):
        for i in self.instances:
            if not i.dead and not i.init_error and i.current is None and not i.assigned and \
                    i.first_next is not None:
                return i
        return None

    def route(self, inv):
        """Hands inv to an instance; False when throttled."""
        end = time.monotonic() + self.queue_wait
        with self.lock:
            self.stats["invocations"] += 1
            # (the first invocation, the test's own, is never throttled)
            if 1 < self.stats["invocations"] <= self.throttle_first + 1:
                self.stats["throttles"] += 1
                return False
            while True:
                self.instances = [i for i in self.instances if not i.dead]
                inst = self._idle()
                if inst is None and len(self.instances) < self.max_instances:
                    inst = Instance(self, self.stats["instances_started"])
                    self.stats["instances_started"] += 1
                    self.instances.append(inst)
                if inst is not None:
                    self.stats["invocations_routed"] += 1
                    inst.assigned.append(inv)
                    inst.cv.notify_all()
                    return True
                left = end - time.monotonic()
                if left <= 0:
                    self.stats["throttles"] += 1
                    return False
                self.cv.wait(min(left, 0.2))

    def invoke(self, payload):
        """One synchronous invocation: (status, headers dict, body bytes)."""
        inv = Invocation(payload if isinstance(payload, bytes) else json.dumps(payload).encode(),
                         self.timeout)
        while True:
            if not self.route(inv):
                return 429, {"x-amzn-ErrorType": "TooManyRequestsException"}, json.dumps(
                    {"Reason": "ReservedFunctionConcurrentInvocationLimitExceeded", "Type": "User",
                     "message": "Rate Exceeded."}).encode()
            end = time.monotonic() + self.timeout + 2
            requeued = False
            while not inv.done.wait(0.1) and time.monotonic() < end:
                with self.lock:
                    if inv in self.requeue:    # its instance died before taking it
                        self.requeue.remove(inv)
                        requeued = True
                        break
            if requeued:
                continue
            if inv.done.is_set():
                break
            return 200, {"X-Amz-Function-Error": "Unhandled"}, json.dumps(
                {"errorType": "Sandbox.Timedout",
                 "errorMessage": "RequestId: %s Error: Task timed out after %.2f seconds"
                 % (inv.id, self.timeout)}).encode()
        headers = {"X-Amz-Executed-Version": "$LATEST"}
        if inv.status == "error":
            headers["X-Amz-Function-Error"] = "Unhandled"
        return 200, headers, inv.body

    def _invoke_handler(self):
        svc = self

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True   # headers and body go out at once

            def log_message(self, *a):
                pass

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                u = urllib.parse.urlparse(self.path)
                parts = u.path.split("/")
                # ['', '2015-03-31', 'functions', NAME, 'invocations']
                name = urllib.parse.unquote(parts[3]) if len(parts) == 5 else ""
                if len(parts) != 5 or parts[4] != "invocations" or \
                        name not in (svc.name, svc.arn):
                    status, headers, out = 404, {"x-amzn-ErrorType": "ResourceNotFoundException"}, \
                        json.dumps({"Type": "User", "message": "Function not found: %s" % name}).encode()
                elif not self.headers.get("Authorization", "").startswith("AWS4-HMAC-SHA256 "):
                    status, headers, out = 403, {"x-amzn-ErrorType": "MissingAuthenticationTokenException"}, \
                        b'{"message":"Missing Authentication Token"}'
                else:
                    status, headers, out = svc.invoke(body)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

        return H

    def cold_starts(self):
        """(seconds to the first /next, to the first answer) of each instance that answered."""
        return [(i.first_next - i.started, i.first_answer - i.started)
                for i in self.instances if i.first_answer is not None]

    def stop(self):
        with self.lock:
            self.stopping = True
            insts = list(self.instances)
            for i in insts:
                i.cv.notify_all()
        for i in insts:
            if i.proc.poll() is None:
                i.proc.terminate()
                try:
                    i.proc.wait(5)
                except subprocess.TimeoutExpired:
                    i.proc.kill()
                    i.proc.wait()
            i.log.close()
        self.invoke_server.shutdown()
