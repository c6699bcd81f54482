"""Whole-image reasoning for the SoC layer: one device has one main SoC.

When claims name two SoC vendors (a Goke camera with a MediaTek USB Wi-Fi driver, a HiSilicon NVR with a
Realtek Ethernet PHY driver), where the evidence sits decides which is the main SoC: evidence in the kernel,
the boot loader or the boot headers (files with `kernel.*`, `uboot.*`, `uimage`, `fdt` or `mtdparts` facts), or
the same vendor's SDK/toolchain claim, speaks for the chip the firmware runs on; a vendor seen only in a
module or a library is a peripheral. The others become `component` claims with a note, never a second SoC.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from audit.model import Claim, Fact

PLATFORM_FACTS = ("kernel.", "uboot.", "uimage", "fdt", "mtdparts")


def platform_files(facts: Sequence[Fact]) -> set[str]:
    """sha256 of the files that are the platform itself: kernels, boot loaders, boot headers, device trees."""
    return {f.sha256 for f in facts if f.kind.startswith(PLATFORM_FACTS)}


def _support(claim: Claim, claims: Sequence[Claim], platform: set[str]) -> tuple[int, int, float, int]:
    """How strongly a SoC claim speaks for the main chip: platform evidence, own SDK/toolchain, confidence, files."""
    on_platform = sum(1 for e in claim.evidence if e.sha256 in platform)
    own_sdk = any(c.entity == claim.entity and c.layer in ("sdk", "toolchain") for c in claims)
    return (on_platform, int(own_sdk), claim.confidence, len({e.sha256 for e in claim.evidence}))


def resolve_main_soc(claims: Sequence[Claim], facts: Sequence[Fact], threshold: float) -> list[Claim]:
    """`claims` with at most one SoC vendor at or above `threshold`; the other SoC claims become components."""
    socs = [c for c in claims if c.layer == "soc" and c.confidence >= threshold]
    if len(socs) < 2:
        return list(claims)
    platform = platform_files(facts)
    ranked = sorted(socs, key=lambda c: _support(c, claims, platform), reverse=True)
    main, best = ranked[0], _support(ranked[0], claims, platform)
    decided = best[:2] > _support(ranked[1], claims, platform)[:2]
    out = []
    for claim in claims:
        if claim in socs and claim is not main:
            why = ("its evidence is in a module or library, not in the kernel, boot loader or SDK"
                   if decided else "the evidence does not show which chip is the main SoC; the claim with the "
                   "strongest support is kept as the SoC")
            note = f"{claim.entity} chip evidence reported as a component (main SoC: {main.entity}): {why}"
            out.append(replace(claim, layer="component", notes=(*claim.notes, note)))
        else:
            out.append(claim)
    return out
