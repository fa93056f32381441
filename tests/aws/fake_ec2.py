#!/usr/bin/env python3
"""fake_ec2.py — a loopback stand-in for Amazon EC2's API (the ec2 protocol:
botocore's query protocol with EC2's own names), strict where EC2 is: every
request is a signed form POST (Signature V4 recomputed with botocore,
credentials AKIDTEST / "fake-secret-key"), Action and Version must be EC2's.
DescribeInstances answers one reservation per known instance id asked for
(i-1, i-2), CreateTags answers <return>true</return>, and an unknown
instance id is EC2's error, <Response><Errors><Error> with
InvalidInstanceID.NotFound.

  fake_ec2.py [--log FILE]

Prints its port on the first line; --log appends each accepted request's
form as a JSON object (field -> value) on a line, for the test to compare
with what botocore's EC2 serializer writes.  Stops when stdin closes.
"""
import uuid
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

import loopback
from loopback import QuietHandler
from sigv4check import verify_sigv4

REGION = "us-east-1"
NS = "http://ec2.amazonaws.com/doc/2016-11-15/"
INSTANCES = {"i-1": ("t3.micro", "prod"), "i-2": ("m5.large", "dev")}


class Handler(QuietHandler):
    def reply(self, status, xml):
        self.answer(status, '<?xml version="1.0" encoding="UTF-8"?>\n' + xml,
                    "text/xml;charset=UTF-8")

    def error(self, status, code, message):
        self.reply(status, "<Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error>"
                   "</Errors><RequestID>%s</RequestID></Response>" % (code, escape(message), self.rid))

    def do_POST(self):
        self.rid = str(uuid.uuid4())
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        parts = urlsplit(self.path)
        bad = verify_sigv4("POST", parts.path, parts.query, self.headers, body, "ec2", REGION,
                           "AKIDTEST", "fake-secret-key")
        if bad:
            return self.error(401, "AuthFailure", bad)
        if not self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
            return self.error(400, "InvalidParameterValue", "form encoding expected")
        form = {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
        if form.get("Version") != "2016-11-15":
            return self.error(400, "InvalidParameterValue", "Version must be 2016-11-15")
        loopback.log(form)
        action = form.get("Action")
        if action == "CreateTags":
            return self.reply(200, '<CreateTagsResponse xmlns="%s"><requestId>%s</requestId>'
                              '<return>true</return></CreateTagsResponse>' % (NS, self.rid))
        if action != "DescribeInstances":
            return self.error(400, "InvalidAction", "The action %s is not valid for this web service."
                              % action)
        ids, n = [], 1
        while "InstanceId.%d" % n in form:
            ids.append(form["InstanceId.%d" % n])
            n += 1
        missing = [i for i in ids if i not in INSTANCES]
        if missing:
            return self.error(400, "InvalidInstanceID.NotFound",
                              "The instance ID '%s' does not exist" % missing[0])
        items = "".join(
            "<item><reservationId>r-%s</reservationId><ownerId>123456789012</ownerId><groupSet/>"
            "<instancesSet><item><instanceId>%s</instanceId><instanceType>%s</instanceType>"
            "<instanceState><code>16</code><name>running</name></instanceState>"
            "<tagSet><item><key>env</key><value>%s</value></item></tagSet></item></instancesSet>"
            "</item>" % (i[2:], i, INSTANCES[i][0], INSTANCES[i][1]) for i in ids)
        self.reply(200, '<DescribeInstancesResponse xmlns="%s"><requestId>%s</requestId>'
                   '<reservationSet>%s</reservationSet></DescribeInstancesResponse>'
                   % (NS, self.rid, items))


if __name__ == "__main__":
    loopback.main(Handler)
