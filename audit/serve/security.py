"""Security of a server that ingests hostile files: API token, CSRF tokens, headers, the upload cap.

The API token is compared in constant time. CSRF: a random session cookie (HttpOnly, SameSite=Strict) and a
form token that is the HMAC of it under a per-process secret; a form POST without the matching pair is refused.
The upload cap is enforced on the raw request stream, before any parser sees the body.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import Request
from starlette.responses import Response

SESSION_COOKIE = "fwaudit_session"
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class ApiError(Exception):
    """An error answered as JSON `{error, detail}` (or an HTML page for the console) with this status."""

    def __init__(self, status: int, error: str, detail: str = "") -> None:
        super().__init__(detail or error)
        self.status = status
        self.error = error
        self.detail = detail


class UploadTooLargeError(ApiError):
    def __init__(self, cap: int) -> None:
        super().__init__(413, "upload too large", f"the upload cap is {cap} bytes (--max-upload)")


def check_token(expected: str | None, given: str | None) -> None:
    """401 without a token, 403 with a wrong one; uploads are off when the server has no token."""
    if not expected:
        raise ApiError(403, "uploads disabled", "start the server with --auth-token-file to accept uploads")
    if not given:
        raise ApiError(401, "authentication required", "send the API token: Authorization: Bearer TOKEN")
    if not hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8")):
        raise ApiError(403, "invalid token", "the API token does not match")


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


class Csrf:
    """Per-session CSRF tokens: the HMAC of the session cookie under a secret that lives as long as the process."""

    def __init__(self) -> None:
        self._secret = secrets.token_bytes(32)

    def session(self, request: Request) -> tuple[str, bool]:
        """The request's session id, and whether it is new (then the response must set the cookie)."""
        current = request.cookies.get(SESSION_COOKIE, "")
        if len(current) == 43 and current.replace("-", "").replace("_", "").isalnum():
            return current, False
        return secrets.token_urlsafe(32), True

    def token(self, session: str) -> str:
        return hmac.new(self._secret, session.encode("ascii"), hashlib.sha256).hexdigest()

    def verify(self, request: Request, given: str | None) -> None:
        session = request.cookies.get(SESSION_COOKIE)
        if not session or not given or not hmac.compare_digest(self.token(session), given):
            raise ApiError(403, "CSRF check failed", "reload the form and submit it again")


def set_session_cookie(response: Response, session: str, secure: bool) -> None:
    response.set_cookie(SESSION_COOKIE, session, httponly=True, samesite="strict", secure=secure, path="/")


HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "SAMEORIGIN",
    "cross-origin-opener-policy": "same-origin",
}
PAGE_CSP = "default-src 'self'; img-src 'self' data:; frame-ancestors 'self'; base-uri 'none'; form-action 'self'"


def security_headers(app: ASGIApp) -> ASGIApp:
    """Add the security headers to every response (a route may set its own, stricter CSP)."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(k.encode(), v.encode()) for k, v in HEADERS.items() if k.encode() not in present]
                if b"content-security-policy" not in present:
                    headers.append((b"content-security-policy", PAGE_CSP.encode()))
                message["headers"] = headers
            await send(message)

        await app(scope, receive, send_with_headers)

    return wrapped


def limit_body(app: ASGIApp, cap: int) -> ASGIApp:
    """Refuse a request body over `cap` bytes: by Content-Length at once, else while it streams in."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST":
            await app(scope, receive, send)
            return
        length = dict(scope.get("headers", [])).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > cap + 64 * 1024:
            await _too_large(send, cap)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > cap + 64 * 1024:  # the form's boundaries and fields ride on top of the file
                raise UploadTooLargeError(cap)
            return message

        await app(scope, counted, send)

    return wrapped


async def _too_large(send: Send, cap: int) -> None:
    import json

    body = json.dumps({"error": "upload too large", "detail": f"the upload cap is {cap} bytes (--max-upload)"})
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body.encode()})
