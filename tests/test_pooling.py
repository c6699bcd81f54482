"""When a stage starts its pool (audit/pooling.py): many files, or few holding many bytes; never one worker."""

from __future__ import annotations

from audit.pooling import POOL_BYTES, use_pool


def test_a_pool_for_many_files_or_many_bytes_and_never_for_one_worker() -> None:
    assert use_pool(200, 1000, jobs=2, min_count=200)
    assert not use_pool(199, 1000, jobs=2, min_count=200)
    assert use_pool(113, POOL_BYTES, jobs=2, min_count=200)  # few files, much to read
    assert not use_pool(113, POOL_BYTES - 1, jobs=2, min_count=200)
    assert not use_pool(1, POOL_BYTES * 4, jobs=2, min_count=200)  # one file: nothing to share
    assert not use_pool(10_000, POOL_BYTES * 4, jobs=1, min_count=200)
