"""unblob plugin: registers fwaudit's vendor container handlers (`unblob --plugins-path <this file>`).

unblob imports this file as a top-level module in its own process; the handlers themselves live in the
`audit.unpack.formats` package (installed with fwaudit) and are listed there in `FORMATS`.
"""

from __future__ import annotations

from unblob.plugins import hookimpl

from audit.unpack import bounded_inflate
from audit.unpack.formats import handlers
from audit.unpack.formats.cramfs import use_fsck_cramfs


@hookimpl
def unblob_register_handlers() -> list[type]:
    bounded_inflate.install()  # gzip/zlib/LZMA stream-end searches stop at the bytes cap (bombs)
    use_fsck_cramfs()  # unblob's cramfs handler, extracted by fsck.cramfs instead of 7z (keeps symlinks)
    return handlers()
