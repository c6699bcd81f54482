"""Cross-vendor confusion over the labelled real corpus: which rule fired, at which weight, on which item.

Every labelled item of `../shared/corpus` is audited once by the real pipeline (unpack, inspect, YARA) under a
neutral file name; every YARA match and every fact-rule hit becomes a `Hit` (rule, layer, entity, weight),
whatever its claim's confidence. An item's *own* entities are those its labels name in MUST or MAY (any
layer); a vendor-layer hit of any other entity is a confusion. Results are cached in tests/.cache keyed by the
code, rules, labels and corpus digests, so a second run is free.

    .venv/bin/python -m tests.helpers.confusion [--jobs N]  # strong/medium confusions, strong rules without positive
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from tests.helpers.controls import CORPUS, REPO

EVAL_DIR = CORPUS.parent / "eval"
LABELS = CORPUS / "labels.tsv"
CACHE = REPO / "tests" / ".cache" / "confusion"
VENDOR_LAYERS = ("soc", "sdk", "toolchain", "odm", "oem", "cloud")
REPORTS_ENV = "FWAUDIT_CONFUSION_REPORTS"  # also write each item's report.json there (score.py --rescore layout)


@dataclass(frozen=True)
class Hit:
    item: str
    rule: str
    layer: str
    entity: str
    weight: str
    path: str
    matched: str


def score_module() -> Any:
    """`../shared/eval/score.py` (its alias table and label parser are the ground truth's own)."""
    sys.path.insert(0, str(EVAL_DIR))
    import score  # type: ignore[import-not-found]

    return score


def available() -> bool:
    return LABELS.is_file() and (EVAL_DIR / "score.py").is_file()


def labels() -> dict[str, Any]:
    score = score_module()
    return {label.item: label for label in score.load_labels(LABELS, score.ALIASES)}


def own_entities(label: Any) -> set[str]:
    """Canonical entities an item's MUST tokens name, plus its MAY ones that no `*:entity` MUST_NOT forbids
    (a Goke part MAY carry HiSilicon-compatible SDK symbols, but any HiSilicon claim on it is forbidden)."""
    must = {p.entity for group in label.must for p in group}
    forbidden = {p.entity for p in label.must_not if p.layer == "*"}
    names = must | ({p.entity for p in label.may} - forbidden)
    return {n for n in names if n != "*"}


def canon(entity: str) -> str:
    score = score_module()
    return score.canon(entity.split(":", 1)[-1], score.ALIASES)


def _digest() -> str:
    from audit.resources import digest_files

    code = [p for p in (REPO / "audit").rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    rules = [p for p in (REPO / "rules").rglob("*") if p.is_file()]
    digest = hashlib.sha256()
    digest.update(digest_files(REPO, code + rules).encode())
    digest.update(LABELS.read_bytes())
    return digest.hexdigest()[:20]


def item_endpoints(report: Any) -> list[dict[str, Any]]:
    """The headline endpoints of a report: host, value, kind, category and every file they were read from."""
    return [{"host": e["host"], "value": e["value"], "kind": e["kind"], "category": e["category"],
             "owner": e.get("owner"), "paths": sorted({o["path"] for o in e["occurrences"]})}
            for e in report.endpoints if e.get("headline")]


def item_hits(item: str) -> dict[str, Any]:
    """Every rule hit and every headline endpoint of one corpus item (a real pipeline run under a neutral name,
    work dir removed)."""
    from audit.attribute import evidence_from_facts, evidence_from_matches
    from audit.knowledge import load_knowledge
    from audit.model import AuditConfig
    from audit.pipeline import disk_items, run
    from audit.scan import scan_files

    kb = load_knowledge()
    base = Path(tempfile.mkdtemp(prefix="fwaudit-confusion-"))
    try:
        staged = base / score_module().neutral_name(item)
        shutil.copyfile(CORPUS / item, staged)
        work = base / "work"
        report = run(AuditConfig(image=staged, workdir=work, keep=True, jobs=1, formats=()))
        extract = work / f"{staged.name}.fwaudit" / "extract"
        items = disk_items(staged, extract, report.files)
        matches, _ = scan_files(items, 1)
        if os.environ.get(REPORTS_ENV):
            from audit.report import json_report

            out = Path(os.environ[REPORTS_ENV]) / score_module().slugify(item)
            out.mkdir(parents=True, exist_ok=True)
            (out / "report.json").write_text(json_report.render(report), encoding="utf-8")
        by_path = {f.path: f for f in report.files}
        found = evidence_from_matches(matches, by_path, kb) + evidence_from_facts(report.facts, by_path, kb)
        hits = {Hit(item, i.evidence.rule_id, i.layer, i.entity, i.evidence.weight, i.evidence.path,
                    i.evidence.matched) for i in found}
        return {"item": item, "hits": [asdict(h) for h in sorted(hits, key=lambda h: (h.rule, h.path, h.matched))],
                "endpoints": item_endpoints(report)}
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _audited(jobs: int) -> list[dict[str, Any]]:
    """`item_hits` of every labelled item, cached by code, rules and labels digest (one corpus pass serves the
    confusion and the endpoint tests)."""
    cache = CACHE / f"items-{_digest()}.json"
    if cache.is_file():
        return list(json.loads(cache.read_text()))
    items = sorted(labels())
    with ProcessPoolExecutor(max_workers=max(1, jobs)) as pool:
        rows = list(pool.map(item_hits, items))
    CACHE.mkdir(parents=True, exist_ok=True)
    for old in [*CACHE.glob("hits-*.json"), *CACHE.glob("items-*.json")]:
        old.unlink()
    cache.write_text(json.dumps(rows, indent=0, sort_keys=True))
    return rows


def collect(jobs: int = 2) -> list[Hit]:
    """Hits of every labelled item."""
    return [Hit(**h) for row in _audited(jobs) for h in row["hits"]]


def collect_endpoints(jobs: int = 2) -> dict[str, list[dict[str, Any]]]:
    """item -> its headline endpoints (see `item_endpoints`)."""
    return {row["item"]: row["endpoints"] for row in _audited(jobs)}


def confusions(hits: list[Hit], weights: tuple[str, ...] = ("strong",)) -> list[Hit]:
    """Vendor-layer hits at `weights` on items whose labels do not name the rule's entity (or its parents)."""
    from audit.knowledge import load_knowledge

    kb = load_knowledge()
    by_item = labels()
    out = []
    for hit in hits:
        if hit.layer not in VENDOR_LAYERS or hit.weight not in weights:
            continue
        family = {canon(hit.entity)} | ({canon(p) for p in kb.ancestors(hit.entity)} if hit.entity in kb else set())
        if not family & own_entities(by_item[hit.item]) and not allowed(by_item[hit.item], hit.layer, hit.entity):
            out.append(hit)
    return out


def allowed(label: Any, layer: str, entity: str) -> bool:
    """The labels accept this very (layer, entity): a MUST or MAY match, wildcard layers included
    (`toolchain:*` is MAY everywhere: an Anyka camera really may be built with a HiSilicon toolchain)."""
    kind, _, _ = label.classify(layer, canon(entity), set())
    forbidden = {p.entity for p in label.must_not if p.layer == "*"}
    return kind == "tp" or (kind == "may" and canon(entity) not in forbidden)


def strong_rules() -> dict[str, tuple[str, str]]:
    """Every strong vendor-layer rule (YARA and fact rules): id -> (layer, entity)."""
    from audit.knowledge import load_knowledge
    from audit.rule_meta import load_rule_infos

    out = {r.id: (r.layer, r.entity) for r in load_knowledge().fact_rules
           if r.weight == "strong" and r.layer in VENDOR_LAYERS}
    for info in load_rule_infos():
        meta = dict(info.meta)
        if meta.get("weight") == "strong" and meta.get("layer") in VENDOR_LAYERS:
            out[info.name] = (str(meta["layer"]), str(meta.get("entity")))
    return out


def without_positive(hits: list[Hit]) -> list[str]:
    """Strong rules that fire on no corpus item of their own entity."""
    by_item = labels()
    positive = {h.rule for h in hits
                if {canon(h.entity)} & own_entities(by_item[h.item])}
    return sorted(rule for rule in strong_rules() if rule not in positive)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--reports", type=Path, help="also write every report.json here (for score.py --rescore)")
    args = parser.parse_args()
    if args.reports:
        os.environ[REPORTS_ENV] = str(args.reports.resolve())
    if not available():
        print("../shared/corpus or ../shared/eval absent")
        return 0
    hits = collect(args.jobs)
    for weight in ("strong", "medium"):
        found = confusions(hits, (weight,))
        print(f"== {weight} rules firing on other vendors' items: {len(found)}")
        for h in found:
            print(f"  {h.rule:50s} {h.layer}:{h.entity:14s} {h.item}  {h.path} {h.matched[:60]!r}")
    missing = without_positive(hits)
    print(f"== strong rules with no real positive: {len(missing)}")
    for rule in missing:
        print(f"  {rule}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
