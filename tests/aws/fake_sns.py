#!/usr/bin/env python3
"""fake_sns.py — a loopback stand-in for Amazon SNS's query API (Publish,
CreateTopic), strict where SNS is: every request is a signed form POST
(Signature V4 recomputed with botocore, credentials AKIDTEST /
"fake-secret-key"), Action and Version must be SNS's, Publish needs a
Message and a topic that exists, and message attributes must come as SNS
flattens them (MessageAttributes.entry.N.Name / .Value.DataType /
.Value.StringValue).  Answers are SNS's XML; errors are SNS's ErrorResponse.

  fake_sns.py [--topic NAME ...] [--log FILE]

Prints its port on the first line; --log appends each accepted Publish as a
JSON line {"topic", "message", "subject", "attributes"}.  Stops when stdin
closes.
"""
import argparse
import uuid
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

import loopback
from loopback import QuietHandler
from sigv4check import verify_sigv4

REGION, ACCOUNT = "us-east-1", "123456789012"
NS = "http://sns.amazonaws.com/doc/2010-03-31/"
TOPICS = set()


def arn(name):
    return "arn:aws:sns:%s:%s:%s" % (REGION, ACCOUNT, name)


class Handler(QuietHandler):
    def reply(self, status, xml):
        self.answer(status, '<?xml version="1.0"?>\n' + xml, "text/xml",
                    [("x-amzn-RequestId", self.rid)])

    def error(self, status, code, message):
        self.reply(status, '<ErrorResponse xmlns="%s"><Error><Type>Sender</Type><Code>%s</Code>'
                   '<Message>%s</Message></Error><RequestId>%s</RequestId></ErrorResponse>'
                   % (NS, code, escape(message), self.rid))

    def do_POST(self):
        self.rid = str(uuid.uuid4())
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        parts = urlsplit(self.path)
        bad = verify_sigv4("POST", parts.path, parts.query, self.headers, body, "sns", REGION,
                           "AKIDTEST", "fake-secret-key")
        if bad:
            return self.error(403, "SignatureDoesNotMatch", bad)
        if not self.headers.get("Content-Type", "").startswith(
                "application/x-www-form-urlencoded"):
            return self.error(400, "InvalidAction", "form encoding expected")
        form = {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
        if form.get("Version") != "2010-03-31":
            return self.error(400, "InvalidAction", "Version must be 2010-03-31")
        action = form.get("Action")
        if action == "CreateTopic":
            TOPICS.add(form["Name"])
            return self.reply(200, '<CreateTopicResponse xmlns="%s"><CreateTopicResult><TopicArn>'
                              '%s</TopicArn></CreateTopicResult><ResponseMetadata><RequestId>%s'
                              '</RequestId></ResponseMetadata></CreateTopicResponse>'
                              % (NS, arn(form["Name"]), self.rid))
        if action != "Publish":
            return self.error(400, "InvalidAction", "Unknown action %s" % action)
        topic = form.get("TopicArn", "")
        if "Message" not in form:
            return self.error(400, "ValidationError",
                              "1 validation error detected: Value null at 'message' failed to "
                              "satisfy constraint: Member must not be null")
        if topic.rsplit(":", 1)[-1] not in TOPICS or topic != arn(topic.rsplit(":", 1)[-1]):
            return self.error(404, "NotFound", "Topic does not exist")
        attrs, n = {}, 1
        while "MessageAttributes.entry.%d.Name" % n in form:
            p = "MessageAttributes.entry.%d." % n
            attrs[form[p + "Name"]] = {"DataType": form.get(p + "Value.DataType"),
                                       "StringValue": form.get(p + "Value.StringValue")}
            n += 1
        loopback.log({"topic": topic, "message": form["Message"],
                      "subject": form.get("Subject"), "attributes": attrs})
        mid = str(uuid.uuid4())
        self.reply(200, '<PublishResponse xmlns="%s"><PublishResult><MessageId>%s</MessageId>'
                   '</PublishResult><ResponseMetadata><RequestId>%s</RequestId>'
                   '</ResponseMetadata></PublishResponse>' % (NS, mid, self.rid))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--topic", action="append", default=[])
    loopback.main(Handler, ap, lambda args: TOPICS.update(args.topic))


if __name__ == "__main__":
    main()
