"""The batch's terminal view: a rich progress bar over the images (done, failed, elapsed, ETA) and one line per
image; plain lines when stderr is not a terminal. Image names are firmware-controlled: always escaped."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from audit.fleet.batch import Ui
from audit.fleet.render import safe
from audit.fleet.task import Outcome


class RichUi(Ui):
    """Progress on `console` (stderr); quiet shows errors only."""

    def __init__(self, console: Console, quiet: bool = False) -> None:
        self.console = console
        self.quiet = quiet
        self.progress: Progress | None = None
        self.task_id: int | None = None
        self.done_count = 0
        self.failed_count = 0

    def start(self, total: int) -> None:
        if self.quiet or not total:
            return
        self.progress = Progress(
            TextColumn("batch"), BarColumn(), MofNCompleteColumn(),
            TextColumn("[green]{task.fields[ok]} done[/] [red]{task.fields[failed]} failed[/]"),
            TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
            console=self.console, transient=False, disable=not self.console.is_terminal)
        self.task_id = self.progress.add_task("batch", total=total, ok=0, failed=0)
        self.progress.start()

    def done(self, outcome: Outcome, stored: bool) -> None:
        if stored:
            self.done_count += 1
        else:
            self.failed_count += 1
        if self.progress is not None and self.task_id is not None:
            self.progress.update(self.task_id, advance=1, ok=self.done_count, failed=self.failed_count)
        if stored and not self.quiet:
            status = (outcome.report or {}).get("status", "?")
            self._line(f"{self.done_count + self.failed_count}: {safe(outcome.name)} {status} "
                       f"({outcome.seconds:.1f} s)")
        elif not stored:
            self._line(f"[red]failed[/]: {safe(outcome.name)}: {safe(outcome.error)}")

    def note(self, message: str) -> None:
        self._line(safe(message))

    def _line(self, markup: str) -> None:
        (self.progress.console if self.progress else self.console).print(markup, highlight=False)

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None
