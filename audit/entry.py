"""The `fwaudit` console script: starts unblob's zygote before the CLI's imports when the command will unpack.

`fwaudit scan` spends ~1 s importing its own modules before the audit begins; unblob's imports (~2 s, in the
zygote's own process, audit/unblob_zygote.py) then overlap them instead of following them. Every other command
goes straight to the CLI. The zygote ends when its one extraction does (its memory is the analysis's then), and
`scan` ends without tearing its objects down (`_hard_exit`).
"""

from __future__ import annotations

import os
import sys

UNPACKING_COMMANDS = frozenset({"scan"})


def main() -> None:
    args = sys.argv[1:]
    if args and args[0] in UNPACKING_COMMANDS and not {"-h", "--help"} & set(args):
        from audit import unblob_zygote as zygote

        zygote.keep_after_use(False)  # one image per `fwaudit scan`: no second extraction to keep it for
        zygote.prestart(dict(os.environ))
    from audit.cli import main as cli

    if not (args and args[0] in UNPACKING_COMMANDS):
        cli()
        return
    try:
        cli()
    except SystemExit as done:
        _hard_exit(done.code)


def _hard_exit(code: object) -> None:
    """End `fwaudit scan` once its reports are written and its output flushed, without tearing down the
    interpreter: freeing a large audit's objects one by one took ~0.25 s on the 32 MiB bench image, for
    nothing. Every file the audit writes is closed by then, its work dir removed and its pools joined; the
    unblob zygote, if any is left, ends on the end of its stdin. Only the console script does this: callers of
    `audit.cli.main` (tests, a library user) keep Python's normal exit."""
    import logging

    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            code = code or 1  # output lost (a closed pipe): never report success silently
    logging.shutdown()
    os._exit(code or 0)
