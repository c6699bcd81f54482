"""Progress display: a live status line on a terminal, plain throttled lines otherwise."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console

Events = Callable[[str, str], None]
PLAIN_INTERVAL_S = 5.0


@contextmanager
def make_events(console: Console, quiet: bool = False, verbose: int = 0) -> Iterator[Events]:
    """Yield a `(stage, message)` callback suited to where stderr goes."""
    if quiet:
        yield lambda _stage, _message: None
        return
    if console.is_terminal:
        with console.status("starting", spinner="dots") as status:
            yield lambda stage, message: status.update(f"[bold]{stage}[/]: {message}")
        return
    yield _plain(console, verbose)


def _plain(console: Console, verbose: int) -> Events:
    last: dict[str, float] = {}

    def emit(stage: str, message: str) -> None:
        now = time.monotonic()
        first = stage not in last
        if first or verbose > 0 or now - last[stage] >= PLAIN_INTERVAL_S:
            last[stage] = now
            console.print(f"{stage}: {message}", markup=False, highlight=False)

    return emit
