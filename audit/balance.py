"""Pool tasks of about equal work: the analysis stages' files grouped by size, largest first.

A stage's pool hands its tasks out in order, each to the next free worker. Tasks of a fixed number of files
taken in path order (or largest first) are unequal: on the bench image the 56 largest of 900 files were ~70% of
the bytes, so one worker worked on the first task while the other did all the rest, and two workers were ~1.45x
one. Here a task is closed once it holds about `1 / (jobs * per_job)` of all bytes (or `max_items` files): the
largest files come first, one per task, and the many small ones follow in tasks of many, so that whichever
worker is free takes the next and both end together (longest-processing-time-first scheduling).
"""

from __future__ import annotations

from collections.abc import Sequence


def batches(sizes: Sequence[int], jobs: int, per_job: int = 8, max_items: int = 64) -> list[list[int]]:
    """Indices into `sizes` (bytes of work per item) grouped into tasks, the largest items first; every index
    is in exactly one task. A task holds at most `max_items` items and closes once its bytes reach the budget
    (all bytes / (jobs * per_job), at least 1), so an item above the budget is a task of its own."""
    order = sorted(range(len(sizes)), key=lambda i: -max(0, sizes[i]))
    budget = max(1, sum(max(0, s) for s in sizes) // max(1, jobs * per_job))
    tasks: list[list[int]] = []
    current: list[int] = []
    held = 0
    for index in order:
        current.append(index)
        held += max(0, sizes[index])
        if held >= budget or len(current) >= max_items:
            tasks.append(current)
            current, held = [], 0
    if current:
        tasks.append(current)
    return tasks
