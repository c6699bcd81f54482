"""File names that are not UTF-8: one lossless, documented escaping for everything a report holds.

Linux names are bytes; Python decodes them with `surrogateescape`, so a byte that is not UTF-8 (a GBK or
Latin-1 name from a vendor's archive or file system) becomes a lone surrogate U+DC80..U+DCFF, which no
UTF-8 writer accepts. Records carry the *escaped* name instead: each such byte becomes the four characters
`\\xNN` (lower-case hex), everything that is valid UTF-8 is kept as is. Because a valid name could itself
contain the text `\\xNN`, the record also keeps the raw bytes (`path_raw`, hex) whenever escaping changed
the name; the name on disk is rebuilt from that, never from the escaped form.
"""

from __future__ import annotations

import os

_LOW, _HIGH = 0xDC80, 0xDCFF  # surrogateescape range: one raw byte 0x80..0xFF each


def has_surrogates(text: str) -> bool:
    """True when `text` holds any lone surrogate (cannot be written as UTF-8)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def escape_name(text: str, backslash: str = "\\") -> str:
    """`text` with each undecodable byte as `\\xNN` (and any other lone surrogate as `\\uXXXX`). Inside JSON
    text, pass `backslash="\\\\"`: the escape then reads back as the same four characters, not as an invalid
    JSON escape."""
    if not has_surrogates(text):
        return text
    out: list[str] = []
    for char in text:
        code = ord(char)
        if _LOW <= code <= _HIGH:
            out.append(f"{backslash}x{code - 0xDC00:02x}")
        elif 0xD800 <= code <= 0xDFFF:
            out.append(f"{backslash}u{code:04x}")
        else:
            out.append(char)
    return "".join(out)


def raw_hex(text: str) -> str | None:
    """Hex of the raw bytes of a surrogate-escaped name, or None when the name is plain UTF-8."""
    if not has_surrogates(text):
        return None
    return text.encode("utf-8", "surrogateescape" if _only_escapes(text) else "surrogatepass").hex()


def disk_name(name: str, raw: str | None) -> str:
    """The name as the OS knows it (surrogate-escaped str): from `raw` when present, else `name`."""
    return os.fsdecode(bytes.fromhex(raw)) if raw else name


def _only_escapes(text: str) -> bool:
    return all(not 0xD800 <= ord(c) <= 0xDFFF or _LOW <= ord(c) <= _HIGH for c in text)
