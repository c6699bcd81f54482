"""The console's server-rendered pages (Jinja2, autoescape on: every firmware string is escaped).

The image page embeds the HTML report from its same-origin API route, so the console and `fwaudit report` share
one renderer; the overview's bars link to the image list filtered by that bar.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import UploadFile
from starlette.templating import Jinja2Templates

from audit.diff import diff_reports, has_changes
from audit.fleet.dashboard import LAYERS, summarise
from audit.report.rulemeta import entity_names
from audit.report.view import LAYER_LABELS, overall_verdict, sorted_claims
from audit.serve.api import list_params, receive_upload
from audit.serve.fleetview import RENDERERS, SORT_KEYS, ListParams, check_sha, list_images, stored_report
from audit.serve.security import ApiError, check_token, set_session_cookie

router = APIRouter(include_in_schema=False)
_env = Environment(loader=FileSystemLoader(Path(__file__).with_name("templates")),
                   autoescape=select_autoescape(default=True, default_for_string=True), trim_blocks=True,
                   lstrip_blocks=True)
templates = Jinja2Templates(env=_env)
VERDICT_ORDER = ("fail", "review", "inconclusive", "pass")
Params = Annotated[ListParams, Depends(list_params)]


def page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    """Render a template with the session's CSRF token (setting the session cookie on a first visit)."""
    csrf = request.app.state.csrf
    session, new = csrf.session(request)
    response = templates.TemplateResponse(request, name, {"csrf_token": csrf.token(session), **context},
                                          status_code=status)
    if new:
        set_session_cookie(response, session, secure=request.url.scheme == "https")
    return response


def error_page(request: Request, status: int, error: str, detail: str) -> Response:
    return page(request, "error.html", {"status": status, "error": error, "detail": detail}, status)


def _charts(summary: Any) -> list[dict[str, Any]]:
    """One chart per layer and one per policy: bars of (label, count, link)."""
    names = entity_names()
    charts = []
    for layer in LAYERS:
        bars = [{"label": names.get(e, e), "sub": e, "count": n,
                 "link": "/images?" + urlencode({"layer": layer, "entity": e})}
                for e, n, _hints in summary.layers.get(layer, []) if n]
        charts.append({"title": f"{LAYER_LABELS.get(layer, layer)} vendor", "id": f"layer-{layer}", "bars": bars})
    for policy, verdicts in sorted(summary.policies.items()):
        bars = [{"label": v, "sub": "", "count": verdicts[v], "verdict": v,
                 "link": "/images?" + urlencode({"policy": f"{policy}={v}"})} for v in VERDICT_ORDER if verdicts.get(v)]
        charts.append({"title": f"policy {policy}", "id": f"policy-{policy}", "bars": bars})
    return charts


@router.get("/", response_class=HTMLResponse)
def overview(request: Request) -> Response:
    with request.app.state.store.read() as conn:
        summary = summarise(conn)
    return page(request, "overview.html", {"summary": summary, "charts": _charts(summary),
                                           "total": max(1, summary.images)})


@router.get("/images", response_class=HTMLResponse)
def image_list(request: Request, params: Params) -> Response:
    found = list_images(request.app.state.store, params)
    return page(request, "images.html", {"found": found, "params": params, "sort_keys": SORT_KEYS})


@router.get("/images/{sha256}", response_class=HTMLResponse)
def image_page(request: Request, sha256: str) -> Response:
    report = stored_report(request.app.state.store, sha256)
    others = list_images(request.app.state.store, ListParams(per_page=500)).rows
    return page(request, "image.html", {"report": report, "sha": check_sha(sha256), "formats": list(RENDERERS),
                                        "verdict": overall_verdict(report.policies), "names": entity_names(),
                                        "claims": sorted_claims(report.claims), "labels": LAYER_LABELS,
                                        "others": [r for r in others if r.sha256 != sha256.lower()]})


@router.get("/compare", response_class=HTMLResponse)
def compare(request: Request, a: str | None = None, b: str | None = None) -> Response:
    store = request.app.state.store
    images = list_images(store, ListParams(per_page=500)).rows
    diff = None
    if a and b:
        diff = diff_reports(stored_report(store, check_sha(a, "a")), stored_report(store, check_sha(b, "b")))
    return page(request, "compare.html", {"images": images, "a": a, "b": b, "diff": diff,
                                          "changed": has_changes(diff) if diff else False})


@router.get("/upload", response_class=HTMLResponse)
def upload_form(request: Request) -> Response:
    settings = request.app.state.settings
    return page(request, "upload.html", {"enabled": bool(settings.token), "cap": settings.max_upload})


@router.post("/upload")
async def upload(request: Request) -> Response:
    """The upload form: CSRF token first, then the API token, then the file (capped, streamed to disk)."""
    form = await request.form(max_files=1, max_fields=5)
    request.app.state.csrf.verify(request, _text(form.get("csrf_token")))
    check_token(request.app.state.settings.token, _text(form.get("token")))
    file = form.get("file")
    if not isinstance(file, UploadFile):
        raise ApiError(422, "invalid request", "choose an image file to upload")
    job = await receive_upload(request, None, file)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job_id: str) -> Response:
    job = request.app.state.jobs.get(job_id)
    if job is None:
        raise ApiError(404, "not found", "no such job")
    return page(request, "job.html", {"job": job})
