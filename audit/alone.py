"""Files large enough to be worked on alone, before a stage's pool starts.

Each analysis stage maps or reads the file it works on (YARA maps it, the inspectors map it, the findings
scanners read up to 64 MiB of it). A 256 MiB image worked on in one worker while the other workers and the
audit's process hold their own memory was the audit's peak; worked on alone first, that peak is the parent
and one such file. The cost is that no other file is worked on meanwhile: a few seconds on the rare image that
has such files (none below ALONE_BYTES, so a typical firmware image never pays it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

ALONE_BYTES = 64 * 1024 * 1024

T = TypeVar("T")


def split_alone(items: Sequence[T], size: Callable[[T], int]) -> tuple[list[int], list[int]]:
    """(indices of the items of ALONE_BYTES or more, indices of the others), each in the items' order."""
    alone = [i for i, item in enumerate(items) if size(item) >= ALONE_BYTES]
    chosen = set(alone)
    return alone, [i for i in range(len(items)) if i not in chosen]
