#!/usr/bin/env python3
"""fake_s3_signature.py — a loopback endpoint that checks S3 request
signatures as S3 does (botocore's S3 signer, credentials AKIDTEST /
"fake-secret-key") and answers every well-signed request with S3's
NoSuchKey error, every other with SignatureDoesNotMatch: s3rver, which the
S3 tests run against, does not check secrets.  Prints its port; stops when
stdin closes."""
from urllib.parse import urlsplit

from loopback import QuietHandler, serve
from sigv4check import verify_sigv4


class Handler(QuietHandler):
    def handle_any(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        parts = urlsplit(self.path)
        bad = verify_sigv4(self.command, parts.path, parts.query, self.headers, body, "s3",
                           "us-east-1", "AKIDTEST", "fake-secret-key")
        code, status = ("SignatureDoesNotMatch", 403) if bad else ("NoSuchKey", 404)
        data = ('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>%s</Code><Message>%s'
                '</Message><RequestId>4442587FB7D0A2F9</RequestId></Error>'
                % (code, bad or "The specified key does not exist."))
        self.answer(status, data, "application/xml", [("x-amz-request-id", "4442587FB7D0A2F9")])

    do_GET = do_PUT = do_POST = do_DELETE = handle_any


def main():
    serve(Handler)


if __name__ == "__main__":
    main()
