"""Stable identities of report records, shared by SARIF `partialFingerprints`, `--baseline` and `diff`.

A fingerprint must survive a rescan and, where it makes sense, a firmware update: it never contains the image
name, carve offsets (`64-8256.squashfs_v4_le_extract` moves when a partition grows), run data or confidence.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

from audit.model import Claim, Finding

FINGERPRINT_VERSION = "v1"
_CARVE = re.compile(r"(?<![^/])\d+-\d+\.")  # '64-8256.' at the start of a path segment


def stable_path(path: str, image_name: str) -> str:
    """`path` without the image name and without carve offsets: comparable across runs and versions."""
    if image_name and (path == image_name or path.startswith(image_name + "_extract")):
        path = "<image>" + path[len(image_name):]
    return _CARVE.sub("", path)


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]


def claim_key(claim: Claim) -> str:
    """What a claim is about: one entity at one layer (detail and confidence may change)."""
    return f"{claim.layer}/{claim.entity}"


def claim_fingerprint(claim: Claim) -> str:
    return _digest("claim", FINGERPRINT_VERSION, claim_key(claim))


def finding_key(finding: Finding, image_name: str) -> str:
    """A finding is the same finding when its rule, stable path, title and first matched text agree.

    Not its `id`, which may hash the raw path (image name, carve offsets), nor offsets, which move when a
    file is rebuilt.
    """
    title = finding.title.replace(image_name, "<image>") if image_name else finding.title
    matched = finding.evidence[0].matched if finding.evidence else ""
    return f"{finding.rule}|{stable_path(finding.path, image_name)}|{title}|{matched}"


def finding_fingerprint(finding: Finding, image_name: str) -> str:
    return _digest("finding", FINGERPRINT_VERSION, finding_key(finding, image_name))


def endpoint_key(endpoint: Mapping[str, Any]) -> str:
    """An endpoint is its value (domain, IP, URL), whatever file it was seen in."""
    value = endpoint.get("value") or endpoint.get("host") or endpoint.get("domain") or endpoint.get("url") or ""
    return str(value).lower()


def component_key(component: Mapping[str, Any]) -> str:
    """A component is its name (a version change is a change of the same component)."""
    return str(component.get("name") or component.get("purl") or "").lower()


def component_fingerprint(component: Mapping[str, Any]) -> str:
    """Name and version: with `--baseline`, a new version of a component is new."""
    return _digest("component", FINGERPRINT_VERSION, component_key(component), str(component.get("version")))


def endpoint_fingerprint(endpoint: Mapping[str, Any]) -> str:
    return _digest("endpoint", FINGERPRINT_VERSION, endpoint_key(endpoint))
