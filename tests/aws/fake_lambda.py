#!/usr/bin/env python3
"""fake_lambda.py — a loopback stand-in for the AWS Lambda Invoke API, strict
where AWS is strict, for the tests of a workflow binary's Lambda calls.

  fake_lambda.py --function NAME=FILE.py[:HANDLER] ... [--throttle-first NAME]
                 [--log FILE]

Listens on 127.0.0.1 on a free port and prints the port on its first line of
stdout.  Every request must be POST /2015-03-31/functions/NAME/invocations
signed with Signature Version 4 for service "lambda": the signature is
recomputed with botocore from the headers the client signed, with the only
credentials this endpoint knows (AKIDTEST / secret "fake-secret-key", and the
session token "fake-session" if sent), and a request that does not match gets
Lambda's 403 InvalidSignatureException.  A function is a Python handler run
in this process, so that module-level state persists as in a warm Lambda;
its exception comes back as Lambda's function error (X-Amz-Function-Error:
Unhandled, the Python runtime's error payload).  It also serves credentials
as a container's (GET /container-credentials, Authorization "container-auth")
and an EC2 instance's (IMDSv2: PUT /latest/api/token, then
/latest/meta-data/iam/security-credentials/ROLE) services do.  An unknown function gets
404 ResourceNotFoundException; --throttle-first NAME answers NAME's first
call with 429 TooManyRequestsException.  --log appends one JSON line per
request: function, qualifier, client port, invocation type, status, and the
access key that signed it.

It is also STS (POST / with Action=AssumeRole, the query protocol, signed for
service "sts" with the keys above): a role named by --role ARN is assumed,
giving the temporary keys ROLE_KEY / ROLE_SECRET / ROLE_TOKEN, valid for
--role-ttl seconds (default 3600); any other role gets STS's 403
AccessDenied.  Lambda accepts a call signed with either set of keys.
"""
import argparse
import datetime
import importlib.util
import json
import traceback
import uuid
from urllib.parse import urlsplit, parse_qs, unquote

import loopback
from loopback import LOCK, QuietHandler
from sigv4check import verify_sigv4

ACCESS_KEY = "AKIDTEST"
SECRET_KEY = "fake-secret-key"
REGION = "us-east-1"
ACCOUNT = "123456789012"

ROLE_KEY = "ASIAROLETEST"
ROLE_SECRET = "role-secret-key"
ROLE_TOKEN = "role-session-token"

FUNCTIONS = {}
ROLES = set()
ROLE_TTL = 3600
THROTTLE = set()


def load_function(spec):
    name, _, target = spec.partition("=")
    path, _, handler = target.partition(":")
    mod_spec = importlib.util.spec_from_file_location("fn_" + name, path)
    mod = importlib.util.module_from_spec(mod_spec)
    mod_spec.loader.exec_module(mod)
    FUNCTIONS[name] = getattr(mod, handler or "lambda_handler")


class Context:
    def __init__(self, name, request_id):
        self.function_name = name
        self.aws_request_id = request_id
        self.invoked_function_arn = "arn:aws:lambda:%s:%s:function:%s" % (REGION, ACCOUNT, name)
        self.memory_limit_in_mb = 128
        self.function_version = "$LATEST"

    def get_remaining_time_in_millis(self):
        return 3000


class Handler(QuietHandler):
    def reply(self, status, body, headers=()):
        entry = getattr(self, "log_entry", None)
        if entry is not None:
            loopback.log(dict(entry, status=status))
        self.answer(status, body, "application/json",
                    [("x-amzn-RequestId", self.request_id), *headers])

    def error(self, status, code, message):
        self.reply(status, json.dumps({"Type": "User", "message": message}),
                   [("x-amzn-ErrorType", code + ":http://internal.amazon.com/coral/")])
        return status

    # The credentials services of containers (ECS, Lambda) and EC2 instances
    # (IMDSv2), serving this endpoint's own keys with a session token.
    CREDS = json.dumps({"AccessKeyId": ACCESS_KEY, "SecretAccessKey": SECRET_KEY,
                        "Token": "fake-session", "Expiration": "2099-01-01T00:00:00Z"})

    def do_PUT(self):
        self.request_id, self.log_entry = "imds", None
        if self.path == "/latest/api/token" and \
                self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
            return self.reply(200, "imds-token-1")
        return self.error(403, "Forbidden", "no token")

    def do_GET(self):
        self.request_id, self.log_entry = "creds", None
        if self.path == "/container-credentials":
            if self.headers.get("Authorization") != "container-auth":
                return self.error(401, "Unauthorized", "bad container token")
            return self.reply(200, self.CREDS)
        if self.path.startswith("/latest/meta-data/iam/security-credentials/"):
            if self.headers.get("X-aws-ec2-metadata-token") != "imds-token-1":
                return self.error(401, "Unauthorized", "IMDSv2 token missing")
            role = self.path.rsplit("/", 1)[1]
            return self.reply(200, "workflow-role\n" if not role else self.CREDS)
        return self.error(404, "NotFound", "no such path")

    def do_POST(self):
        self.request_id = str(uuid.uuid4())
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        parts = urlsplit(self.path)
        segs = parts.path.split("/")
        qs = parse_qs(parts.query)
        name = unquote(segs[3]) if len(segs) == 5 else None
        cred = self.headers.get("Authorization", "").split("Credential=", 1)[-1]
        self.log_entry = {"function": name, "qualifier": qs.get("Qualifier", [None])[0],
                          "port": self.client_address[1],
                          "type": self.headers.get("X-Amz-Invocation-Type"),
                          "key": cred.split("/", 1)[0]}
        if parts.path == "/":
            return self.handle_sts(parts, body)
        self.handle_invoke(parts, segs, name, qs, body)

    def sts_error(self, status, code, message):
        xml = ("<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error>"
               "<Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error>"
               "<RequestId>%s</RequestId></ErrorResponse>" % (code, message, self.request_id))
        self.reply(status, xml, [("Content-Type", "text/xml")])

    def handle_sts(self, parts, body):
        form = parse_qs(body.decode())
        self.log_entry["action"] = form.get("Action", [None])[0]
        self.log_entry["role"] = form.get("RoleArn", [None])[0]
        bad = verify_sigv4("POST", parts.path, parts.query, self.headers, body, "sts",
                           REGION, ACCESS_KEY, SECRET_KEY)
        if bad:
            return self.sts_error(403, "SignatureDoesNotMatch", bad)
        if form.get("Action") != ["AssumeRole"] or form.get("Version") != ["2011-06-15"]:
            return self.sts_error(400, "InvalidAction", "Could not find operation")
        if not form.get("RoleSessionName"):
            return self.sts_error(400, "ValidationError", "RoleSessionName is required")
        role = form.get("RoleArn", [""])[0]
        if role not in ROLES:
            return self.sts_error(403, "AccessDenied",
                                  "User: arn:aws:iam::%s:user/test is not authorized to perform: "
                                  "sts:AssumeRole on resource: %s" % (ACCOUNT, role))
        until = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=ROLE_TTL)
        xml = ("<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
               "<AssumeRoleResult><Credentials><AccessKeyId>%s</AccessKeyId>"
               "<SecretAccessKey>%s</SecretAccessKey><SessionToken>%s</SessionToken>"
               "<Expiration>%s</Expiration></Credentials><AssumedRoleUser><Arn>%s</Arn>"
               "<AssumedRoleId>AROA:%s</AssumedRoleId></AssumedRoleUser></AssumeRoleResult>"
               "<ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata>"
               "</AssumeRoleResponse>"
               % (ROLE_KEY, ROLE_SECRET, ROLE_TOKEN, until.strftime("%Y-%m-%dT%H:%M:%SZ"), role,
                  form["RoleSessionName"][0], self.request_id))
        self.reply(200, xml, [("Content-Type", "text/xml")])

    def handle_invoke(self, parts, segs, name, qs, body):
        if len(segs) != 5 or segs[1] != "2015-03-31" or segs[2] != "functions" or \
                segs[4] != "invocations":
            return self.error(404, "UnknownOperationException", "Unknown operation")
        if self.log_entry["key"] == ROLE_KEY:  # the temporary keys of an assumed role
            bad = verify_sigv4("POST", parts.path, parts.query, self.headers, body, "lambda",
                               REGION, ROLE_KEY, ROLE_SECRET, ROLE_TOKEN)
        else:
            bad = verify_sigv4("POST", parts.path, parts.query, self.headers, body, "lambda",
                               REGION, ACCESS_KEY, SECRET_KEY)
        if bad:
            code = ("InvalidSignatureException" if "signature" in bad
                    else "UnrecognizedClientException")
            return self.error(403, code, bad)
        if name not in FUNCTIONS:
            return self.error(404, "ResourceNotFoundException",
                              "Function not found: arn:aws:lambda:%s:%s:function:%s"
                              % (REGION, ACCOUNT, name))
        with LOCK:
            throttled = name in THROTTLE
            THROTTLE.discard(name)
        if throttled:
            return self.error(429, "TooManyRequestsException", "Rate Exceeded.")
        try:
            event = json.loads(body or b"null")
        except ValueError:
            return self.error(400, "InvalidRequestContentException",
                              "Could not parse request body into json")
        version = [("X-Amz-Executed-Version", "$LATEST")]
        kind = self.headers.get("X-Amz-Invocation-Type", "RequestResponse")
        if kind == "DryRun":
            self.reply(204, b"", version)
            return
        try:
            result = FUNCTIONS[name](event, Context(name, self.request_id))
        except Exception as e:  # the Python runtime's error payload
            payload = {"errorMessage": str(e), "errorType": type(e).__name__,
                       "requestId": self.request_id,
                       "stackTrace": traceback.format_tb(e.__traceback__)}
            self.reply(200, json.dumps(payload), version + [("X-Amz-Function-Error", "Unhandled")])
            return
        if kind == "Event":
            self.reply(202, b"", version)
            return
        self.reply(200, json.dumps(result), version)


def setup(args):
    global ROLE_TTL
    ROLES.update(args.role)
    ROLE_TTL = args.role_ttl
    for spec in args.function:
        load_function(spec)
    THROTTLE.update(args.throttle_first)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--function", action="append", default=[])
    ap.add_argument("--throttle-first", action="append", default=[])
    ap.add_argument("--role", action="append", default=[])
    ap.add_argument("--role-ttl", type=int, default=3600)
    loopback.main(Handler, ap, setup)


if __name__ == "__main__":
    main()
