"""The provenance picture: an inline SVG graph, left to right.

image -> containers -> files -> evidence -> claims -> entities -> parent companies / regulatory lists.
Every label is XML-escaped; the layout is deterministic (columns, nodes in first-seen order).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from audit.model import Claim, Report
from audit.report.view import sorted_claims

COLUMNS = ("image", "containers", "files", "evidence", "claims", "entities", "parents / lists")
COL_W, NODE_W, NODE_H, GAP, TOP = 172, 150, 26, 10, 34
MAX_EVIDENCE_PER_CLAIM = 3
FILL = {"image": "#14213d", "containers": "#3d5a80", "files": "#5c7aa3", "evidence": "#7d8fa9",
        "claims": "#1f5fa8", "entities": "#2a6f97", "parents / lists": "#6c757d"}
FLAGGED = "#c62828"


@dataclass
class _Graph:
    nodes: list[list[tuple[str, str, bool]]] = field(default_factory=lambda: [[] for _ in COLUMNS])
    edges: set[tuple[tuple[int, str], tuple[int, str]]] = field(default_factory=set)

    def node(self, col: int, key: str, label: str, flagged: bool = False) -> tuple[int, str]:
        if all(k != key for k, _, _ in self.nodes[col]):
            self.nodes[col].append((key, label, flagged))
        return col, key

    def edge(self, a: tuple[int, str], b: tuple[int, str]) -> None:
        self.edges.add((a, b))


def _base(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1] or path


def _add_claim(g: _Graph, claim: Claim, names: dict[str, str], parents: dict[str, tuple[str, ...]],
               lists: dict[str, tuple[str, ...]], image: tuple[int, str]) -> None:
    flagged = bool(lists.get(claim.entity))
    claim_node = g.node(4, f"{claim.layer}/{claim.entity}", f"{claim.layer}: {claim.entity} {claim.confidence:.2f}",
                        flagged)
    entity_node = g.node(5, claim.entity, names.get(claim.entity, claim.entity), flagged)
    g.edge(claim_node, entity_node)
    for parent in parents.get(claim.entity, ())[:2]:
        g.edge(entity_node, g.node(6, f"p:{parent}", f"parent: {names.get(parent, parent)}", bool(lists.get(parent))))
    for name in lists.get(claim.entity, ()):
        g.edge(entity_node, g.node(6, f"l:{name}", f"list: {name}", True))
    for ev in claim.evidence[:MAX_EVIDENCE_PER_CLAIM]:
        ev_node = g.node(3, f"{ev.kind}:{ev.rule_id}", ev.rule_id)
        g.edge(ev_node, claim_node)
        file_node = g.node(2, ev.path, _base(ev.path))
        g.edge(file_node, ev_node)
        containers = [c for c in ev.chain[:-1] if c != ev.chain[0]] if ev.chain else []
        upstream = image
        if containers:
            upstream = g.node(1, containers[-1], _base(containers[-1]))
            g.edge(image, upstream)
        g.edge(upstream, file_node)


def _label(text: str, width: int = NODE_W - 12) -> str:
    limit = max(4, width // 7)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_svg(report: Report, names: dict[str, str], parents: dict[str, tuple[str, ...]],
               lists: dict[str, tuple[str, ...]]) -> str:
    """The SVG element (empty string when there is no claim to draw)."""
    claims = sorted_claims(report.claims)
    if not claims:
        return ""
    g = _Graph()
    image = g.node(0, "image", str(report.image.get("name", "image")))
    for claim in claims:
        _add_claim(g, claim, names, parents, lists, image)
    rows = max(len(col) for col in g.nodes)
    height = TOP + rows * (NODE_H + GAP) + 10
    width = COL_W * len(COLUMNS) + 10
    pos = {}
    for c, col in enumerate(g.nodes):
        offset = (rows - len(col)) * (NODE_H + GAP) / 2
        for r, (key, _, _) in enumerate(col):
            pos[(c, key)] = (10 + c * COL_W, TOP + offset + r * (NODE_H + GAP))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height:.0f}" role="img" '
             f'aria-label="provenance graph" font-family="system-ui,DejaVu Sans,sans-serif" font-size="11">']
    parts += [f'<text x="{10 + i * COL_W}" y="18" fill="#5b6675" font-size="11" font-weight="600">{escape(t)}</text>'
              for i, t in enumerate(COLUMNS)]
    for a, b in sorted(g.edges):
        (x1, y1), (x2, y2) = pos[a], pos[b]
        x1, y1, y2 = x1 + NODE_W, y1 + NODE_H / 2, y2 + NODE_H / 2
        mid = (x1 + x2) / 2
        parts.append(f'<path d="M{x1:.0f},{y1:.0f} C{mid:.0f},{y1:.0f} {mid:.0f},{y2:.0f} {x2:.0f},{y2:.0f}" '
                     'fill="none" stroke="#aab6c6" stroke-width="1.2"/>')
    for c, col in enumerate(g.nodes):
        for key, label, flagged in col:
            x, y = pos[(c, key)]
            fill = FLAGGED if flagged else FILL[COLUMNS[c]]
            parts.append(f'<g><title>{escape(label)}</title><rect x="{x}" y="{y:.0f}" width="{NODE_W}" '
                         f'height="{NODE_H}" rx="5" fill="{fill}"/><text x="{x + 7}" y="{y + 17:.0f}" '
                         f'fill="#fff">{escape(_label(label))}</text></g>')
    parts.append("</svg>")
    return "".join(parts)
