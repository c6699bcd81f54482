"""HTML report (`report.html`): one self-contained page a reviewer understands without documentation.

Verdict first (policy verdicts, layered provenance with confidence bars), then the provenance picture, findings,
endpoints by owner, components and CVEs, credentials, errors. Every claim and finding opens its evidence (path,
offset, matched bytes as a hex dump, rule and reference). Every firmware-derived string goes through `esc`;
a Content-Security-Policy admits only our own inline script, and nothing is loaded from the network.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from pathlib import Path
from typing import Any

from audit.cite import unescape_matched
from audit.model import Claim, Evidence, Finding, PolicyResult, Report
from audit.policy import describe, endpoint_where
from audit.report import html_assets
from audit.report.html_graph import render_svg
from audit.report.output import write_atomic
from audit.report.rulemeta import entity_lists, entity_names, entity_parents, rule_meta
from audit.report.view import (
    LAYER_LABELS,
    baseline_note,
    credential_findings,
    endpoints_by_owner,
    overall_verdict,
    reason_message,
    sorted_claims,
    sorted_findings,
    sorted_policies,
)
from audit.verify.view import html_section

NAME = "html"
FILENAME = "report.html"
HEX_MAX = 128


def esc(value: object) -> str:
    return escape(str(value), quote=True)


def hexdump(data: bytes, base: int | None) -> str:
    """Classic 16-bytes-per-row dump, offsets relative to the file."""
    start = base or 0
    rows = []
    for i in range(0, min(len(data), HEX_MAX), 16):
        chunk = data[i : i + 16]
        hexes = " ".join(f"{b:02x}" for b in chunk).ljust(47)
        text = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
        rows.append(f"{start + i:08x}  {hexes}  {text}")
    return "\n".join(rows)


def _link(url: str) -> str:
    if not url.startswith("https://"):
        return esc(url)
    return f'<a href="{esc(url)}" rel="noreferrer noopener">{esc(url)}</a>'


def _evidence(ev: Evidence) -> str:
    meta = rule_meta().get(ev.rule_id, {})
    offset = "—" if ev.offset is None else f"{ev.offset:#x} ({ev.offset})"
    chain = " → ".join(esc(c) for c in ev.chain) if ev.chain else esc(ev.path)
    rows = [("rule", f"<code>{esc(ev.kind)}:{esc(ev.rule_id)}</code> <span class=chip>{esc(ev.weight)}</span>"),
            ("what", esc(meta.get("description", "")) or '<span class="muted">rule not in the current rules</span>'),
            ("reference", _link(str(meta.get("reference", ""))) or "—"),
            ("path", f"<code>{esc(ev.path)}</code>"), ("offset", esc(offset)),
            ("chain", f"<span class=small>{chain}</span>"),
            ("sha256", f"<code>{esc(ev.sha256)}</code>"), ("matched", f"<code>{esc(ev.matched)}</code>")]
    body = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    dump = hexdump(unescape_matched(ev.matched), ev.offset)
    return f'<div class="ev"><dl>{body}</dl><pre class="hex">{esc(dump)}</pre></div>'


def _evidence_details(items: Iterable[Evidence], label: str) -> str:
    evs = list(items)
    if not evs:
        return '<span class="empty">no evidence recorded</span>'
    return f"<details><summary>{esc(label)} ({len(evs)})</summary>{''.join(_evidence(e) for e in evs)}</details>"


def _bar(confidence: float) -> str:
    cls = "bar" if confidence >= 0.8 else "bar low"
    return f'<span class="{cls}"><span style="width:{max(0.0, min(1.0, confidence)) * 100:.0f}%"></span></span>' \
           f"{confidence:.2f}"


def _entity_cell(entity: str) -> str:
    names, parents, lists = entity_names(), entity_parents(), entity_lists()
    chips = "".join(f'<span class="chip">parent: {esc(names.get(p, p))}</span>' for p in parents.get(entity, ()))
    chips += "".join(f'<span class="chip list">{esc(name)}</span>' for name in lists.get(entity, ()))
    return (f'<span class="entity">{esc(names.get(entity, entity))}</span> <code class=muted>{esc(entity)}</code>'
            f"<div>{chips}</div>")


def _claims_table(claims: list[Claim], hint: bool) -> str:
    if not claims:
        return '<p class="empty">No claim reached the confidence threshold.</p>' if not hint else ""
    rows = []
    for c in sorted_claims(claims):
        notes = "".join(f'<div class="small muted">{esc(n)}</div>' for n in c.notes
                        if not n.startswith("parent: "))  # parents are chips in the entity cell
        rows.append(f"<tr><td>{esc(LAYER_LABELS.get(c.layer, c.layer))}</td><td>{_entity_cell(c.entity)}</td>"
                    f"<td>{esc(c.detail or '')}{notes}</td><td>{_bar(c.confidence)}</td>"
                    f"<td>{_evidence_details(c.evidence, 'evidence')}</td></tr>")
    head = "<tr><th>layer</th><th>entity</th><th>detail</th><th>confidence</th><th>how we know</th></tr>"
    title = "<h3>Hints — below the threshold, never a verdict</h3>" if hint else ""
    return f'{title}<table class="claims{" hints" if hint else ""}">{head}{"".join(rows)}</table>'


def _policy_card(p: PolicyResult) -> str:
    policy = describe(p.policy)
    title = policy.title if policy else p.policy
    main = reason_message(p.reasons[0]) if p.reasons else ""
    reasons = "".join(f"<li>{esc(r)}</li>" for r in p.reasons)
    return (f'<div class="policy {esc(p.verdict)}" data-policy="{esc(p.policy)}"><span class="badge {esc(p.verdict)}">'
            f'{esc(p.verdict)}</span> <span class="title">{esc(title)}</span> <code class=muted>{esc(p.policy)}</code>'
            f'<div class="main">{esc(main)}</div><details><summary>all reasons ({len(p.reasons)})</summary>'
            f"<ul class=small>{reasons}</ul></details></div>")


def _headline(report: Report) -> str:
    names = entity_names()
    by_layer = {c.layer: c for c in sorted_claims(report.claims)}
    parts = [f"{label} {esc(names.get(by_layer[k].entity, by_layer[k].entity))}"
             + (f" ({esc(by_layer[k].detail)})" if by_layer[k].detail else "")
             for k, label in (("soc", "Chip:"), ("odm", "firmware by"), ("oem", "sold as"), ("cloud", "talks to"))
             if k in by_layer]
    counts = {v: sum(1 for p in report.policies if p.verdict == v) for v in ("fail", "review", "inconclusive")}
    undetermined = sorted({layer for p in report.policies for layer in p.undetermined})
    tail = f"{counts['fail']} policies fail, {counts['review']} need review." if report.policies else \
        "No policy was evaluated."
    if counts["inconclusive"]:
        tail += (f" {counts['inconclusive']} inconclusive: could not determine "
                 f"{esc(', '.join(undetermined))}.")
    return ("; ".join(parts) + ". " if parts else "No provenance claim above the threshold. ") + tail


def _verdict_section(report: Report) -> str:
    verdict = overall_verdict(report.policies)
    note = baseline_note(report)
    cards = "".join(_policy_card(p) for p in sorted_policies(report.policies))
    return (f'<section id="verdict"><div class="hero"><div class="verdict-big {verdict}" id="overall-verdict">'
            f'{verdict.upper()}</div><div class="summary">{_headline(report)}</div></div>'
            + (f'<div class="note">{esc(note)}</div>' if note else "")
            + f'<div class="policies">{cards}</div></section>'
            f'<section id="provenance"><h2>Who made this, and how we know</h2>'
            f"{_claims_table(report.claims, False)}{_claims_table(report.hints, True)}</section>")


def _graph_section(report: Report) -> str:
    svg = render_svg(report, entity_names(), entity_parents(), entity_lists())
    body = f'<div class="graph">{svg}</div>' if svg else '<p class="empty">Nothing to draw: no claims.</p>'
    return (f'<section id="graph"><h2>Provenance picture</h2><p class="small muted">From the image through '
            f"containers and files to the evidence, the claims it supports, the entities, their parent companies "
            f"and the regulatory lists that name them (red).</p>{body}</section>")


def _finding_rows(findings: list[Finding]) -> str:
    rows = [f'<tr><td><span class="badge sev-{esc(f.severity)}">{esc(f.severity)}</span></td>'
            f"<td><b>{esc(f.title)}</b><div class=small><code>{esc(f.id)}</code> · {esc(f.category)} · "
            f"confidence {f.confidence:.2f}{' · ' + esc(f.cwe) if f.cwe else ''}</div></td>"
            f"<td><code>{esc(f.path)}</code>{_evidence_details(f.evidence, 'evidence')}</td></tr>"
            for f in sorted_findings(findings)]
    return "<table><tr><th>severity</th><th>finding</th><th>where</th></tr>" + "".join(rows) + "</table>"


def _section(sid: str, title: str, body: str, empty: str) -> str:
    return f'<section id="{sid}"><h2>{esc(title)}</h2>{body or f"<p class=empty>{esc(empty)}</p>"}</section>'


def _endpoints(report: Report) -> str:
    groups = []
    for owner, items in endpoints_by_owner(report.endpoints):
        rows = "".join(f"<tr><td><code>{esc(e.get('value', ''))}</code></td><td>{esc(e.get('kind', ''))}</td>"
                       f"<td>{esc(e.get('category', ''))}</td><td><code>{esc(endpoint_where(e))}</code>"
                       f"{_more(e)}</td></tr>" for e in items)
        groups.append(f'<div class="owner">{_entity_cell(owner)}</div><table><tr><th>endpoint</th><th>kind</th>'
                      f"<th>category</th><th>seen in</th></tr>{rows}</table>")
    return "".join(groups)


def _more(record: dict[str, Any]) -> str:
    extra = int(record.get("occurrence_count") or 0) - 1
    return f' <span class="muted small">+{extra} more</span>' if extra > 0 else ""


def _cves(component: dict[str, Any]) -> str:
    cves = component.get("cves") or component.get("vulnerabilities") or []
    return ", ".join(esc(c.get("id", c) if isinstance(c, dict) else c) for c in cves) or "—"


def _components(report: Report) -> str:
    if not report.components:
        return ""
    rows = "".join(f"<tr><td><b>{esc(c.get('name', ''))}</b><div class=small><code>{esc(c.get('purl') or '')}"
                   f"</code></div></td><td>{esc(c.get('version') or '')}</td>"
                   f"<td><code>{esc(endpoint_where(c))}</code>{_more(c)}</td><td>{_cves(c)}</td></tr>"
                   for c in sorted(report.components, key=lambda c: str(c.get("name", ""))))
    return f"<table><tr><th>component</th><th>version</th><th>where</th><th>CVEs</th></tr>{rows}</table>"


def _errors(report: Report) -> str:
    if not report.errors:
        return ""
    rows = "".join(f"<tr><td><span class='badge {'fail' if e.severity == 'error' else 'review'}'>{esc(e.severity)}"
                   f"</span></td><td><code>{esc(e.kind)}</code></td><td>{esc(e.message)}"
                   f"<div class=small><code>{esc(e.path or '')}</code> {esc(e.detail or '')}</div></td></tr>"
                   for e in sorted(report.errors, key=lambda e: (e.severity, e.kind, e.path or "")))
    return f"<table><tr><th>level</th><th>kind</th><th>message</th></tr>{rows}</table>"


def _header(report: Report) -> str:
    inv = report.inventory_summary()
    tool = report.tool
    return (f'<header class="top"><h1>fwaudit · {esc(report.image.get("name", ""))}</h1><span class="meta">sha256 '
            f'<code>{esc(report.image.get("sha256", ""))}</code> · {esc(report.image.get("size", ""))} bytes · '
            f'{inv["files"]} files ({inv["elf"]} ELF) · status <b>{esc(report.status)}</b> · '
            f'{esc(tool.get("name", "fwaudit"))} {esc(tool.get("version", ""))}</span></header>')


def render(report: Report) -> str:
    creds = credential_findings(report.findings)
    body = "".join((
        _verdict_section(report), _graph_section(report),
        _section("findings", f"Findings ({len(report.findings)})",
                 _finding_rows(report.findings) if report.findings else "", "No findings."),
        _section("endpoints", "Endpoints by owner", _endpoints(report), "No network endpoints found."),
        _section("components", "Components and CVEs", _components(report), "No components identified."),
        _section("credentials", "Credentials", _finding_rows(creds) if creds else "", "No credential findings."),
        _section("errors", f"Errors ({len(report.errors)})", _errors(report), "The audit met no errors."),
        html_section(report.verification) if report.verification else "",  # `fwaudit verify` only
    ))
    toolbar = ('<div class="toolbar"><button type="button" data-toggle="open">expand all</button> '
               '<button type="button" data-toggle="close">collapse all</button></div>')
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f'<meta http-equiv="Content-Security-Policy" content="{html_assets.content_security_policy()}">'
            '<meta name="viewport" content="width=device-width,initial-scale=1">'
            f"<title>fwaudit: {esc(report.image.get('name', ''))}</title><style>{html_assets.CSS}</style></head>"
            f"<body>{_header(report)}<main>{toolbar}{body}</main><footer>rules digest "
            f"{esc(str(report.tool.get('rules_digest', ''))[:16])} · generated from report.json "
            f"({esc(report.tool.get('name', 'fwaudit'))})</footer><script>{html_assets.JS}</script></body></html>\n")


def write(report: Report, out_dir: Path) -> Path:
    return write_atomic(out_dir / FILENAME, render(report))

