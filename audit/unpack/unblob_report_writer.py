"""unblob's `--report` file, written one task result at a time.

unblob writes its JSON report with `ProcessResult.to_json()`: every task result dumped to a dict, all of them
encoded into one string, then written. On the 256 MiB bench image (20,000 files) that held unblob's main
process at ~440 MiB of anonymous memory at the very end of the extraction: the largest process of the whole
audit, and close to the watcher's per-process memory cap (audit/unpack/engine.py), which would kill the run
and lose the whole chunk map. `write_json_report` here writes the same bytes (`json.dumps` of the list with
unblob's indent, tested equal) from one result's dict at a time. The zygote (bin/unblob-zygote) installs it in
each forked run, for unblob's command line and for bin/unblob-dir, together with `unhashed`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import structlog

INDENT = "  "  # ProcessResult.to_json's
log = structlog.get_logger()


def pieces(results: list[Any]) -> Iterator[str]:
    """The text of `json.dumps([r.model_dump(mode="json", serialize_as_any=True) for r in results],
    indent=INDENT)`, one result at a time (a nested value is its own dump indented one level: JSON strings
    escape their newlines)."""
    if not results:
        yield "[]"
        return
    for index, result in enumerate(results):
        text = json.dumps(result.model_dump(mode="json", serialize_as_any=True), indent=INDENT)
        yield ("[\n" if index == 0 else ",\n") + INDENT + text.replace("\n", "\n" + INDENT)
    yield "\n]"


def unhashed(cls: type, _path: Path) -> Any:
    """`HashReport.from_path` in fwaudit's runs: the report with empty digests. unblob reads every extracted file
    three more times for md5, sha1 and sha256 (~0.75 s of CPU on the 77 MB bench tree, in its workers) that
    nothing of fwaudit reads: the inventory hashes each file itself (audit/inventory.py)."""
    return cls(md5="", sha1="", sha256="")


def write_json_report(report_file: Path, process_result: Any) -> None:
    """Drop-in for `unblob.processing.write_json_report`: the same file and log lines, bounded memory."""
    try:
        with report_file.open("w", encoding="utf-8") as out:
            for piece in pieces(process_result.results):
                out.write(piece)
    except OSError as exc:
        log.error("Can not write JSON report", path=report_file, msg=str(exc))
    except Exception:
        log.exception("Can not write JSON report", path=report_file)
    else:
        log.info("JSON report written", path=report_file)
