"""Device-tree vendor prefixes as evidence: `rules/data/dt_vendor_prefixes.yaml` becomes fact rules.

A flattened device tree's root `compatible` (`fdt` facts from audit/inspect/headers.py) names the board and
the SoC as `<vendor-prefix>,<chip>-...`. Each table row maps one prefix to an SoC vendor entity; this module
turns the rows into rows of the fact-rule schema (rules/data/fact_rules.yaml), so they are validated and
applied by the one fact-rule mechanism. The chip part becomes the claim's detail (normalised through chips).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from audit.resources import load_yaml

_PREFIX = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_WEIGHTS = ("strong", "medium", "weak")


def fact_rule_rows(path: Path, errors: list[str]) -> list[dict[str, Any]]:
    """One `fdt`/`compatible` fact-rule row per prefix row of the table (none when the file is absent)."""
    if not path.exists():
        return []
    try:
        doc = load_yaml(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        errors.append(f"{path.name}: {exc}")
        return []
    rows = doc.get("prefixes") if isinstance(doc, dict) else None
    if not isinstance(rows, list):
        errors.append(f"{path.name}: expected a list of mappings under 'prefixes'")
        return []
    out, seen = [], set()
    for row in rows:
        prefix, entity = str((row or {}).get("prefix", "")), str((row or {}).get("entity", ""))
        weight, reference = str(row.get("weight", "medium")), str(row.get("reference", ""))
        if not _PREFIX.match(prefix) or prefix in seen or weight not in _WEIGHTS or not reference.startswith("https://"):
            errors.append(f"{path.name}: bad or duplicate row {row!r}")
            continue
        seen.add(prefix)
        slug = re.sub(r"[^A-Za-z0-9]+", "_", prefix).strip("_")
        out.append({
            "id": f"FACT_SOC_DT_Compatible_{slug}",
            "description": f"Device tree root compatible with the '{prefix},' vendor prefix (the SoC of the board)",
            "fact": "fdt",
            "field": "compatible",
            "regex": rf"^{re.escape(prefix)},([a-z]+[0-9][a-z0-9]*)",
            "layer": "soc",
            "entity": entity,
            "weight": weight,
            "detail": "{1}",
            "reference": reference,
        })
    return out
