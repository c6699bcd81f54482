"""The JSON API under `/api/v1`: images (with `fwaudit query`'s filters), reports in every format, uploads, jobs."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import UploadFile

from audit.diff import diff_reports
from audit.fleet.dashboard import summarise
from audit.model import Report
from audit.serve.fleetview import RENDERERS, ListParams, check_sha, list_images, render, stored_report
from audit.serve.jobs import Job
from audit.serve.security import ApiError, UploadTooLargeError, bearer, check_token

router = APIRouter(prefix="/api/v1", tags=["api"])
CHUNK = 1024 * 1024
Many = Annotated[list[str], Query()]


def list_params(layer: str | None = None, entity: str | None = None, hints: bool = False,
                endpoint: Many = [], component: Many = [], policy: Many = [],  # noqa: B006  # FastAPI copies defaults
                sha256: Many = [], tag: Many = [], similar: str | None = None,  # noqa: B006
                sort: str = "image", order: str = "asc", page: int = 1, per_page: int = 50) -> ListParams:
    """Query parameters of an image list: the filters of `fwaudit query` (repeatable ones repeated), sort, page."""
    return ListParams(layer=layer, entity=entity, hints=hints, endpoint=tuple(endpoint), component=tuple(component),
                      policy=tuple(policy), sha256=tuple(sha256), tag=tuple(tag), similar=similar, sort=sort,
                      order=order, page=page, per_page=per_page)


Params = Annotated[ListParams, Depends(list_params)]


@router.get("/images", summary="Stored images matching every filter (AND), paginated")
def images(request: Request, params: Params) -> dict[str, Any]:
    found = list_images(request.app.state.store, params)
    return {"total": found.total, "page": found.page, "per_page": found.per_page, "pages": found.pages,
            "images": [row.as_dict() | {"url": f"/api/v1/images/{row.sha256}"} for row in found.rows]}


@router.get("/fleet", summary="Fleet figures: devices per vendor and layer, policy verdicts, worst findings")
def fleet(request: Request) -> dict[str, Any]:
    with request.app.state.store.read() as conn:
        return summarise(conn).as_dict()


def image_summary(report: Report) -> dict[str, Any]:
    """What the image detail answers: the image, its claims and verdicts, and where its reports are."""
    sha = str(report.image.get("sha256", ""))
    return {"image": report.image, "status": report.status, "tool": report.tool,
            "claims": [{"layer": c.layer, "entity": c.entity, "detail": c.detail, "confidence": c.confidence}
                       for c in report.claims],
            "hints": len(report.hints), "findings": len(report.findings), "errors": len(report.errors),
            "policies": [{"policy": p.policy, "verdict": p.verdict} for p in report.policies],
            "reports": {fmt: f"/api/v1/images/{sha}/report.{fmt}" for fmt in RENDERERS}}


@router.get("/images/{sha256}", summary="One stored image: claims, verdicts, report links")
def image(request: Request, sha256: str) -> dict[str, Any]:
    return image_summary(stored_report(request.app.state.store, sha256))


@router.get("/images/{sha256}/report.{fmt}", summary="The stored report rendered by the report writers",
            response_class=Response)
def report(request: Request, sha256: str, fmt: str) -> Response:
    text, media = render(stored_report(request.app.state.store, sha256), fmt)
    headers = {}
    if fmt == "html":
        from audit.report.html_assets import content_security_policy

        headers["content-security-policy"] = content_security_policy() + "; frame-ancestors 'self'"
    return Response(text, media_type=media, headers=headers)


@router.get("/compare", summary="What changed between two stored images (the report diff)")
def compare(request: Request, a: str, b: str) -> dict[str, Any]:
    store = request.app.state.store
    return diff_reports(stored_report(store, check_sha(a, "a")), stored_report(store, check_sha(b, "b")))


@router.post("/images", status_code=202, summary="Upload an image (token required): a queued audit",
             responses={401: {"description": "no token"}, 403: {"description": "wrong token"},
                        413: {"description": "over the upload cap"}})
async def upload(request: Request, name: str | None = None) -> JSONResponse:
    """The body is the image (`application/octet-stream`, name in `?name=`) or a multipart form with `file`."""
    check_token(request.app.state.settings.token, bearer(request))
    job = await receive_upload(request, name)
    return JSONResponse(job.as_dict() | {"url": f"/api/v1/jobs/{job.id}"}, status_code=202,
                        headers={"location": f"/api/v1/jobs/{job.id}"})


@router.get("/jobs/{job_id}", summary="Progress of a queued audit")
def job(request: Request, job_id: str) -> dict[str, Any]:
    found = request.app.state.jobs.get(job_id)
    if found is None:
        raise ApiError(404, "not found", "no such job (job ids are 32 hex digits; jobs live as long as the server)")
    return found.as_dict()


async def receive_upload(request: Request, name: str | None, form_file: UploadFile | None = None) -> Job:
    """Stream the upload into a fresh server-owned folder (capped), then queue its audit."""
    jobs, cap = request.app.state.jobs, request.app.state.settings.max_upload
    if form_file is None and request.headers.get("content-type", "").startswith("multipart/form-data"):
        form = await request.form(max_files=1, max_fields=5)
        candidate = form.get("file")
        if not isinstance(candidate, UploadFile):
            raise ApiError(422, "invalid request", "the form has no file field named 'file'")
        form_file = candidate
    folder, path = jobs.new_upload(form_file.filename if form_file is not None else name)
    try:
        size = await _save(_chunks(request, form_file), path, cap)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    if size == 0:
        shutil.rmtree(folder, ignore_errors=True)
        raise ApiError(422, "empty upload", "the upload holds no bytes")
    return jobs.submit(path, size)


async def _chunks(request: Request, form_file: UploadFile | None) -> AsyncIterator[bytes]:
    if form_file is not None:
        while chunk := await form_file.read(CHUNK):
            yield chunk
        return
    async for chunk in request.stream():
        yield chunk


async def _save(chunks: AsyncIterator[bytes], path: Path, cap: int) -> int:
    size = 0
    with path.open("xb") as out:
        async for chunk in chunks:
            size += len(chunk)
            if size > cap:
                raise UploadTooLargeError(cap)
            out.write(chunk)
    return size
