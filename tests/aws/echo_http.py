#!/usr/bin/env python3
"""echo_http.py — a loopback HTTPS-API stand-in for the HTTP Task tests: any
request is answered with what it was (method, path, query, headers, body)
as JSON; /fail answers 429 "slow down" as text; /text answers text/plain;
/oauth/token hands out an access token for the client credentials
"client-1" / "client-secret".  Prints its port; stops when stdin closes."""
import json

from loopback import QuietHandler, serve
from urllib.parse import parse_qs, urlsplit


class Handler(QuietHandler):
    def reply(self, status, body, ctype):
        self.answer(status, body, ctype, [("X-Echo", "yes")])

    def handle_any(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
        parts = urlsplit(self.path)
        if parts.path == "/fail":
            return self.reply(429, "slow down", "text/plain")
        if parts.path == "/text":
            return self.reply(200, "plain words", "text/plain")
        if parts.path == "/oauth/token":
            form = parse_qs(raw)
            ok = form.get("client_id") == ["client-1"] and \
                form.get("client_secret") == ["client-secret"] and \
                form.get("grant_type") == ["client_credentials"]
            return self.reply(200 if ok else 401,
                              json.dumps({"access_token": "tok-42"} if ok else {}),
                              "application/json")
        doc = {"method": self.command, "path": parts.path, "query": parts.query,
               "headers": {k.lower(): v for k, v in self.headers.items()}, "body": raw}
        self.reply(200, json.dumps(doc), "application/json; charset=utf-8")

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = handle_any


def main():
    serve(Handler)


if __name__ == "__main__":
    main()
