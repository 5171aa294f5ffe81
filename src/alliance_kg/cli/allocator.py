"""The memory allocator of the server and of ``load``: mimalloc, where the system has it, instead
of glibc's.

Oxigraph allocates and frees as it parses, plans, evaluates and writes every query, and so does
the interpreter around it. On the shipped graph at concurrency 8, libc took 0.095 ms of the 0.61
ms of CPU a serving process spends on a request (``perf``), and with mimalloc preloaded the same
processes answered 7-10 % more queries a second (the README has the runs). ``load`` runs once,
so a request's CPU does not count there, but its peak does: loading the 1M generated triples
(``generate --cities 34000``) into a store peaked at 1.13-1.18 GB resident on mimalloc and
1.35-1.40 GB on glibc's malloc, four runs each, in about the same CPU time; the server's memory
store is built by the same function (``app.load``), on mimalloc already. ``build`` is not
preloaded: its peak at 1M was higher on mimalloc (1.18-1.22 GB against 1.12), its CPU the same.

An allocator has to be in place before the first allocation, so the command executes itself
again, once, with ``LD_PRELOAD`` naming the library: the same process (pid), interpreter and
arguments. The executed process takes the variable back out of its environment, so that no
program it starts inherits it, and finds out from its own memory map what was loaded: a library
the loader could not preload is ignored by it, and the command goes on with the system's
allocator. A command run in-process (``cli.main`` from Python, the tests' ``run_cli``) executes
its whole process again: there, ``--allocator system`` (or ``ALLIANCE_KG_ALLOCATOR=system``).
"""

from __future__ import annotations

import ctypes.util
import logging
import os
import sys
from pathlib import Path
from typing import NamedTuple

from ..errors import InputError

log = logging.getLogger(__name__)

#: Allocators by name: their library's name for ``find_library``, and Debian's package.
KNOWN = {"mimalloc": ("mimalloc", "libmimalloc2.0"), "jemalloc": ("jemalloc", "libjemalloc2")}
#: What ``auto`` takes, when installed: the fastest measured (jemalloc gave 4-7 %, mimalloc 7-10 %).
AUTO = "mimalloc"
#: Set for the executed process only: the ``LD_PRELOAD`` it had before ("" for none).
MARK = "ALLIANCE_KG_PRELOAD_BEFORE"
#: Libraries that replace malloc, as they appear in a memory map.
REPLACEMENTS = ("libmimalloc", "libjemalloc", "libtcmalloc")


def library_for(choice: str) -> str | None:
    """The library that ``choice`` (``--allocator``) names, None for the system's allocator.

    ``auto`` is mimalloc when it is installed and the system's allocator otherwise; an
    allocator named outright must be there."""
    if choice == "system":
        return None
    linux = sys.platform.startswith("linux")
    if choice == "auto":
        return ctypes.util.find_library(KNOWN[AUTO][0]) if linux else None
    if choice in KNOWN:
        if not linux:
            raise InputError(f"--allocator {choice}: an allocator is preloaded on Linux only")
        found = ctypes.util.find_library(KNOWN[choice][0])
        if found is None:
            raise InputError(f"--allocator {choice}: lib{choice} is not installed (Debian: apt-get install "
                             f"{KNOWN[choice][1]})")
        return found
    if os.path.isabs(choice):
        return shared_library(choice)
    raise InputError(f"--allocator {choice!r}: use auto, system, {', '.join(KNOWN)} or the absolute path of a "
                     f"malloc library")


def shared_library(path: str) -> str:
    """``path``, given by ``--allocator``, if it is a file in the format of shared libraries
    (ELF); whether the loader can preload it, only the loader says (``preload``)."""
    try:
        with open(path, "rb") as file:
            magic = file.read(4)
    except FileNotFoundError:
        raise InputError(f"--allocator {path!r}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"--allocator {path!r}: a folder, not a shared library") from None
    except OSError as exc:
        raise InputError(f"--allocator {path!r}: cannot be read ({exc.strerror})") from None
    if magic != b"\x7fELF":
        raise InputError(f"--allocator {path!r}: not a shared library (no ELF file)")
    return path


class Allocator(NamedTuple):
    """The allocator ``serve`` or ``load`` runs on: its library's path (None for the system's
    malloc), and why it is not the one chosen, when it is not."""

    in_use: str | None
    problem: str | None = None

    def report(self) -> None:
        """One log line: the allocator, or the warning that says why it is the system's."""
        if self.problem is not None:
            log.warning("%s: the system's malloc", self.problem)
        else:
            log.info("memory allocator: %s", describe(self.in_use))


def preload(choice: str) -> Allocator:
    """Execute this process again with the allocator ``choice`` names preloaded, unless it is
    the executed one already (then never returns); returns the allocator in use.

    Called by ``serve`` and ``load`` first, before they import the web layer or the build or
    read anything: nothing is done twice but the command line's own imports. It logs nothing
    (logging is not set up yet): ``Allocator.report`` does, once it is."""
    before = os.environ.pop(MARK, None)
    if before is not None:  # executed again: the environment as it was given
        preloaded = os.environ.get("LD_PRELOAD", "").split(":")[0]
        if before:
            os.environ["LD_PRELOAD"] = before
        else:
            os.environ.pop("LD_PRELOAD", None)
        in_use = replacement(prefixes=(os.path.basename(preloaded),)) if preloaded else None
        if in_use is None:
            return Allocator(None, f"{preloaded} could not be preloaded (the loader said why, above)")
        return Allocator(in_use)
    library, in_use = library_for(choice), replacement()
    if library is None or in_use is not None:  # the system's, or one preloaded already (LD_PRELOAD given)
        return Allocator(in_use)
    given = os.environ.get("LD_PRELOAD", "")
    environ = dict(os.environ, LD_PRELOAD=f"{library}:{given}" if given else library, **{MARK: given})
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execve(sys.executable, [sys.executable, *sys.orig_argv[1:]], environ)
    except OSError as exc:  # returns only by failing: the command goes on as it is
        return Allocator(None, f"could not execute {sys.executable} again to preload {library} ({exc.strerror})")


def replacement(maps: Path = Path("/proc/self/maps"), prefixes: tuple[str, ...] = REPLACEMENTS) -> str | None:
    """The library in ``maps`` (a process's memory map) whose file name starts with one of
    ``prefixes``: by default, the known replacements of malloc."""
    try:
        lines = maps.read_text().splitlines()
    except OSError:  # no /proc: not Linux
        return None
    for line in lines:
        fields = line.split(maxsplit=5)  # address, permissions, offset, device, inode, path
        if len(fields) == 6 and os.path.basename(fields[5]).startswith(prefixes):
            return fields[5].strip()
    return None


def describe(in_use: str | None) -> str:
    """The allocator for a log line: the library's name, or glibc's malloc."""
    return os.path.basename(in_use) if in_use else "the system's malloc"
