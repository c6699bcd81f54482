"""The `fwaudit` console script: starts unblob's zygote before the CLI's imports when the command will unpack.

`fwaudit scan` spends ~1 s importing its own modules before the audit begins; unblob's imports (~2 s, in the
zygote's own process, audit/unpack/zygote.py) then overlap them instead of following them. Every other command
goes straight to the CLI. The zygote ends when its one extraction does (its memory is the analysis's then).
"""

from __future__ import annotations

import os
import sys

UNPACKING_COMMANDS = frozenset({"scan"})


def main() -> None:
    args = sys.argv[1:]
    if args and args[0] in UNPACKING_COMMANDS and not {"-h", "--help"} & set(args):
        from audit.unpack import zygote

        zygote.keep_after_use(False)  # one image per `fwaudit scan`: no second extraction to keep it for
        zygote.prestart(dict(os.environ))
    from audit.cli import main as cli

    cli()
