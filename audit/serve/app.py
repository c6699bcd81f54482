"""The FastAPI application: `create_app(settings)` wires the store, the upload queue, the routes and the guards.

Every error is answered as JSON `{error, detail}` under `/api/` and as a small escaped page elsewhere, with its
status code; an unexpected exception is logged on the server and answered 500 without its stack trace.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from audit import __version__
from audit.fleet.store import StoreError, open_store
from audit.serve import api, pages
from audit.serve.jobs import Jobs
from audit.serve.security import ApiError, ASGIApp, Csrf, Receive, Scope, Send, limit_body, security_headers
from audit.serve.settings import ServeSettings

HERE = Path(__file__).parent
log = logging.getLogger("audit.serve")


def create_app(settings: ServeSettings) -> FastAPI:
    """The console and the API over the store at `settings.db` (opened and migrated here; StoreError if not)."""
    store = open_store(settings.db)
    work_dir = settings.work_dir or Path(tempfile.mkdtemp(prefix="fwaudit-serve-"))
    jobs = Jobs(store, work_dir)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        jobs.close()
        store.close()
        if settings.work_dir is None:  # our own temporary folder: queued uploads go with it
            shutil.rmtree(work_dir, ignore_errors=True)

    app = FastAPI(title="fwaudit", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url="/api/v1/openapi.json",
                  description="Firmware provenance audits of a fleet: images, reports, uploads (docs/serve.md).")
    app.state.settings, app.state.store, app.state.jobs, app.state.csrf = settings, store, jobs, Csrf()
    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=HERE / "static", follow_symlink=False), name="static")
    _handlers(app)
    app.add_middleware(_Guards, cap=settings.max_upload)
    return app


class _Guards:
    """Security headers outside, the body cap inside (one ASGI middleware for both)."""

    def __init__(self, app: ASGIApp, cap: int) -> None:
        self.inner = security_headers(limit_body(app, cap))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.inner(scope, receive, send)


def error_response(request: Request, status: int, error: str, detail: str) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": error, "detail": detail}, status_code=status)
    return pages.error_page(request, status, error, detail)


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> Response:
        return error_response(request, exc.status, exc.error, exc.detail)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        detail = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}" for e in exc.errors())
        return error_response(request, 422, "invalid request", detail)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        error = {404: "not found", 405: "method not allowed"}.get(exc.status_code, "request failed")
        return error_response(request, exc.status_code, error, str(exc.detail) if exc.status_code != 404 else
                              f"nothing at {request.url.path}")

    @app.exception_handler(StoreError)
    async def store_error(request: Request, exc: StoreError) -> Response:
        log.error("store error: %s", exc)
        return error_response(request, 503, "store unavailable", "the fleet store could not answer; see the log")

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path)
        return error_response(request, 500, "internal error", "the server met an unexpected error; see its log")
