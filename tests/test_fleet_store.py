"""Fleet store and queries on both backends (a SQLite file and a real PostgreSQL server): migrations match the
schema, report -> rows -> report is lossless, `fwaudit db import` then `fwaudit query` answers the same on both,
hostile strings stay inert in tables and CSV, bad targets give exit 2/3 and a message."""

from __future__ import annotations

import copy
import csv
import io
import json
from pathlib import Path

import pytest
import yaml
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from click.testing import CliRunner

from audit.cli import main
from audit.fleet.query import ComponentSpec, version_key
from audit.fleet.schema import metadata
from audit.fleet.store import open_store
from audit.model import AuditConfig
from audit.pipeline import run
from tests.conftest import REPO, sample_manifests
from tests.helpers.postgres import postgres_server, skip_reason

pytestmark = pytest.mark.integration
BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def pg():
    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    with postgres_server() as server:
        yield server


@pytest.fixture(params=BACKENDS)
def store_url(request, tmp_path):
    if request.param == "sqlite":
        return str(tmp_path / "fleet.sqlite")
    return request.getfixturevalue("pg").new_database()


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, Path]:
    """Each built sample audited once for this module: image name -> its report.json."""
    manifests = sample_manifests()
    if not manifests:
        pytest.skip("samples not built (make samples)")
    out = tmp_path_factory.mktemp("reports")
    paths = {}
    for m in manifests:
        report = run(AuditConfig(image=m["image_path"], jobs=2))
        path = out / m["image"] / "report.json"
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps(report.to_dict(), sort_keys=True, ensure_ascii=False))
        paths[m["image"]] = path
    return paths


def expected_images(layer: str, entity: str) -> set[str]:
    """Sample images whose expected file (samples/expected) claims `entity` at `layer` (not as a hint)."""
    found = set()
    for path in sorted((REPO / "samples" / "expected").glob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        claim = (data.get("provenance") or {}).get(layer) or {}
        if claim.get("entity") == entity and claim.get("level") != "hint":
            found.add(data["image"])
    return found


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def query(url: str, *args: str) -> list[dict]:
    code, out, err = cli("query", "--db", url, "--format", "json", *args)
    assert code == 0, err
    return json.loads(out)


def shared_by_two(reports: dict[str, Path]) -> tuple[str, set[str]]:
    """A file sha256 held by exactly two sample images, and those images."""
    holders: dict[str, set[str]] = {}
    for name, path in reports.items():
        for rec in json.loads(path.read_text())["files"]:
            if rec.get("sha256"):
                holders.setdefault(rec["sha256"], set()).add(name)
    sha = min(sha for sha, names in holders.items() if len(names) == 2)
    return sha, holders[sha]


def test_migrated_schema_matches_tables(store_url):
    with open_store(store_url) as store, store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    with open_store(store_url):  # reopening an up-to-date store is a no-op
        pass


def test_report_round_trip(store_url, reports):
    with open_store(store_url) as store:
        for path in reports.values():
            original = json.loads(path.read_text())
            run_id = store.add_report(original, source=str(path))
            assert store.rebuild_report(run_id) == original  # rebuilt from the normalised rows
            assert store.report(run_id) == original


def hostile(original: dict) -> dict:
    """A report whose strings a database, a terminal or a spreadsheet could trip on."""
    data = copy.deepcopy(original)
    data["image"]["sha256"] = "f" * 64
    data["image"]["name"] = "=HYPERLINK(\"http://evil\")"
    claim = next(c for c in data["provenance"]["claims"] if c["layer"] == "soc")
    claim["entity"] = "[bold red]x[/]\x00evil"
    claim["detail"] = "=HYPERLINK(\"http://evil\")"
    claim["future_field"] = {"nested": [1, 2]}
    del claim["notes"]
    data["files"][0]["path"] = "bad\udcffname\x00"
    data["findings"][0]["title"] = "\x1b[2Jclear\x1b~json:look-alike"
    return data


def test_round_trip_hostile_strings(store_url, reports):
    original = hostile(json.loads(next(iter(reports.values())).read_text()))
    with open_store(store_url) as store:
        run_id = store.add_report(original)
        assert store.rebuild_report(run_id) == original


@pytest.fixture
def imported(store_url, reports) -> str:
    code, out, err = cli("db", "import", "--store", store_url, "--tag", "site=berlin", *map(str, reports.values()))
    assert code == 0, err
    assert f"imported {len(reports)} of {len(reports)}" in out
    return store_url


def test_queries(imported, reports):
    names = lambda rows: {r["image"] for r in rows}  # noqa: E731
    hisilicon = query(imported, "--layer", "soc", "--entity", "hisilicon")
    assert names(hisilicon) == expected_images("soc", "hisilicon") != set()
    assert all(len(r["sha256"]) == 64 for r in hisilicon)
    sha, holders = shared_by_two(reports)
    assert names(query(imported, "--sha256", sha)) == holders
    assert names(query(imported, "--endpoint", "*.hik-connect.com")) == {"hik-nvr.dav"}
    assert names(query(imported, "--component", "busybox<1.30")) == set()
    assert names(query(imported, "--component", "busybox>=1.30")) == {"openwrt-router.bin"}
    assert names(query(imported, "--component", "linux<4")) == {"ingenic-cam.bin"}  # 3.10.14: numeric, not text
    assert names(query(imported, "--component", "linux=4.9.37")) == {"hik-nvr.dav", "xm-camera.bin", "xm-camera-v2.bin"}
    assert names(query(imported, "--policy", "ndaa-889=fail")) == {"hik-nvr.dav"}
    assert names(query(imported, "--tag", "site=berlin")) == set(reports)
    assert query(imported, "--tag", "site=paris") == []
    both = query(imported, "--layer", "soc", "--entity", "hisilicon", "--policy", "ndaa-889=review")
    assert names(both) == names(hisilicon) - {"hik-nvr.dav"}


def test_similar_ranks_by_shared_files(imported, reports):
    _sha, holders = shared_by_two(reports)
    first, second = sorted(holders)
    rows = query(imported, "--similar", first)
    assert rows[0]["image"] == second
    assert rows[0]["shared_files"] >= 1 and 0 < rows[0]["jaccard"] <= 1
    assert [r["jaccard"] for r in rows] == sorted((r["jaccard"] for r in rows), reverse=True)
    assert first not in {r["image"] for r in rows}


QUERIES = (("--layer", "soc", "--entity", "hisilicon"), ("--layer", "cloud", "--hints"), ("--endpoint", "*.com"),
           ("--component", "linux>3"), ("--policy", "no-telnet=fail"), ("--similar", "xm-camera.bin"))


def test_backends_answer_alike(pg, reports, tmp_path):
    answers = []
    for url in (str(tmp_path / "fleet.sqlite"), pg.new_database()):
        assert cli("db", "import", "--store", url, *map(str, reports.values()))[0] == 0
        rows = [query(url, *q) for q in QUERIES]
        answers.append([[{k: v for k, v in r.items() if k != "source"} for r in q] for q in rows])
        _code, out, _ = cli("fleet", "--db", url, "--json")
        answers[-1].append(json.loads(out))
    assert answers[0] == answers[1]


def test_hostile_values_stay_inert(store_url, reports):
    evil_tag = "=cmd|'/C calc'!A0"
    with open_store(store_url) as store:
        store.add_report(hostile(json.loads(next(iter(reports.values())).read_text())), tags={"asset": evil_tag})
    code, out, _ = cli("query", "--db", store_url, "--format", "csv", "--tag", f"asset={evil_tag}")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 1 and rows[0]["image"] == "'=HYPERLINK(\"http://evil\")"
    assert rows[0]["tags"] == "asset=" + evil_tag
    code, out, _ = cli("query", "--db", store_url, "--format", "csv", "--layer", "soc", "--hints")
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in csv.reader(io.StringIO(out)) for cell in row)
    code, out, _ = cli("fleet", "--db", store_url)
    assert code == 0 and "[bold red]x[/]" in out and "\x1b[2J" not in out and "\\x00evil" in out


def test_bad_targets_exit_cleanly(tmp_path):
    code, _, err = cli("query", "--db", "mysql://nobody@nowhere/db")
    assert code == 2 and "only SQLite files and PostgreSQL URLs" in err
    code, _, err = cli("query", "--db", "postgresql://nobody@127.0.0.1:1/none")
    assert code == 3 and "cannot open the store" in err and "Traceback" not in err
    bad = tmp_path / "report.json"
    bad.write_text("{not json")
    code, _, err = cli("db", "import", "--store", str(tmp_path / "s.sqlite"), str(bad), str(tmp_path / "missing.json"))
    assert code == 3 and "not JSON" in err and "no such file" in err
    code, _, err = cli("query", "--db", str(tmp_path / "s.sqlite"), "--component", "busybox<x")
    assert code == 2
    code, _, err = cli("query", "--db", str(tmp_path / "s.sqlite"), "--similar", "nonexistent-image")
    assert code == 2 and "not a sha256" in err


def test_version_compare():
    assert version_key("V2.0.4.0 B050") == (2, 0, 4, 0)
    assert version_key("unknown") == ()
    spec = ComponentSpec.parse("busybox<1.30")
    assert spec.accepts("1.9.2") and spec.accepts("1.29.3") and not spec.accepts("1.30") and not spec.accepts("1.36.1")
    assert ComponentSpec.parse("busybox=1.30").accepts("1.30.0")
    assert not ComponentSpec.parse("busybox>1.0").accepts(None)
    assert ComponentSpec.parse("busybox").accepts(None)
