"""Endpoints on real firmware: the hosts a device really contacts are headline, and nothing else much is.

Reads the headline endpoints of every labelled item of ../shared/corpus from the one cached corpus pass that the
confusion test also uses (tests/helpers/confusion.py). Checks: every `endpoint:` MUST of labels.tsv is a
headline endpoint; no headline endpoint was read only from a documentation/table file or is a code identifier
chain; the Debian controls have none; and on the reviewed root file systems (tests/data/endpoints_reviewed.yaml,
keyed by the item's sha256, a reason per host) the headline list has precision >= 0.9 and recall 1.0.
Skips when the corpus is absent.
"""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path
from typing import Any

import pytest
import yaml

from audit.findings.endpoint_sources import DOC_FILE
from audit.findings.endpoints import _identifier_chain
from tests.helpers import confusion

pytestmark = [pytest.mark.corpus, pytest.mark.slow,
              pytest.mark.skipif(not confusion.available(), reason="../shared/corpus or ../shared/eval absent")]

REVIEWED = Path(__file__).parent / "data" / "endpoints_reviewed.yaml"


def _tool() -> Any:
    spec = importlib.util.spec_from_file_location("eval_endpoints", confusion.REPO / "tools" / "eval_endpoints.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def headline() -> dict[str, list[dict[str, Any]]]:
    return confusion.collect_endpoints(jobs=2)


def _hosts(entries: list[dict[str, Any]]) -> set[str]:
    return {str(e["host"]).lower() for e in entries}


def test_every_labelled_endpoint_is_headline(headline: dict[str, list[dict[str, Any]]]) -> None:
    tool = _tool()
    musts = tool.endpoint_musts(confusion.LABELS)
    missing = [f"{item}: {host}" for item, hosts in sorted(musts.items()) for host in sorted(hosts)
               if not tool.host_found(host, _hosts(headline.get(item, [])))]
    assert sum(map(len, musts.values())) >= 10
    assert not missing, "labelled endpoints that are not headline:\n" + "\n".join(missing)


def test_no_headline_endpoint_from_documentation_or_code(headline: dict[str, list[dict[str, Any]]]) -> None:
    bad = []
    for item, entries in sorted(headline.items()):
        for entry in entries:
            host = str(entry["host"]).lower()
            if all(DOC_FILE.search(p) for p in entry["paths"]):
                bad.append(f"{item}: {host} only in documentation/table files {entry['paths'][:3]}")
            elif entry["kind"] == "domain" and _identifier_chain(host.split(".")):
                bad.append(f"{item}: {host} is an identifier chain ({entry['paths'][:3]})")
    assert not bad, "\n".join(bad)


def test_debian_controls_have_no_headline_endpoint(headline: dict[str, list[dict[str, Any]]]) -> None:
    controls = {item: _hosts(e) for item, e in headline.items() if "negative_debian" in item}
    assert controls, "no Debian control item in the corpus labels"
    assert {item: hosts for item, hosts in controls.items() if hosts} == {}


def _reviewed() -> dict[str, dict[str, Any]]:
    return dict(yaml.safe_load(REVIEWED.read_text(encoding="utf-8"))["items"])


def test_reviewed_list_is_well_formed() -> None:
    reviewed = _reviewed()
    assert len(reviewed) >= 10
    for sha, row in reviewed.items():
        assert len(sha) == 64 and row["item"] and isinstance(row.get("expected") or {}, dict)
        assert all(str(reason).strip() for reason in (row.get("expected") or {}).values()), sha


def test_reviewed_root_file_systems(headline: dict[str, list[dict[str, Any]]]) -> None:
    """Per reviewed item: recall 1.0 of the expected headline hosts; over all of them: precision >= 0.9."""
    rows, found, reported, lost = [], 0, 0, []
    for sha, row in sorted(_reviewed().items(), key=lambda kv: kv[1]["item"]):
        path = confusion.CORPUS / row["item"]
        assert path.is_file(), row["item"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == sha, f"{row['item']}: sha256 changed"
        got, want = _hosts(headline.get(row["item"], [])), set(row.get("expected") or {})
        lost += [f"{row['item']}: {h}" for h in sorted(want - got)]
        found, reported = found + len(got & want), reported + len(got)
        rows.append(f"{len(got & want)}/{len(got)} {row['item']} extra={sorted(got - want)}")
    precision = found / reported if reported else 1.0
    print("\n".join(rows) + f"\nprecision {precision:.3f}")
    assert not lost, "expected headline hosts missing:\n" + "\n".join(lost)
    assert precision >= 0.9, "\n".join(rows)
