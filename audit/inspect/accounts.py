"""Accounts: `/etc/passwd`, `/etc/shadow` and Xiongmai Sofia `Config/Account*` JSON.

Each account becomes one `account` fact: user, uid, shell, hash scheme and hash, whether the password is empty
or locked, extra uid-0 accounts, and a match against the known default hashes in
`rules/data/password_hashes.yaml`.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from pathlib import Path
from typing import Any

from audit.inspect.base import Inspector, basename, make_fact, read_bounded, text
from audit.model import Fact, FileRecord
from audit.resources import load_yaml

HASHES_FILE = Path(__file__).resolve().parents[2] / "rules" / "data" / "password_hashes.yaml"
MAX_FILE = 1024 * 1024
MAX_ACCOUNTS = 1000
SOFIA_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
PASSWD_LINE = re.compile(rb"^[A-Za-z0-9_][\w.\-]{0,31}:[^:\n]*:\d{1,10}:\d{1,10}:", re.M)
SHADOW_LINE = re.compile(rb"^[A-Za-z0-9_][\w.\-]{0,31}:[^:\n]*:\d*:\d*:\d*:", re.M)
DES = re.compile(r"^[./0-9A-Za-z]{13}$")
SOFIA = re.compile(r"^[0-9A-Za-z]{8}$")
PREFIXES = {"$1$": "md5", "$2a$": "bcrypt", "$2b$": "bcrypt", "$2y$": "bcrypt", "$5$": "sha256",
            "$6$": "sha512", "$y$": "yescrypt", "$gy$": "gost-yescrypt", "$7$": "scrypt"}


def sofia_hash(plain: str) -> str:
    """Xiongmai Sofia password hash: MD5, then each byte pair summed mod 62 into [0-9A-Za-z] (8 chars)."""
    d = hashlib.md5(plain.encode("utf-8"), usedforsecurity=False).digest()
    return "".join(SOFIA_ALPHABET[(d[2 * i] + d[2 * i + 1]) % 62] for i in range(8))


@functools.lru_cache(maxsize=1)
def known_hashes() -> dict[str, dict[str, Any]]:
    """The known default hashes table, keyed by hash."""
    rows = load_yaml(HASHES_FILE.read_text(encoding="utf-8"))["hashes"]
    return {str(r["hash"]): r for r in rows}


def hash_scheme(value: str, sofia: bool = False) -> str:
    """Scheme of a password field: empty, locked, shadowed, md5, sha512, des, xm-sofia, ... or unknown."""
    if value == "":
        return "empty"
    if value in ("x", "*x"):
        return "shadowed"
    if value[0] in "!*":
        return "locked"
    for prefix, name in PREFIXES.items():
        if value.startswith(prefix):
            return name
    if sofia and SOFIA.match(value):
        return "xm-sofia"
    if DES.match(value):
        return "des"
    return "unknown"


def describe_password(value: str, sofia: bool = False) -> dict[str, Any]:
    """Scheme, hash and known-default match of one password field (the hash is public material)."""
    scheme = hash_scheme(value, sofia)
    data: dict[str, Any] = {"scheme": scheme, "hash": text(value.encode(), 256),
                            "empty_password": scheme == "empty", "locked": scheme == "locked"}
    known = known_hashes().get(value)
    if known is not None:
        data["known_default"] = {"id": known["id"], "plaintext": known["plaintext"], "vendor": known["vendor"],
                                 "reference": known["reference"], "verified": bool(known.get("verified"))}
        data["empty_password"] = data["empty_password"] or known["plaintext"] == ""
    return data


class AccountsInspector(Inspector):
    NAME = "accounts"
    DOC = "Accounts and password hashes of passwd/shadow files and Xiongmai Sofia Account JSON."
    APPLIES_TO = "files named passwd/shadow (and backups) or Account*, or whose head looks like one"

    def applies(self, record: FileRecord, head: bytes) -> bool:
        name = basename(record)
        if record.size > MAX_FILE or head[:4] == b"\x7fELF":
            return False
        if name.startswith(("passwd", "shadow", "Account")):
            return True
        return bool(PASSWD_LINE.match(head)) and b"\0" not in head

    def inspect(self, path: Path, record: FileRecord) -> list[Fact]:
        raw = read_bounded(path, MAX_FILE)
        if raw.lstrip()[:1] == b"{":
            return _sofia_accounts(record, raw)
        shadow = basename(record).startswith("shadow") or (
            not PASSWD_LINE.search(raw) and bool(SHADOW_LINE.search(raw)))
        return _colon_accounts(record, raw, "shadow" if shadow else "passwd")


def _colon_accounts(record: FileRecord, raw: bytes, source: str) -> list[Fact]:
    facts: list[Fact] = []
    offset = 0
    for line in raw.split(b"\n"):
        fields = text(line.rstrip(b"\r"), 1024).split(":")
        if len(fields) >= (7 if source == "passwd" else 2) and fields[0] and not fields[0].startswith("#"):
            facts.append(make_fact(record, "account", _colon_fields(fields, source), offset))
        offset += len(line) + 1
        if len(facts) >= MAX_ACCOUNTS:
            break
    return facts


def _colon_fields(fields: list[str], source: str) -> dict[str, Any]:
    data: dict[str, Any] = {"source": source, "user": fields[0]}
    data.update(describe_password(fields[1]))
    if source == "passwd":
        uid = int(fields[2]) if fields[2].isdigit() else None
        data.update(uid=uid, gid=int(fields[3]) if fields[3].isdigit() else None, gecos=fields[4],
                    home=fields[5], shell=fields[6], extra_uid0=uid == 0 and fields[0] != "root")
    return data


def _sofia_accounts(record: FileRecord, raw: bytes) -> list[Fact]:
    """`{"Users": [{"Name": ..., "Password": ...}]}` (Xiongmai Config/Account1)."""
    doc = json.loads(raw.decode("utf-8", "replace"))
    users = doc.get("Users", []) if isinstance(doc, dict) else []
    facts = []
    for user in users[:MAX_ACCOUNTS]:
        if not isinstance(user, dict) or "Name" not in user:
            continue
        name, password = str(user.get("Name", "")), str(user.get("Password", ""))
        data: dict[str, Any] = {"source": "xm-account", "user": name}
        data.update(describe_password(password, sofia=True))
        for key in ("Group", "Reserved", "Sharable"):
            if key in user and isinstance(user[key], str | bool | int):
                data[key.lower()] = user[key]
        offset = raw.find(b'"' + name.encode("utf-8", "replace") + b'"')
        facts.append(make_fact(record, "account", data, offset if offset >= 0 else None))
    return facts
