"""Endpoint column of `make eval`: headline endpoints per corpus item and recall of the labelled `endpoint:` hosts.

Reads the reports that ../shared/eval/score.py wrote (`<out>/<item with / as __>/report.json`) and
../shared/corpus/labels.tsv. Prints, per item with headline endpoints or endpoint MUSTs: headline count, the
labelled hosts found among the headline endpoints, and the non-headline categories; then the totals.
Run: `.venv/bin/python tools/eval_endpoints.py --out build/eval --corpus ../shared/corpus`.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
from collections import Counter
from pathlib import Path

PLACEHOLDER = re.compile(r"%[0-9.]*[sdux]|\*")


def endpoint_musts(labels: Path) -> dict[str, set[str]]:
    """item -> hosts its labels say the device really contacts (`endpoint:HOST` MUST tokens)."""
    out: dict[str, set[str]] = {}
    with labels.open(newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            hosts = {alt[len("endpoint:"):] for token in (row.get("must") or "").split()
                     for alt in token.split("|") if alt.startswith("endpoint:")}
            if hosts:
                out[row["item"]] = hosts
    return out


def headline_hosts(report: dict) -> set[str]:
    return {str(e.get("host") or e["value"]).lower() for e in report.get("endpoints", []) if e.get("headline")}


def host_found(label: str, hosts: set[str]) -> bool:
    """A labelled host is among `hosts` itself, or as a printf/wildcard template that produces it
    (`%s.myfoscam.org` is the host the firmware builds for `s.myfoscam.org`)."""
    label = label.lower()
    if label in hosts:
        return True
    templates = (h for h in hosts if PLACEHOLDER.search(h))
    return any(re.fullmatch("[a-z0-9-]+".join(map(re.escape, PLACEHOLDER.split(h))), label) for h in templates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("build/eval"))
    parser.add_argument("--corpus", type=Path, default=Path("../shared/corpus"))
    args = parser.parse_args()
    musts = endpoint_musts(args.corpus / "labels.tsv")
    total_headline = found = wanted = 0
    categories: Counter[str] = Counter()
    rows = []
    for path in sorted(args.out.glob("*/report.json")):
        item = path.parent.name.replace("__", "/")
        report = json.loads(path.read_text())
        heads = headline_hosts(report)
        for entry in report.get("endpoints", []):
            categories[f"{entry.get('category')}{'' if entry.get('headline') else ' (not headline)'}"] += 1
        want = musts.get(item, set())
        hit = {h for h in want if host_found(h, heads)}
        total_headline += len(heads)
        found, wanted = found + len(hit), wanted + len(want)
        if heads or want:
            rows.append((len(heads), item, f"{len(hit)}/{len(want)}" if want else ""))
    print(f"{'headline':>8}  {'MUST hosts':>10}  item")
    for count, item, ratio in sorted(rows, reverse=True):
        print(f"{count:>8}  {ratio:>10}  {item}")
    print(f"\nheadline endpoints: {total_headline} on {len(rows)} items; labelled hosts among them: {found}/{wanted}")
    print("categories: " + ", ".join(f"{k} {v}" for k, v in categories.most_common()))


if __name__ == "__main__":
    main()
