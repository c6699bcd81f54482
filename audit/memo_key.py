"""The key of one per-file cache entry (audit/file_cache.py), in a module of its own: unblob's runs compute keys
too (audit/unpack/search_memo.py) and must not import the analysis to do so."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def memo_key(salt: str, stage: str, *parts: Any) -> str:
    """sha256 of the salt (schema, code, engines, rules), the stage and what the stage reads of its unit."""
    blob = json.dumps([salt, stage, *parts], sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()
