"""Decoding of machine-specific `e_flags` (ARM EABI, MIPS ABI) and of the hardening features of a binary."""

from __future__ import annotations

from typing import Any

from audit.inspect import elf_tables as t

EM_MIPS, EM_ARM, EM_MIPS_RS3_LE = 8, 40, 10
DT_BIND_NOW, DT_FLAGS, DT_FLAGS_1 = 24, 30, 0x6FFFFFFB
DF_BIND_NOW, DF_1_NOW, DF_1_PIE = 0x8, 0x1, 0x08000000
MIPS_ARCH = {0: "mips1", 1: "mips2", 2: "mips3", 3: "mips4", 4: "mips5", 5: "mips32", 6: "mips64",
             7: "mips32r2", 8: "mips64r2", 9: "mips32r6", 10: "mips64r6"}
MIPS_ABI = {0x1000: "o32", 0x2000: "o64", 0x3000: "eabi32", 0x4000: "eabi64"}
CANARY = frozenset({"__stack_chk_fail", "__stack_chk_guard", "__stack_chk_fail_local"})


def describe_flags(machine: int, flags: int, bits: int) -> dict[str, Any]:
    """The ABI facts carried in e_flags for ARM and MIPS; `{}` for other machines."""
    if machine == EM_ARM:
        return _arm(flags)
    if machine in (EM_MIPS, EM_MIPS_RS3_LE):
        return _mips(flags, bits)
    return {}


def _arm(flags: int) -> dict[str, Any]:
    eabi = (flags >> 24) & 0xFF
    if flags & 0x400:
        float_abi = "hard"
    elif flags & 0x200:
        float_abi = "soft"
    else:
        float_abi = "unspecified"
    return {"eabi_version": eabi, "float_abi": float_abi, "be8": bool(flags & 0x00800000)}


def _mips(flags: int, bits: int) -> dict[str, Any]:
    abi = MIPS_ABI.get(flags & 0xF000)
    if flags & 0x20:
        abi = "n32"
    elif abi is None:
        abi = "n64" if bits == 64 else "o32"
    return {
        "isa": MIPS_ARCH.get(flags >> 28, f"unknown-{flags >> 28}"),
        "abi": abi,
        "pic": bool(flags & 0x2),
        "cpic": bool(flags & 0x4),
        "noreorder": bool(flags & 0x1),
        "nan2008": bool(flags & 0x400),
        "fp64": bool(flags & 0x200),
    }


def hardening(e_type: int, segments: list[t.Segment], dynamic: list[tuple[int, int]],
              imports: list[str]) -> dict[str, Any]:
    """NX, PIE, RELRO, canary and FORTIFY of an executable or shared object."""
    types = {s.p_type for s in segments}
    stack = next((s for s in segments if s.p_type == t.PT_GNU_STACK), None)
    tags = dict(dynamic)
    bind_now = (DT_BIND_NOW in tags or bool(tags.get(DT_FLAGS, 0) & DF_BIND_NOW)
                or bool(tags.get(DT_FLAGS_1, 0) & DF_1_NOW))
    relro = "none"
    if t.PT_GNU_RELRO in types:
        relro = "full" if bind_now else "partial"
    fortified = sorted({n for n in imports if n.startswith("__") and n.endswith("_chk") and n not in CANARY})
    return {
        "nx": stack is not None and not stack.flags & t.PF_X,
        "pie": e_type == 3 and (t.PT_INTERP in types or bool(tags.get(DT_FLAGS_1, 0) & DF_1_PIE)),
        "relro": relro,
        "bind_now": bind_now,
        "canary": any(n in CANARY for n in imports),
        "fortify": bool(fortified),
        "fortified": fortified[:200],
    }
