"""passwd/shadow/Sofia accounts and the known default hash table (re-verified here)."""

from __future__ import annotations

import hashlib
import json
import warnings
from pathlib import Path

import pytest
import yaml

from audit.inspect import inspect_file
from audit.inspect.accounts import HASHES_FILE, hash_scheme, sofia_hash
from audit.model import FileRecord

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    try:
        import crypt
    except ImportError:  # Python >= 3.13
        crypt = None  # type: ignore[assignment]

TABLE = yaml.safe_load(HASHES_FILE.read_text())["hashes"]


def accounts(tmp_path: Path, fs_path: str, content: bytes) -> list:
    p = tmp_path / fs_path.rsplit("/", 1)[-1]
    p.write_bytes(content)
    rec = FileRecord(path="rootfs" + fs_path, fs_path=fs_path, kind="file", size=len(content), mode=0o644,
                     sha256=hashlib.sha256(content).hexdigest())
    facts, errors = inspect_file(p, rec)
    assert errors == []
    return [f for f in facts if f.kind == "account"]


@pytest.mark.parametrize("row", [r for r in TABLE if r["scheme"] != "xm-sofia"], ids=lambda r: r["id"])
def test_crypt_entries_verify(row: dict) -> None:
    if crypt is None:
        pytest.skip("crypt module unavailable")
    assert row["verified"] is True
    assert crypt.crypt(row["plaintext"], row["hash"]) == row["hash"]
    assert hash_scheme(row["hash"]) == row["scheme"]


@pytest.mark.parametrize("row", [r for r in TABLE if r["scheme"] == "xm-sofia"], ids=lambda r: r["id"])
def test_sofia_entries_verify(row: dict) -> None:
    assert sofia_hash(row["plaintext"]) == row["hash"]


def test_table_rows_complete() -> None:
    required = {"id", "scheme", "hash", "plaintext", "vendor", "reference"}
    assert len(TABLE) >= 11
    for row in TABLE:
        assert required <= row.keys(), row
    assert len({r["hash"] for r in TABLE}) == len(TABLE)


def test_passwd_with_inline_hashes(tmp_path: Path) -> None:
    content = (b"root:absxcfbgXtb3o:0:0:root:/:/bin/sh\n"
               b"admin:ToCOv8qxP13qs:0:0::/root:/bin/psh\n"
               b"guest::1000:1000::/home/guest:/bin/sh\n"
               b"daemon:x:1:1:daemon:/usr/sbin:/bin/false\n")
    facts = {f.data["user"]: f for f in accounts(tmp_path, "/etc/passwd", content)}
    root = facts["root"].data
    assert root["scheme"] == "des" and root["uid"] == 0 and root["shell"] == "/bin/sh"
    assert root["known_default"]["plaintext"] == "xc3511" and root["known_default"]["vendor"] == "xiongmai"
    assert root["extra_uid0"] is False
    admin = facts["admin"]
    assert admin.data["extra_uid0"] is True and admin.data["shell"] == "/bin/psh"
    assert admin.data["known_default"]["vendor"] == "hikvision"
    assert content[admin.offset :].startswith(b"admin:")
    assert facts["guest"].data["empty_password"] is True
    assert facts["daemon"].data["scheme"] == "shadowed"


def test_shadow_schemes(tmp_path: Path) -> None:
    content = (b"root:$1$RYIwEiRA$d5iRRVQ5ZeRTrJwGjRy.B0:18000:0:99999:7:::\n"
               b"user:$6$salt$abc:18000:0:99999:7:::\n"
               b"y:$y$j9T$abc$def:18000::::::\n"
               b"bin:*:18000:0:99999:7:::\n"
               b"nobody:!:18000::::::\n")
    facts = {f.data["user"]: f.data for f in accounts(tmp_path, "/etc/shadow", content)}
    assert facts["root"]["scheme"] == "md5" and facts["root"]["known_default"]["plaintext"] == "xmhdipc"
    assert facts["user"]["scheme"] == "sha512" and "known_default" not in facts["user"]
    assert facts["y"]["scheme"] == "yescrypt"
    assert facts["bin"]["locked"] and facts["nobody"]["locked"]
    assert all(f["source"] == "shadow" for f in facts.values())


def test_xiongmai_account_json(tmp_path: Path) -> None:
    doc = {"Users": [
        {"Name": "admin", "Password": "6QNMIQGe", "Group": "admin", "Reserved": True, "Sharable": True},
        {"Name": "default", "Password": "OxhlwSG8", "Group": "user", "Reserved": True},
        {"Name": "guest", "Password": "tlJwpbo6", "Group": "user"},
    ]}
    content = json.dumps(doc, indent=1).encode()
    facts = {f.data["user"]: f for f in accounts(tmp_path, "/mnt/mtd/Config/Account1", content)}
    admin = facts["admin"].data
    assert admin["scheme"] == "xm-sofia" and admin["known_default"]["plaintext"] == "admin"
    assert facts["default"].data["known_default"]["plaintext"] == "tluafed"
    assert facts["guest"].data["empty_password"] is True
    assert content[facts["admin"].offset :].startswith(b'"admin"')
