#!/usr/bin/env python3
"""Accuracy harness: scan + ELF facts + attribution over ../shared/corpus and the Debian controls.

Prints each corpus file's claims against its MANIFEST label and exits non-zero unless every file's SoC
vendor is right (a label saying "no SoC ... claim expected" means no SoC claim), no Goke file is called
HiSilicon, and the Debian controls yield no soc/sdk/odm/oem/cloud claim.
Usage: .venv/bin/python tools/eval_corpus.py [--jobs N] [--no-controls]
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from audit.attribute import attribute  # noqa: E402
from audit.knowledge import KnowledgeBase, load_knowledge  # noqa: E402
from audit.model import Claim, Fact, FileRecord  # noqa: E402
from audit.scan import scan_files  # noqa: E402
from tests.helpers.controls import CORPUS, SOURCES, control_files, corpus_manifest, record_for  # noqa: E402

FORBIDDEN_ON_CONTROLS = ("soc", "sdk", "odm", "oem", "cloud")


@dataclass
class Result:
    rows: list[tuple[str, str | None, list[Claim], bool]] = field(default_factory=list)
    goke_as_hisilicon: list[str] = field(default_factory=list)
    control_claims: list[tuple[str, Claim]] = field(default_factory=list)

    @property
    def soc_correct(self) -> int:
        return sum(ok for *_, ok in self.rows)

    @property
    def passed(self) -> bool:
        return self.soc_correct == len(self.rows) and not self.goke_as_hisilicon and not self.control_claims


def _facts(items: list[tuple[Path, FileRecord]], jobs: int) -> list[Fact]:
    try:
        from audit.inspect import inspect_files
    except ImportError:  # inspect stage not available: YARA evidence only
        return []
    facts, _ = inspect_files(items, jobs=jobs)
    return facts


def run(items: list[tuple[Path, FileRecord]], kb: KnowledgeBase, jobs: int) -> tuple[list[Claim], list[Claim]]:
    matches, _ = scan_files(items, jobs=jobs)
    claims, hints, _ = attribute([r for _, r in items], _facts(items, jobs), matches, kb)
    return claims, hints


def expected_soc(label: str, kb: KnowledgeBase) -> str | None:
    """SoC vendor named at the start of a label (by entity name or alias), None for 'no SoC ... expected'."""
    if re.search(r"\bno SoC\b", label, re.I):
        return None
    best: tuple[int, str | None] = (0, None)
    for ent in kb.entities.values():
        if "soc-vendor" not in ent.kinds:
            continue
        for name in (ent.name, *ent.aliases):
            if label.lower().startswith(name.lower()) and len(name) > best[0]:
                best = (len(name), ent.id)
    return best[1]


def evaluate(kb: KnowledgeBase, jobs: int = 1, controls: bool = True) -> Result:
    result = Result()
    for row in corpus_manifest():
        path = CORPUS / row["file"]
        claims, _ = run([(path, record_for(path, row["file"]))], kb, jobs)
        socs = [c for c in claims if c.layer == "soc"]
        expected = expected_soc(row["label"], kb)
        ok = [c.entity for c in socs] == ([expected] if expected else [])
        result.rows.append((row["file"], expected, claims, ok))
        if expected == "goke" and any(c.entity == "hisilicon" for c in claims if c.layer in ("soc", "sdk")):
            result.goke_as_hisilicon.append(row["file"])
    for name in SOURCES if controls else ():
        items = [(p, record_for(p)) for p in control_files(name)]
        claims, _ = run(items, kb, jobs) if items else ([], [])
        result.control_claims += [(name, c) for c in claims if c.layer in FORBIDDEN_ON_CONTROLS]
    return result


def _fmt(claim: Claim) -> str:
    detail = f" {claim.detail}" if claim.detail else ""
    return f"{claim.layer}:{claim.entity}{detail} ({claim.confidence:.2f})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--no-controls", action="store_true")
    args = parser.parse_args(argv)
    if not CORPUS.is_dir():
        print(f"corpus absent: {CORPUS}")
        return 2
    result = evaluate(load_knowledge(), args.jobs, not args.no_controls)
    for file, expected, claims, ok in result.rows:
        print(f"{'OK ' if ok else 'BAD'} {file}  expected soc={expected or '-'}")
        for claim in claims:
            print(f"      {_fmt(claim)}")
    print(f"\nsoc correct: {result.soc_correct}/{len(result.rows)}")
    print(f"goke files called hisilicon: {len(result.goke_as_hisilicon)} {result.goke_as_hisilicon or ''}")
    print(f"claims on Debian controls ({'/'.join(FORBIDDEN_ON_CONTROLS)}): {len(result.control_claims)}")
    for name, claim in result.control_claims:
        print(f"      {name}: {_fmt(claim)} e.g. {claim.evidence[0].path}")
    return 0 if result.passed else 1


if __name__ == "__main__":
    sys.exit(main())
