"""Credentials: default and empty passwords, extra uid-0 accounts and weak hashes (from `account` facts),
plus hard-coded credentials in files: Mirai default pairs, `password=` in configs, API keys/tokens by format.

Public default passwords (known hashes, the Mirai list) are shown in clear: they are already public. Any other
secret is masked (first characters and length). Private keys are never read here (see services.py).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from pathlib import PurePosixPath
from typing import Any

from audit.findings.common import evidence, make_finding, mask
from audit.findings.tables import mirai_pairs, mirai_reference
from audit.findings.text import Segment, Sieve, as_strings, candidates, present
from audit.model import Fact, FileRecord, Finding

CATEGORY = "credentials"
MAX_PER_FILE = 50
CONFIG_SECRET = re.compile(
    r"(?i)(?<![A-Za-z0-9])(pass(?:word|wd)?|pwd|passphrase|wpa_passphrase|psk|secret|auth_?key|api_?key)"
    r"[\"']?\s*[=:]\s*[\"']?([^\s\"'&;,<>{}()$%]{4,64})")
PLACEHOLDERS = frozenset({"none", "null", "true", "false", "yes", "no", "required", "optional", "string", "empty",
                          "xxxx", "xxxxxx", "****", "******", "password", "passwd", "secret", "value", "default"})
TOKENS = (
    ("aws-access-key", re.compile(r"(?<![A-Z0-9])AKIA[0-9A-Z]{16}(?![A-Z0-9])")),
    ("google-api-key", re.compile(r"AIza[0-9A-Za-z_\-]{35}")),
    ("github-token", re.compile(r"gh[pousr]_[A-Za-z0-9]{36}")),
    ("slack-token", re.compile(r"xox[baprs]-[0-9A-Za-z-]{10,48}")),
    ("stripe-live-key", re.compile(r"sk_live_[0-9A-Za-z]{24,}")),
    ("jwt", re.compile(r"eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}")),
)
COLON = re.compile(":")
TOKEN_HINTS = {"aws-access-key": Sieve(re.compile("AKIA"), TOKENS[0][1])}  # its look-behind hides the literal
CREDENTIAL_WORD = re.compile(r"(?i)pass|login|auth|telnet|ftp|user|cred|chpasswd")
DOC_PATH = re.compile(r"(^|/)usr/share/(doc|man|info)/|\.(html?|js|css|md|txt|pdf)$", re.I)
STANDARD_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh", "mksh", "busybox", "hush", "csh", "tcsh"})
NO_LOGIN = re.compile(r"(nologin|false|/sync|/halt|/shutdown)$")
WEAK_SCHEMES = {"des": "DES crypt (8-character limit, 12-bit salt)", "xm-sofia": "Xiongmai Sofia hash (MD5 folded "
                "to 8 characters, no salt)"}


def _mirai(user: str, password: str) -> bool:
    """True when the pair is in the Mirai list."""
    return any(r["user"] == user and r["password"] == password for r in mirai_pairs())


def from_accounts(facts: Iterable[Fact]) -> list[Finding]:
    """Findings for every `account` fact: known default, empty password, hard-coded hash, uid 0, weak hash."""
    out: list[Finding] = []
    for fact in facts:
        if fact.kind == "account":
            out.extend(_account(fact))
    return out


def _account(fact: Fact) -> list[Finding]:
    d: dict[str, Any] = fact.data
    user, scheme = str(d.get("user", "")), str(d.get("scheme", ""))
    root = d.get("uid") == 0 or user == "root"
    known = d.get("known_default") or None
    where = f"{d.get('source', 'accounts')} entry of {user!r}"
    ev = [evidence("fact", "account", fact.path, fact.sha256, fact.offset, f"{user}:{d.get('hash', '')}")]
    out: list[Finding] = []
    if d.get("empty_password") and not d.get("locked"):
        out.append(make_finding("credentials.empty-password", CATEGORY, "critical" if root else "high", 0.95,
                                f"{user}: empty password ({where})", fact.path, ev, "CWE-521", user))
    elif known:
        pt = str(known.get("plaintext", ""))
        mirai = _mirai(user, pt)
        title = f"{user}: publicly known default password {pt!r} ({known.get('vendor')})" + (
            "; in the Mirai default-credential list" if mirai else "")
        out.append(make_finding("credentials.known-default-password", CATEGORY,
                                "critical" if root or mirai else "high", 0.95 if known.get("verified") else 0.8,
                                title, fact.path, ev, "CWE-798", user))
    elif scheme not in ("empty", "locked", "shadowed", "unknown") and (root or d.get("source") == "xm-account"):
        out.append(make_finding("credentials.hardcoded-password", CATEGORY, "medium", 0.7,
                                f"{user}: fixed {scheme} password hash shipped in the image ({where})", fact.path, ev,
                                "CWE-259", user))
    if scheme in WEAK_SCHEMES and not d.get("locked"):
        out.append(make_finding("credentials.weak-password-hash", CATEGORY, "medium", 0.9,
                                f"{user}: weak password hash, {WEAK_SCHEMES[scheme]}", fact.path, ev, "CWE-916", user))
    shell = str(d.get("shell") or "")
    if root and shell and PurePosixPath(shell).name not in STANDARD_SHELLS and not NO_LOGIN.search(shell):
        out.append(make_finding("credentials.vendor-login-shell", CATEGORY, "low", 0.8,
                                f"{user}: logs in to the vendor program {shell!r}, not a standard shell (a "
                                "restricted shell is a vendor lock, not access control)", fact.path, ev, "CWE-693",
                                f"{user}:{shell}"))
    if d.get("extra_uid0"):
        out.append(make_finding("credentials.extra-uid0", CATEGORY, "high", 0.9,
                                f"{user}: a second account with uid 0", fact.path, ev, "CWE-269", user))
    return out


def scan_file(records: Sequence[FileRecord], segments: Iterable[Segment], text_file: bool) -> list[Finding]:
    """Hard-coded credentials in one file's strings (first path of the unique file)."""
    record = records[0]
    out: list[Finding] = []
    config = text_file and not DOC_PATH.search(record.path)
    seen: set[str] = set()
    segs = as_strings(segments)  # patterns that match nowhere in the file are not run per string
    distinctive, common, _alone = _mirai_index()
    sieves = (Sieve(COLON, distinctive), Sieve(COLON, common))  # every pair is `user:password`
    pairs = (present(segs, sieves[0]), present(segs, sieves[1]))
    tokens = tuple((name, pattern) for name, pattern in TOKENS if present(segs, TOKEN_HINTS.get(name, pattern)))
    if not config:  # only the strings where a pair, a lone password or a token can be (`candidates`)
        wanted = [s for s, found in zip(sieves, pairs, strict=True) if found]
        segs = candidates(segs, *wanted, _alone_regex(), *(pattern for _, pattern in tokens))
    for seg in segs:
        out.extend(_mirai_hits(record, seg, seen, pairs))
        if tokens:
            out.extend(_tokens(record, seg, tokens))
        if config:
            out.extend(_config_secrets(record, seg))
        if len(out) >= MAX_PER_FILE:
            break
    return out[:MAX_PER_FILE]


@functools.lru_cache(maxsize=1)
def _mirai_index() -> tuple[re.Pattern[str], re.Pattern[str], frozenset[str]]:
    """Regexes for distinctive and common `user:password` pairs, and the distinctive passwords alone."""
    def pairs_regex(distinctive: bool) -> re.Pattern[str]:
        pairs = sorted({f"{r['user']}:{r['password']}" for r in mirai_pairs()
                        if r["password"] and bool(r.get("distinctive")) == distinctive}, key=len, reverse=True)
        return re.compile(r"(?<![A-Za-z0-9])(" + "|".join(map(re.escape, pairs)) + r")(?![A-Za-z0-9])")

    alone = frozenset(r["password"] for r in mirai_pairs() if r.get("distinctive") and len(r["password"]) >= 5)
    return pairs_regex(True), pairs_regex(False), alone


@functools.lru_cache(maxsize=1)
def _alone_regex() -> re.Pattern[str]:
    """A whole string (spaces and tabs around it aside, as `str.strip` removes in a segment) that is one of the
    distinctive passwords; `^`/`$` per line, so over joined segments it matches per segment."""
    words = sorted(_mirai_index()[2], key=len, reverse=True)
    return re.compile(r"(?m)^[ \t]*(?:" + "|".join(map(re.escape, words)) + r")[ \t]*$")


def _mirai_hits(record: FileRecord, seg: Segment, seen: set[str],
                pairs: tuple[bool, bool] = (True, True)) -> list[Finding]:
    """Mirai pairs: distinctive ones anywhere; common ones (`root:root`, also `chown` syntax) only next to a
    credential word; distinctive passwords as a whole string. One finding per pair and file. `pairs`: whether
    distinctive / common pairs occur in the file at all (their regexes are skipped where they cannot match)."""
    distinctive, common, alone = _mirai_index()
    found = [(m.start(), m.group(1), True) for m in distinctive.finditer(seg.text)] if pairs[0] else []
    if pairs[1] and CREDENTIAL_WORD.search(seg.text):
        found += [(m.start(), m.group(1), True) for m in common.finditer(seg.text)]
    if seg.text.strip() in alone:
        found.append((0, seg.text.strip(), False))
    out = []
    for pos, matched, pair in found:
        if matched in seen:
            continue
        seen.add(matched)
        ev = [evidence("string", "mirai", record.path, record.sha256, seg.at(pos), matched,
                       "strong" if pair else "medium")]
        what = matched if pair else f"password {matched!r}"
        out.append(make_finding(
            "credentials.mirai-default", CATEGORY, "high", 0.85 if pair else 0.5,
            f"Mirai default credential {what} hard-coded (Mirai scanner.c list, {mirai_reference()})",
            record.path, ev, "CWE-798", matched))
    return out


def _tokens(record: FileRecord, seg: Segment,
            tokens: tuple[tuple[str, re.Pattern[str]], ...] = TOKENS) -> list[Finding]:
    out = []
    for name, pattern in tokens:
        for m in pattern.finditer(seg.text):
            ev = [evidence("string", name, record.path, record.sha256, seg.at(m.start()), mask(m.group()))]
            out.append(make_finding("credentials.api-token", CATEGORY, "high", 0.7,
                                    f"hard-coded {name} ({mask(m.group())})", record.path, ev, "CWE-798",
                                    f"{m.start()}:{seg.offset}"))
    return out


def _config_secrets(record: FileRecord, seg: Segment) -> list[Finding]:
    out = []
    for m in CONFIG_SECRET.finditer(seg.text):
        key, value = m.group(1), m.group(2)
        if value.lower() in PLACEHOLDERS or set(value) <= {"*", "x", "X", "."}:
            continue
        shown = f"{key}={mask(value)}"
        ev = [evidence("string", "config-secret", record.path, record.sha256, seg.at(m.start()), shown, "medium")]
        out.append(make_finding("credentials.config-secret", CATEGORY, "medium", 0.6,
                                f"hard-coded {key} in a configuration file ({shown})", record.path, ev, "CWE-259",
                                f"{seg.offset}:{m.start()}"))
    return out


def prepare() -> None:
    """Load the Mirai table and compile its patterns (before the first file)."""
    _mirai_index()
    _alone_regex()
