"""Pool tasks of about equal bytes (audit/balance.py): every item once, largest first, big items alone."""

from __future__ import annotations

import random

from audit.balance import batches


def test_every_index_is_in_exactly_one_task() -> None:
    rng = random.Random(7)
    for _ in range(200):
        sizes = [rng.choice([0, 1, 10, 4096, 1 << 20, 8 << 20]) for _ in range(rng.randrange(0, 300))]
        tasks = batches(sizes, jobs=rng.choice([1, 2, 4]), max_items=rng.choice([1, 8, 64]))
        flat = [i for task in tasks for i in task]
        assert sorted(flat) == list(range(len(sizes)))
        assert all(task for task in tasks)


def test_the_largest_items_come_first_each_in_a_task_of_its_own() -> None:
    sizes = [10] * 100 + [5000, 3000]  # the big ones last in path order
    tasks = batches(sizes, jobs=2, per_job=4)  # budget: 9,000 // 8 = 1,125 bytes
    assert tasks[0] == [100] and tasks[1] == [101]
    assert all(len(task) <= 64 for task in tasks)
    small = tasks[2:]
    assert all(sum(sizes[i] for i in task) <= 1125 + 10 for task in small)  # closed once the budget is reached


def test_tasks_are_about_equal_in_bytes_where_the_sizes_allow() -> None:
    rng = random.Random(3)
    sizes = [int(rng.paretovariate(1.2) * 1000) for _ in range(900)]  # skewed, like a firmware tree
    tasks = batches(sizes, jobs=2, per_job=8, max_items=64)
    budget = sum(sizes) // 16
    for task in tasks:
        held = sum(sizes[i] for i in task)
        assert len(task) == 1 or len(task) == 64 or held < budget + max(sizes[i] for i in task)


def test_no_items_no_tasks_and_zero_sizes_still_batched() -> None:
    assert batches([], jobs=2) == []
    tasks = batches([0] * 200, jobs=2, max_items=64)
    assert [len(t) for t in tasks] == [64, 64, 64, 8]


def test_a_pool_for_many_files_or_many_bytes_and_never_for_one_worker() -> None:
    from audit.balance import POOL_BYTES, use_pool

    assert use_pool(200, 1000, jobs=2, min_count=200)
    assert not use_pool(199, 1000, jobs=2, min_count=200)
    assert use_pool(113, POOL_BYTES, jobs=2, min_count=200)  # few files, much to read
    assert not use_pool(1, POOL_BYTES * 4, jobs=2, min_count=200)  # one file: nothing to share
    assert not use_pool(10_000, POOL_BYTES * 4, jobs=1, min_count=200)
