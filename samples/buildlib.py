"""Helpers for samples/build.py: toolchains, deterministic file-system and image writers, the staging tree.

Standard library only; every writer is deterministic (fixed times, owners, order and seeded filler).
"""

from __future__ import annotations

import gzip
import hashlib
import os
import random
import shutil
import struct
import subprocess
from pathlib import Path

SOURCE_DATE_EPOCH = 1700000000  # 2023-11-14 22:13:20 UTC
HERE = Path(__file__).resolve().parent
SRC = HERE / "src"
COMMON_INC = SRC / "common"

# --------------------------------------------------------------------------
# toolchains
# --------------------------------------------------------------------------

TOOLCHAINS = {
    "arm": {
        "prefix": "arm-linux-gnueabihf-",
        "arch": "arm-32-le",
        "cflags": [],
        "kmod_cflags": ["-marm", "-mfloat-abi=soft", "-fno-pic", "-mno-unaligned-access"],
    },
    "aarch64": {
        "prefix": "aarch64-linux-gnu-",
        "arch": "aarch64-64-le",
        "cflags": [],
        "kmod_cflags": ["-fno-pic", "-mgeneral-regs-only"],
    },
    "mipsel": {
        "prefix": "mipsel-linux-gnu-",
        "arch": "mips-32-le",
        "cflags": ["-march=mips32r2"],
        "kmod_cflags": ["-mno-abicalls", "-fno-pic", "-G", "0", "-mlong-calls", "-msoft-float"],
    },
    "mips": {
        "prefix": "mips-linux-gnu-",
        "arch": "mips-32-be",
        "cflags": ["-march=mips32r2"],
        "kmod_cflags": ["-mno-abicalls", "-fno-pic", "-G", "0", "-mlong-calls", "-msoft-float"],
    },
}

HOST_TOOLS = {
    "mkimage": "u-boot-tools",
    "mksquashfs": "squashfs-tools",
    "mkfs.jffs2": "mtd-utils",
}

ELF_MACHINES = {3: "i386", 8: "mips", 40: "arm", 62: "x86_64", 183: "aarch64"}


class BuildError(RuntimeError):
    pass


def elf_arch(data: bytes) -> str | None:
    """Return '<machine>-<bits>-<le|be>' for an ELF blob, else None."""
    if len(data) < 20 or data[:4] != b"\x7fELF":
        return None
    bits = {1: 32, 2: 64}.get(data[4])
    endian = {1: "le", 2: "be"}.get(data[5])
    if bits is None or endian is None:
        return None
    (machine,) = struct.unpack_from("<H" if endian == "le" else ">H", data, 18)
    name = ELF_MACHINES.get(machine, f"em{machine}")
    return f"{name}-{bits}-{endian}"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def require_tools(toolchains: list[str]) -> None:
    missing = []
    for tool, pkg in HOST_TOOLS.items():
        if shutil.which(tool) is None:
            missing.append(f"{tool} (Debian package {pkg})")
    for tc in toolchains:
        prefix = TOOLCHAINS[tc]["prefix"]
        for suffix in ("gcc", "objcopy"):
            if shutil.which(prefix + suffix) is None:
                triple = prefix.rstrip("-")
                missing.append(f"{prefix}{suffix} (Debian packages gcc-{triple}, binutils-{triple})")
    if missing:
        raise BuildError("missing build tools:\n  " + "\n  ".join(missing))


def build_env() -> dict:
    env = dict(os.environ)
    env["SOURCE_DATE_EPOCH"] = str(SOURCE_DATE_EPOCH)
    env["LC_ALL"] = "C"
    env["TZ"] = "UTC"
    env.pop("GCC_COLORS", None)
    return env


def run(cmd: list[str], cwd: Path | None = None, env: dict | None = None) -> None:
    try:
        proc = subprocess.run(cmd, cwd=cwd, env=env or build_env(), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT)
    except FileNotFoundError as exc:
        raise BuildError(f"tool not found: {cmd[0]}") from exc
    if proc.returncode != 0:
        raise BuildError(f"command failed ({proc.returncode}): {' '.join(map(str, cmd))}\n"
                         + proc.stdout.decode(errors="replace"))


# --------------------------------------------------------------------------
# helpers for blobs and containers
# --------------------------------------------------------------------------

def filler(seed: str, size: int) -> bytes:
    """Deterministic pseudo-random bytes, mildly compressible."""
    rnd = random.Random(seed)  # noqa: S311 - deterministic filler, not crypto
    out = bytearray()
    while len(out) < size:
        if rnd.random() < 0.5:
            out += rnd.randbytes(rnd.randint(16, 256))
        else:
            out += bytes([rnd.randint(0, 255)]) * rnd.randint(4, 64)
    return bytes(out[:size])


def kernel_payload(seed: str, banner: str, extra: list[str], size: int = 96 * 1024) -> bytes:
    """A data blob standing in for a kernel: NOT a kernel, just a banner."""
    strings = b"\0".join(s.encode() for s in [banner + "\n", *extra]) + b"\0"
    head = filler(seed + ":head", 0x2000)
    tail = filler(seed + ":tail", max(0, size - len(head) - len(strings)))
    return head + strings + tail


def gz(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9, mtime=0)


def pad(data: bytes, size: int, fill: bytes = b"\xff") -> bytes:
    if len(data) > size:
        raise BuildError(f"blob of {len(data)} bytes does not fit region of {size} bytes")
    return data + fill * (size - len(data))


def align(data: bytes, boundary: int, fill: bytes = b"\xff") -> bytes:
    rem = (-len(data)) % boundary
    return data + fill * rem


def mkimage(work: Path, payload: bytes, name: str, arch: str, img_type: str,
            comp: str, load: int = 0, entry: int = 0) -> bytes:
    src = work / f"mkimage-{hashlib.sha256(name.encode() + payload).hexdigest()[:12]}.in"
    out = src.with_suffix(".out")
    src.write_bytes(payload)
    run(["mkimage", "-A", arch, "-O", "linux", "-T", img_type, "-C", comp,
         "-a", f"0x{load:08x}", "-e", f"0x{entry:08x}", "-n", name,
         "-d", str(src), str(out)])
    data = out.read_bytes()
    src.unlink()
    out.unlink()
    return data


def normalize_tree(root: Path) -> None:
    """Fixed modes and mtimes everywhere (children first, then the directory).

    Modes are normalised to 0755/0644 (by the owner-exec bit) so that the
    checkout umask cannot change the images."""
    for dirpath, dirnames, filenames in os.walk(root, topdown=False):
        for name in filenames + dirnames:
            p = Path(dirpath) / name
            if not p.is_symlink():
                scripty = "init.d" in p.parts or p.suffix == ".sh"  # even if checked out without +x
                p.chmod(0o755 if (p.is_dir() or scripty or p.stat().st_mode & 0o100) else 0o644)
            os.utime(p, (SOURCE_DATE_EPOCH, SOURCE_DATE_EPOCH), follow_symlinks=False)
    root.chmod(0o755)
    os.utime(root, (SOURCE_DATE_EPOCH, SOURCE_DATE_EPOCH))


def mksquashfs(root: Path, out: Path, comp: str = "xz", block: str = "128K") -> bytes:
    normalize_tree(root)
    if out.exists():
        out.unlink()
    run(["mksquashfs", str(root), str(out), "-noappend", "-comp", comp, "-b", block,
         "-all-root", "-no-xattrs", "-mkfs-time", str(SOURCE_DATE_EPOCH),
         "-all-time", str(SOURCE_DATE_EPOCH), "-processors", "1", "-no-progress", "-quiet"],
        # mksquashfs 4.5 refuses SOURCE_DATE_EPOCH together with -mkfs-time/-all-time,
        # so the timestamps are given explicitly and the variable is dropped here.
        env={k: v for k, v in build_env().items() if k != "SOURCE_DATE_EPOCH"})
    return out.read_bytes()


def mkjffs2(root: Path, out: Path, eraseblock: int = 0x10000, pad_to: int | None = None) -> bytes:
    normalize_tree(root)
    cmd = ["mkfs.jffs2", "-l", "-U", "-e", hex(eraseblock), "-r", str(root), "-o", str(out)]
    if pad_to:
        cmd.insert(1, f"--pad={pad_to}")
    run(cmd)
    return out.read_bytes()


# --------------------------------------------------------------------------
# the builder: compiles ELFs and stages partitions
# --------------------------------------------------------------------------

class Sample:
    def __init__(self, name: str, toolchain: str, comment: str, work: Path):
        self.name = name
        self.tc = TOOLCHAINS[toolchain]
        self.comment = comment
        self.work = work / name
        self.objdir = self.work / "obj"
        self.objdir.mkdir(parents=True)
        self.parts: dict[str, tuple[Path, str]] = {}  # partition -> (staging dir, mount point)
        self.elfs: list[dict] = []
        self.layout: list[dict] = []
        self._comment_file = self.work / "comment.txt"
        self._comment_file.write_bytes(comment.encode() + b"\0")

    # -- partitions -------------------------------------------------------
    def partition(self, part: str, mount: str, overlays: list[str] = (), dirs: list[str] = ()) -> Path:
        root = self.work / "part" / part
        root.mkdir(parents=True)
        for ov in overlays:
            src = SRC / ov
            if not src.is_dir():
                raise BuildError(f"missing source tree {src}")
            shutil.copytree(src, root, dirs_exist_ok=True, symlinks=True)
        for d in dirs:
            (root / d.lstrip("/")).mkdir(parents=True, exist_ok=True)
        self.parts[part] = (root, mount)
        return root

    def add_file(self, part: str, path: str, data: bytes, mode: int = 0o644) -> None:
        root = self.parts[part][0]
        dest = root / path.lstrip("/")
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)
        dest.chmod(mode)

    def add_symlink(self, part: str, path: str, target: str) -> None:
        dest = self.parts[part][0] / path.lstrip("/")
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.symlink_to(target)

    # -- compiling --------------------------------------------------------
    def _cc(self, srcs: list[str], out: Path, extra: list[str], post: list[str] = ()) -> None:
        srcdir = (SRC / srcs[0]).parent
        for s in srcs:
            if not (SRC / s).is_file():
                raise BuildError(f"missing source {SRC / s}")
        cmd = [self.tc["prefix"] + "gcc", "-O2", "-fno-ident", "-Wall",
               f"-ffile-prefix-map={SRC}=.", f"-ffile-prefix-map={srcdir}=.",
               f"-ffile-prefix-map={self.work}=/build",
               "-I", os.path.relpath(COMMON_INC, srcdir), *self.tc["cflags"], *extra]
        # sources relative to the source directory so STT_FILE is a bare name
        cmd += [os.path.relpath(SRC / s, srcdir) for s in srcs] + list(post) + ["-o", str(out)]
        run(cmd, cwd=srcdir)

    def _finish(self, obj: Path, strip: bool) -> bytes:
        out = obj.with_name(obj.name + ".final")
        cmd = [self.tc["prefix"] + "objcopy"]
        if strip:
            cmd.append("--strip-all")
        cmd += ["--remove-section=.comment", f"--add-section=.comment={self._comment_file}",
                "--set-section-flags=.comment=contents,readonly", str(obj), str(out)]
        run(cmd)
        return out.read_bytes()

    def _install(self, part: str, fs_path: str, data: bytes, kind: str, srcs: list[str],
                 mode: int) -> None:
        arch = elf_arch(data)
        if arch != self.tc["arch"]:
            raise BuildError(f"{fs_path}: built arch {arch} != expected {self.tc['arch']}")
        mount = self.parts[part][1]
        in_part = fs_path[len(mount.rstrip("/")):] if mount != "/" else fs_path
        self.add_file(part, in_part, data, mode)
        self.elfs.append({
            "fs_path": fs_path,
            "sha256": sha256(data),
            "arch": arch,
            "source": "src/" + srcs[0],
            "sources": ["src/" + s for s in srcs],
            "kind": kind,
            "partition": part,
            "path_in_partition": in_part,
            "size": len(data),
        })

    def shlib(self, part: str, fs_path: str, srcs: list[str], cflags: list[str] = (),
              ldflags: list[str] = ()) -> None:
        soname = fs_path.rsplit("/", 1)[1]
        out = self.objdir / soname
        self._cc(srcs, out, ["-shared", "-fPIC", f"-Wl,-soname,{soname}", *cflags],
                 [f"-L{self.objdir}", *ldflags])
        self._install(part, fs_path, self._finish(out, strip=True), "shared-library", srcs, 0o755)

    def exe(self, part: str, fs_path: str, srcs: list[str], libs: list[str] = (),
            cflags: list[str] = (), ldflags: list[str] = ()) -> None:
        out = self.objdir / (fs_path.rsplit("/", 1)[1] + ".exe")
        self._cc(srcs, out, list(cflags), [f"-L{self.objdir}"] + list(ldflags)
                 + [f"-l{lib}" for lib in libs])
        self._install(part, fs_path, self._finish(out, strip=True), "executable", srcs, 0o755)

    def kmod(self, part: str, fs_path: str, src: str, cflags: list[str] = ()) -> None:
        out = self.objdir / fs_path.rsplit("/", 1)[1]
        self._cc([src], out, ["-c", "-ffreestanding", "-nostdinc", "-fno-common",
                              "-fno-asynchronous-unwind-tables"]
                 + self.tc["kmod_cflags"] + list(cflags))
        self._install(part, fs_path, self._finish(out, strip=False), "kernel-module", [src], 0o644)

    # -- images -------------------------------------------------------------
    def squashfs(self, part: str, comp: str = "xz") -> bytes:
        return mksquashfs(self.parts[part][0], self.work / f"{part}.sqsh", comp)

    def jffs2(self, part: str, pad_to: int | None = None) -> bytes:
        return mkjffs2(self.parts[part][0], self.work / f"{part}.jffs2", pad_to=pad_to)

    def manifest(self, image_name: str, image: bytes, extra: dict) -> dict:
        files = []
        for part, (root, mount) in self.parts.items():
            for dirpath, dirnames, filenames in os.walk(root):
                dirnames.sort()
                for fn in sorted(filenames):
                    p = Path(dirpath) / fn
                    if p.is_symlink() or not p.is_file():
                        continue
                    rel = "/" + p.relative_to(root).as_posix()
                    fs_path = rel if mount == "/" else mount.rstrip("/") + rel
                    files.append({"fs_path": fs_path, "sha256": sha256(p.read_bytes()),
                                  "partition": part})
        man = {
            "name": self.name,
            "image": image_name,
            "sha256": sha256(image),
            "size": len(image),
            "synthetic": True,
            "elf": self.elfs,
            "files": files,
            "partitions": {p: m for p, (_, m) in self.parts.items()},
            "layout": self.layout,
        }
        man.update(extra)
        return man


# --------------------------------------------------------------------------
# the samples
# --------------------------------------------------------------------------
