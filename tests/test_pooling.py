"""When a stage starts its pool (audit/pooling.py): many files, or few holding many bytes; never one worker."""

from __future__ import annotations

from audit.pooling import FILE_COST, POOL_BYTES, TASKS_PER_JOB, balanced_tasks, use_pool


def test_a_pool_for_many_files_or_many_bytes_and_never_for_one_worker() -> None:
    assert use_pool(200, 1000, jobs=2, min_count=200)
    assert not use_pool(199, 1000, jobs=2, min_count=200)
    assert use_pool(113, POOL_BYTES, jobs=2, min_count=200)  # few files, much to read
    assert not use_pool(113, POOL_BYTES - 1, jobs=2, min_count=200)
    assert not use_pool(1, POOL_BYTES * 4, jobs=2, min_count=200)  # one file: nothing to share
    assert not use_pool(10_000, POOL_BYTES * 4, jobs=1, min_count=200)


def test_balanced_tasks_cover_every_file_once_and_split_the_work_evenly() -> None:
    sizes = [4_000_000, 3_000_000, 2_500_000, 800_000] + [20_000] * 800 + [0] * 50
    tasks = balanced_tasks(sizes, jobs=2, max_count=64)
    flat = [i for task in tasks for i in task]
    assert sorted(flat) == list(range(len(sizes)))  # every file exactly once
    assert flat[:3] == [0, 1, 2]  # the largest first
    assert all(len(task) <= 64 for task in tasks)
    cost = [sum(sizes[i] + FILE_COST for i in task) for task in tasks]
    budget = sum(s + FILE_COST for s in sizes) / (2 * TASKS_PER_JOB)
    assert all(c <= budget or len(task) == 1 for c, task in zip(cost, tasks, strict=True))  # a bigger file: alone
    assert len(tasks) >= 2 * TASKS_PER_JOB  # enough tasks for both workers to end together
    # the old cut by count put the 56 largest files in one task: here no task holds two of the big four
    assert all(sum(1 for i in task if i < 4) <= 1 for task in tasks)


def test_balanced_tasks_of_nothing_and_of_one_file() -> None:
    assert balanced_tasks([], jobs=2, max_count=64) == []
    assert balanced_tasks([10], jobs=2, max_count=64) == [[0]]
    assert balanced_tasks([0, 0, 0], jobs=1, max_count=2) == [[0], [1], [2]]  # fewer files than tasks: one each
    tasks = balanced_tasks([0] * 41, jobs=1, max_count=2)  # 5 files' cost per task, but at most 2 files
    assert [len(t) for t in tasks] == [2] * 20 + [1]
