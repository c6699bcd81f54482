"""unblob plugin: registers fwaudit's vendor container handlers (`unblob --plugins-path <this file>`).

unblob imports this file as a top-level module in its own process; the handlers themselves live in the
`audit.unpack.formats` package (installed with fwaudit) and are listed there in `FORMATS`.
"""

from __future__ import annotations

from unblob.plugins import hookimpl

from audit.unpack.formats import handlers


@hookimpl
def unblob_register_handlers() -> list[type]:
    return handlers()
