"""Scratch folders in the system's temporary directory, named for the process that owns them.

A server removes its folders when it stops (finalizers, see ``app.load`` and
``web.downloads``), but one killed by SIGKILL or by the kernel's OOM killer runs no finalizer,
and a 10M-triple store is gigabytes: restarted under a supervisor, such a server filled the
disk a few folders later. So every folder is named ``alliance-kg-<kind>-<pid>-<random>``, and
making one removes those of its kind whose owner is gone. (A process id is only unique within
its PID namespace: containers that share one temporary directory must each have their own.)
"""

from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from pathlib import Path

PREFIX = "alliance-kg-"


def owner_alive(pid: int) -> bool:
    """True while process ``pid`` exists (another user's included); False for a number that
    cannot be a process id."""
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError, ValueError):
        return False
    except PermissionError:  # alive, another user's
        return True
    return pid > 0


def owner_pid(name: str, prefix: str) -> int | None:
    """The process id in ``<prefix><pid>-…`` (None where the name carries none)."""
    owner = name[len(prefix):].split("-", 1)[0] if name.startswith(prefix) else ""
    return int(owner) if owner.isdigit() else None


def scratch_folder(kind: str) -> Path:
    """A new folder ``alliance-kg-<kind>-<pid>-…`` for this process, after removing the folders
    of that kind whose owner has gone."""
    prefix = f"{PREFIX}{kind}-"
    for old in Path(tempfile.gettempdir()).glob(f"{prefix}*"):
        owner = owner_pid(old.name, prefix)
        if owner is not None and not owner_alive(owner) and old.is_dir() and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-"))


def remove_with(holder: object, folder: Path | str) -> None:
    """Remove ``folder`` when ``holder`` is collected or at exit, in this process only: a
    query worker forked from it holds a copy of ``holder`` but not the folder."""
    weakref.finalize(holder, _remove_if_owner, str(folder), os.getpid())


def _remove_if_owner(folder: str, owner: int) -> None:
    if os.getpid() == owner:
        shutil.rmtree(folder, ignore_errors=True)
