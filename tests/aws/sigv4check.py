"""sigv4check.py — checks an incoming request's AWS Signature Version 4 the way
AWS does: recomputes it with botocore from the headers the client says it
signed, with the only credentials the test endpoint knows."""
try:
    from botocore.auth import S3SigV4Auth, SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
except ImportError:  # pragma: no cover - the test scripts check this first
    raise SystemExit("the fake AWS endpoints need botocore (Debian: python3-botocore)")


def verify_sigv4(method, path, query, headers, body, service, region, access_key, secret_key,
                 session_token="fake-session"):
    """Returns None when the request is signed right, else AWS's complaint.
    S3 signs as S3 does (no double-encoded path, the payload's hash sent in
    x-amz-content-sha256)."""
    auth = headers.get("Authorization", "")
    if not auth.startswith("AWS4-HMAC-SHA256 "):
        return "Missing Authentication Token"
    fields = dict(p.strip().split("=", 1) for p in auth[len("AWS4-HMAC-SHA256 "):].split(","))
    cred = fields.get("Credential", "").split("/")
    if len(cred) != 5 or cred[0] != access_key:
        return "The security token included in the request is invalid."
    if cred[2] != region or cred[3] != service or cred[4] != "aws4_request":
        return "Credential should be scoped to a valid region and service."
    signed = fields.get("SignedHeaders", "").split(";")
    if "host" not in signed or "x-amz-date" not in signed:
        return "host and x-amz-date must be signed"
    token = headers.get("X-Amz-Security-Token")
    if token is not None and (token != session_token or "x-amz-security-token" not in signed):
        return "The security token included in the request is invalid."
    amz_date = headers.get("X-Amz-Date", "")
    url = "http://%s%s%s" % (headers.get("Host"), path, "?" + query if query else "")
    req = AWSRequest(method=method, url=url, data=body,
                     headers={h: headers.get(h) for h in signed if h != "host"})
    req.headers["Host"] = headers.get("Host")
    req.context["timestamp"] = amz_date
    auth_class = S3SigV4Auth if service == "s3" else SigV4Auth
    signer = auth_class(Credentials(access_key, secret_key, token), service, region)
    canonical = signer.canonical_request(req)
    want = signer.signature(signer.string_to_sign(req, canonical), req)
    if want != fields.get("Signature"):
        return ("The request signature we calculated does not match the signature you "
                "provided. Check your AWS Secret Access Key and signing method.")
    return None
