"""Signed evidence bundles with real keys and a real audit: keygen, create, verify, and every way a bundle can
be tampered with (report byte, evidence file, evidence hash, signature, wrong key) fails with its reason."""

from __future__ import annotations

import base64
import json
import shutil
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from audit.bundle import content as c
from audit.bundle.check import read_members
from audit.bundle.create import _write_tar
from audit.cli import main
from audit.model import AuditConfig
from audit.pipeline import run as run_audit
from audit.report import json_report
from tests.conftest import REPO, SAMPLES_BUILD


def cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def kept_audit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """xm-camera audited once with a kept work dir: report folder with report.json."""
    image = SAMPLES_BUILD / "xm-camera.bin"
    if not image.is_file():
        pytest.skip("samples not built (make samples)")
    base = tmp_path_factory.mktemp("kept")
    report = run_audit(AuditConfig(image=image, workdir=base / "work", jobs=1))
    (base / "report").mkdir()
    json_report.write(report, base / "report")
    return base / "report"


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    key = tmp_path_factory.mktemp("keys") / "signing.pem"
    code, text = cli("bundle", "keygen", "-o", str(key))
    assert code == 0, text
    return key, key.with_name("signing.pem.pub")


def test_keygen_files(keys: tuple[Path, Path]) -> None:
    key, pub = keys
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert b"BEGIN PRIVATE KEY" in key.read_bytes() and b"BEGIN PUBLIC KEY" in pub.read_bytes()
    assert cli("bundle", "keygen", "-o", str(key))[0] == 2  # never overwrites a key


@pytest.fixture
def bundle(kept_audit: Path, keys: tuple[Path, Path], tmp_path: Path) -> Path:
    target = tmp_path / "case.bundle"
    code, text = cli("bundle", str(kept_audit), "--key", str(keys[0]), "-o", str(target))
    assert code == 0, text
    return target


def test_fresh_bundle_verifies_and_holds_the_cited_files(bundle: Path, keys: tuple[Path, Path]) -> None:
    code, text = cli("bundle", "verify", str(bundle), "--pub", str(keys[1]))
    assert code == 0 and text.startswith("OK"), text
    members = read_members(bundle)
    names = list(members)
    assert names[:4] == [c.MANIFEST, c.MANIFEST_SIG, c.ATTESTATION, c.REPORT]
    manifest = json.loads(members[c.MANIFEST])
    assert manifest["evidence"] and all(e["included"] for e in manifest["evidence"])
    assert len([n for n in names if n.startswith(c.EVIDENCE_DIR)]) == len({e["sha256"] for e in manifest["evidence"]})
    envelope = json.loads(members[c.ATTESTATION])
    assert envelope["payloadType"] == "application/vnd.in-toto+json"
    stmt = json.loads(base64.b64decode(envelope["payload"]))
    assert stmt["_type"] == "https://in-toto.io/Statement/v1"
    assert stmt["subject"] == [{"name": "xm-camera.bin", "digest": {"sha256": manifest["image"]["sha256"]}}]
    assert stmt["predicateType"] == "https://fwaudit.dev/attestation/audit/v1"


def _tamper(bundle: Path, member: str, edit) -> None:  # type: ignore[no-untyped-def]
    members = read_members(bundle)
    members[member] = edit(members[member])
    _write_tar(bundle, list(members.items()))


def _flip_last_digit(data: bytes) -> bytes:
    text = data.decode()
    i = max(text.rfind(d) for d in "0123456789")
    return (text[:i] + ("1" if text[i] != "1" else "2") + text[i + 1:]).encode()


def _first_evidence(bundle: Path) -> str:
    return next(n for n in read_members(bundle) if n.startswith(c.EVIDENCE_DIR))


def _resign_with(bundle: Path, other_key: Path) -> None:
    from audit.bundle.dsse import sign
    from audit.bundle.keys import load_private

    members = read_members(bundle)
    env = json.loads(members[c.MANIFEST_SIG])
    members[c.MANIFEST_SIG] = json.dumps(sign(base64.b64decode(env["payload"]), env["payloadType"],
                                              load_private(other_key))).encode()
    _write_tar(bundle, list(members.items()))


@pytest.mark.parametrize(("case", "reason"), [
    ("report-byte", "report.json: sha256 differs"),
    ("report-run-byte", "report.json: sha256 differs"),
    ("evidence-file", "content does not match its sha256"),
    ("evidence-hash", "manifest.json differs from the signed manifest"),
    ("signature", "bad signature"),
    ("attestation", "attestation.dsse.json"),
    ("resigned", "signed by another key"),
])
def test_tampering_fails_with_the_reason(bundle: Path, keys: tuple[Path, Path], tmp_path: Path, case: str,
                                         reason: str) -> None:
    if case == "report-byte":
        _tamper(bundle, c.REPORT, lambda d: d.replace(b'"hisilicon"', b'"hisilicoN"', 1))
    elif case == "report-run-byte":
        _tamper(bundle, c.REPORT, lambda d: d.replace(b'"run": {', b'"run": {"x": 1, ', 1))
    elif case == "evidence-file":
        _tamper(bundle, _first_evidence(bundle), lambda d: d[:-1] + bytes([d[-1] ^ 1]))
    elif case == "evidence-hash":
        _tamper(bundle, c.MANIFEST, lambda d: d.replace(b'"sha256": "', b'"sha256": "0', 1))
    elif case == "signature":
        def flip_sig(d: bytes) -> bytes:
            env = json.loads(d)
            sig = bytearray(base64.b64decode(env["signatures"][0]["sig"]))
            sig[0] ^= 1
            env["signatures"][0]["sig"] = base64.b64encode(bytes(sig)).decode()
            return json.dumps(env).encode()
        _tamper(bundle, c.MANIFEST_SIG, flip_sig)
    elif case == "attestation":
        _tamper(bundle, c.ATTESTATION, _flip_last_digit)
    else:
        other = tmp_path / "other.pem"
        assert cli("bundle", "keygen", "-o", str(other))[0] == 0
        _resign_with(bundle, other)
    code, text = cli("bundle", "verify", str(bundle), "--pub", str(keys[1]))
    assert code == 1 and "FAILED" in text and reason in text, text


def test_wrong_key_fails(bundle: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.pem"
    assert cli("bundle", "keygen", "-o", str(other))[0] == 0
    code, text = cli("bundle", "verify", str(bundle), "--pub", str(tmp_path / "other.pem.pub"))
    assert code == 1 and "another key" in text, text


def test_report_that_does_not_rerender_fails(kept_audit: Path, keys: tuple[Path, Path], tmp_path: Path) -> None:
    folder = tmp_path / "compact"
    folder.mkdir()
    (folder / "report.json").write_text(json.dumps(json.loads((kept_audit / "report.json").read_text())))
    target = tmp_path / "compact.bundle"
    assert cli("bundle", str(folder), "--key", str(keys[0]), "-o", str(target))[0] == 0
    code, text = cli("bundle", "verify", str(target), "--pub", str(keys[1]))
    assert code == 1 and "does not re-render" in text, text


def _payload(path: Path) -> bytes:
    return base64.b64decode(json.loads(read_members(path)[c.ATTESTATION])["payload"])


def test_payload_is_deterministic_and_ignores_run(kept_audit: Path, keys: tuple[Path, Path], tmp_path: Path) -> None:
    first, second, third = tmp_path / "1.bundle", tmp_path / "2.bundle", tmp_path / "3.bundle"
    for target in (first, second):
        assert cli("bundle", str(kept_audit), "--key", str(keys[0]), "-o", str(target))[0] == 0
    assert _payload(first) == _payload(second)
    assert first.read_bytes() == second.read_bytes()  # the whole archive too (Ed25519 signatures are deterministic)
    other = tmp_path / "rerun"
    shutil.copytree(kept_audit, other)
    data = json.loads((other / "report.json").read_text())
    data["run"]["started"] = "2030-01-01T00:00:00+00:00"  # another run of the same audit: only `run` differs
    from audit.load import report_from_dict
    (other / "report.json").write_text(json_report.render(report_from_dict(data)))
    assert cli("bundle", str(other), "--key", str(keys[0]), "-o", str(third), "--no-files")[0] == 0
    assert _payload(third) == _payload(first)


def test_no_files_and_no_workdir_keep_hashes_only(keys: tuple[Path, Path], tmp_path: Path) -> None:
    folder = tmp_path / "golden"
    folder.mkdir()
    shutil.copy(REPO / "tests" / "golden" / "xm-camera" / "report.json", folder / "report.json")
    target = tmp_path / "h.bundle"
    code, text = cli("bundle", str(folder), "--key", str(keys[0]), "-o", str(target))
    assert code == 0 and "work dir was not kept" in text, text
    assert not [n for n in read_members(target) if n.startswith(c.EVIDENCE_DIR)]
    assert cli("bundle", "verify", str(target), "--pub", str(keys[1]))[0] == 0
