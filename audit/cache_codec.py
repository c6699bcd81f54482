"""Lossless JSON for the per-file results the cache stores (audit/file_cache.py): facts, errors, findings,
endpoint and component hits, YARA hits.

Tagged JSON, not pickle: a cache file is data, and loading it must never run code. Only the record types
registered here are rebuilt (by their constructors); tuples, bytes and frozensets keep their type, so a result
read from the cache is equal to the one computed. A value of any other type is refused when stored.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from typing import Any

DC, TUPLE, BYTES, FROZENSET = "__dc", "__t", "__b", "__fs"


class CodecError(ValueError):
    """A value cannot be stored (unregistered type) or a stored text is not one this codec wrote."""


@functools.lru_cache(maxsize=1)
def _registry() -> dict[str, type]:
    """The record types a cached result may hold (imported lazily: the stages import this module's users)."""
    from audit import findings, scan
    from audit.findings import components, endpoints
    from audit.model import AuditError, Evidence, Fact, Finding

    # the stages' own per-file result types (module-private: what a worker hands back)
    classes: tuple[type, ...] = (AuditError, Evidence, Fact, Finding, endpoints.Hit, components.CompHit,
                                 scan._Hit, findings._FileOut)
    return {cls.__name__: cls for cls in classes}


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, tuple):
        return {TUPLE: [_encode(v) for v in value]}
    if isinstance(value, bytes):
        return {BYTES: value.hex()}
    if isinstance(value, frozenset):
        return {FROZENSET: sorted((_encode(v) for v in value), key=repr)}
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value) or any(k.startswith("__") for k in value):
            raise CodecError("dict keys must be plain strings")
        return {k: _encode(v) for k, v in value.items()}
    name = type(value).__name__
    if dataclasses.is_dataclass(value) and _registry().get(name) is type(value):
        return {DC: name, "f": {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}}
    raise CodecError(f"cannot store a {type(value).__name__}")


def _decode(value: dict[str, Any]) -> Any:
    """One JSON object, its members already decoded (json's `object_hook`, called innermost first, so only
    objects cost a Python call: lists and scalars stay in the C parser)."""
    if DC in value:
        cls = _registry().get(str(value[DC]))
        fields = value.get("f")
        if cls is None or not isinstance(fields, dict):
            raise CodecError(f"unknown record type {value[DC]!r}")
        try:
            return cls(**fields)
        except TypeError as exc:
            raise CodecError(f"{value[DC]}: {exc}") from exc
    if TUPLE in value:
        return tuple(value[TUPLE])
    if BYTES in value:
        return bytes.fromhex(str(value[BYTES]))
    if FROZENSET in value:
        return frozenset(value[FROZENSET])
    return value


_DECODER = json.JSONDecoder(object_hook=_decode)  # one for all loads: `json.loads` with a hook builds one per call


def dumps(value: Any) -> str:
    """JSON text of `value` (ASCII only: non-ASCII is escaped; dict keys in their order)."""
    return json.dumps(_encode(value), separators=(",", ":"))  # key order kept: consumers may walk it


def loads(text: str) -> Any:
    """The value `dumps` wrote; CodecError for anything else."""
    try:
        return _DECODER.decode(text)
    except (ValueError, KeyError, AttributeError, TypeError) as exc:
        raise CodecError(str(exc)) from exc
