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


def scratch_folder(kind: str) -> Path:
    """A new folder ``alliance-kg-<kind>-<pid>-…`` for this process, after removing the folders
    of that kind whose owner has gone."""
    prefix = f"{PREFIX}{kind}-"
    for old in Path(tempfile.gettempdir()).glob(f"{prefix}*"):
        owner = old.name[len(prefix):].split("-", 1)[0]
        if owner.isdigit() and not owner_alive(int(owner)) and old.is_dir() and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-"))
