"""Per-file cache: a file the analysis stages have seen before is not analysed again.

The inspect, scan and findings stages each hand `memoised` their per-file work units. A unit's key is a digest
of the stage, fwaudit's code and engines and rules (`salt`), and what the stage reads of the unit: the file's
sha256 and, for stages that look at names, its record with the folders of its path made run-free (the
image's own `fw-1.2.bin_extract` -> `#_extract`, a chunk's `2097152-25210880.squashfs_v4_le_extract` ->
`#.squashfs_v4_le_extract`), so that the next firmware version, named otherwise and whose partitions end
elsewhere, reuses the files it shares with the last one. Stored
results name their paths by markers and are re-bound to the paths of this run; a stored result that still
mentions a path of the old run it cannot re-bind is not used. Results are stored as tagged JSON
(audit/cache_codec.py) in the result cache's SQLite file (audit/cache.py), in the same size cap.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from audit import cache_codec
from audit.cache import SCHEMA_VERSION, ResultCache, code_digest, engine_versions
from audit.memo_key import memo_key
from audit.model import FileRecord
from audit.resources import rules_digest

U = TypeVar("U")
R = TypeVar("R")
CHUNK_DIR = re.compile(r"(?:(?<=/)|^)\d+-\d+\.(?=[^/]*_extract/)")  # `<start>-<end>.` of a chunk's folder
_RECORD_FIELDS = tuple(f.name for f in dataclasses.fields(FileRecord))
MARK = "\x00{}\x00"  # a raw NUL never occurs in JSON text, so markers cannot collide with content


class FileMemo:
    """Lookup and storage of per-file results for one audit (never raises: a broken cache is a miss)."""

    def __init__(self, cache: ResultCache) -> None:
        self.cache = cache
        self.salt = json.dumps([SCHEMA_VERSION, code_digest(), engine_versions(), rules_digest()], default=str)
        self.hits = self.misses = 0
        self.unblob_replayed = 0  # unblob's answers taken from the cache (audit/unpack/search_memo.py)

    def key(self, stage: str, *parts: Any) -> str:
        return memo_key(self.salt, stage, *parts)

    def get_many(self, keys: list[str]) -> dict[str, str]:
        try:
            return self.cache.get_many(keys)
        except Exception as exc:  # an unusable cache location: analyse everything
            self.cache.warnings.append(f"per-file cache unavailable ({type(exc).__name__}: {exc})")
            return {}

    def put_many(self, items: dict[str, str]) -> None:
        try:
            self.cache.put_many(items)
        except Exception as exc:
            self.cache.warnings.append(f"per-file cache not written ({type(exc).__name__}: {exc})")


def _folder(part: str, top: bool) -> str:
    """One folder of a path in image, made run-free: the image's own `<name>_extract`, a chunk's offsets."""
    if top and part.endswith("_extract"):
        return "#_extract"
    return CHUNK_DIR.sub("#.", part + "/")[:-1]


@functools.lru_cache(maxsize=4096)
def _run_parts(folder: str) -> frozenset[str]:
    """The folders of `folder` (a stored path's folder part) that name a run: those `_folder` rewrites. Paths
    of one image share few folders, so this is worked out once per folder, not once per stored result."""
    return frozenset(part for i, part in enumerate(folder.split("/")) if part and _folder(part, i == 0) != part)


def offset_free(path: str | None) -> str | None:
    """`path` with the image's name and the start-end offsets of its chunk folders replaced (see the module
    docstring); the file's own name is kept. A path without folders is the image itself: `#`."""
    if not path:
        return path
    parts = path.split("/")
    if len(parts) == 1:
        return "#"
    return "/".join([*(_folder(part, i == 0) for i, part in enumerate(parts[:-1])), parts[-1]])


def record_key(record: FileRecord) -> dict[str, Any]:
    """What a stage may read of a record, with run-free paths."""
    data = {name: getattr(record, name) for name in _RECORD_FIELDS}  # scalars only: no deep copy needed
    for name in ("path", "parent"):
        data[name] = offset_free(data.get(name))
    data["fs_path"] = CHUNK_DIR.sub("#.", record.fs_path) if record.fs_path else record.fs_path
    return data


def memoised(memo: FileMemo | None, stage: str, units: Sequence[U], key: Callable[[U], list[Any]],
             paths: Callable[[U], list[str]], compute: Callable[[list[U]], list[R]],
             keep: Callable[[R], bool] = lambda _result: True,
             movable: Callable[[R], bool] = lambda _result: True) -> list[R]:
    """`compute(units)`, except that units whose result is stored are not computed (their stored result is
    re-bound to `paths(unit)`), and computed results for which `keep` holds are stored (not: a timeout, a dead
    worker: not properties of the file). A stored result for which `movable` fails is used only under the
    very paths it was computed for (it holds values derived from them, such as finding ids). Order and results
    are as without a memo."""
    if memo is None or not units:
        return compute(list(units))
    keys = [memo.key(stage, *key(unit)) for unit in units]
    stored = memo.get_many(keys)
    results: list[Any] = [None] * len(units)
    todo: list[int] = []
    for i, (unit, k) in enumerate(zip(units, keys, strict=True)):
        value = _rebind(stored[k], paths(unit), movable) if k in stored else None
        if value is None:
            todo.append(i)
        else:
            results[i] = value[0]
    computed = compute([units[i] for i in todo]) if todo else []
    new: dict[str, str] = {}
    for i, result in zip(todo, computed, strict=True):
        results[i] = result
        text = _unbind(result, paths(units[i])) if keep(result) else None
        if text is not None:
            new[keys[i]] = text
    memo.hits += len(units) - len(todo)
    memo.misses += len(todo)
    if new:
        memo.put_many(new)
    return results


def _escaped(text: str) -> str:
    return json.dumps(text)[1:-1]


def _unbind(result: Any, paths: list[str]) -> str | None:
    """Stored form: the codec's JSON with every path replaced by its marker (longest first), and the paths."""
    try:
        text = cache_codec.dumps(result)
    except cache_codec.CodecError:
        return None  # a result the codec cannot hold is simply not cached
    for index, path in sorted(enumerate(paths), key=lambda item: -len(item[1])):
        if path:
            text = text.replace(_escaped(path), MARK.format(index))
    return json.dumps({"paths": paths, "value": text})


def _rebind(stored: str, paths: list[str], movable: Callable[[Any], bool]) -> tuple[Any] | None:
    """(result,) with this run's paths, or None when the entry is unreadable or mentions an old path."""
    try:
        entry = json.loads(stored)
        old, text = list(entry["paths"]), str(entry["value"])
    except (ValueError, KeyError, TypeError):
        return None
    if len(old) != len(paths):
        return None
    changed = set().union(*(_run_parts(str(o).rpartition("/")[0]) for o, p in zip(old, paths, strict=True)
                            if o != p))
    if any(part in text for part in changed):
        return None  # the result quotes a folder of the old run's path in a form the markers did not catch
    for index, path in enumerate(paths):
        text = text.replace(MARK.format(index), _escaped(path))
    if "\x00" in text:
        return None
    try:
        value = cache_codec.loads(text)
    except cache_codec.CodecError:
        return None
    return (value,) if old == paths or movable(value) else None
