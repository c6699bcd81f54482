"""Short, exact citations of claims and evidence, used in policy reasons and in every report view."""

from __future__ import annotations

from audit.model import Claim, Evidence

MAX_CITED = 2


def cite_evidence(ev: Evidence) -> str:
    """`yara:SDK_HiSilicon_MPP_Library at rootfs/usr/lib/libmpi.so@0x1234`."""
    where = ev.path if ev.offset is None else f"{ev.path}@{ev.offset:#x}"
    return f"{ev.kind}:{ev.rule_id} at {where}"


def cite_claim(claim: Claim, hint: bool = False, max_cited: int = MAX_CITED) -> str:
    """`claim soc/hisilicon "Hi3516EV200" (0.97): evidence yara:... at ...@0x..; +2 more`."""
    label = "hint" if hint else "claim"
    detail = f' "{claim.detail}"' if claim.detail else ""
    cited = "; ".join(cite_evidence(e) for e in claim.evidence[:max_cited]) or "no evidence recorded"
    more = len(claim.evidence) - max_cited
    tail = f"; +{more} more" if more > 0 else ""
    return f"{label} {claim.layer}/{claim.entity}{detail} ({claim.confidence:.2f}): evidence {cited}{tail}"


def unescape_matched(matched: str) -> bytes:
    """The bytes behind `Evidence.matched` (printable text with `\\xNN` escapes for the rest)."""
    out = bytearray()
    i = 0
    while i < len(matched):
        if matched.startswith("\\x", i) and i + 4 <= len(matched):
            try:
                out.append(int(matched[i + 2 : i + 4], 16))
                i += 4
                continue
            except ValueError:
                pass
        out.extend(matched[i].encode("utf-8"))
        i += 1
    return bytes(out)
