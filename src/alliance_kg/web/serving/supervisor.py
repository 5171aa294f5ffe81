"""The server's side: forks the serving processes, keeps them at their number (replacing one
that asks for a successor or dies) and stops them.

Each process has a slot: a listening socket of its own among those the kernel spreads new
connections over (``httpservers.bind_spread``), which the server holds for as long as it runs.
A successor is forked into its predecessor's slot, so the connections waiting on the socket
when the predecessor stops accepting are the successor's to take, never dropped."""

from __future__ import annotations

import dataclasses
import logging
import os
import select
import signal
import socket
import sys
import threading
import time
from collections import Counter

from flask import Flask

from ...scratch import remove_with, scratch_folder
from ...settings import Settings
from .control import Control, ControlServer
from .process import REASONS, child_main

log = logging.getLogger(__name__)

#: Seconds between two starts of serving processes that die at once (a crash loop).
RESPAWN_PAUSE = 1.0


@dataclasses.dataclass
class _Child:
    pid: int
    #: Which of the listening sockets it accepts on.
    slot: int
    #: The end the server reads the child's requests for a successor from.
    messages: int
    started: float
    retiring: bool = False


class Supervisor:
    """Forks a serving process for each of ``socks`` and keeps one accepting on each."""

    def __init__(self, app: Flask, settings: Settings, socks: list[socket.socket]):
        self._app, self._settings, self._socks = app, settings, socks
        self.control = ControlServer(Control(app, self))
        self._metrics = scratch_folder("metrics")
        remove_with(self, self._metrics)
        self._children: dict[int, _Child] = {}
        self._lock = threading.RLock()
        self._wake_read, self._wake = os.pipe()
        self._stopping = threading.Event()
        self._last_start = 0.0
        #: Serving processes replaced, by reason: timeout, grown, died, reload (metrics).
        self.replaced: Counter = Counter()

    @property
    def pids(self) -> list[int]:
        with self._lock:
            return [c.pid for c in self._children.values() if not c.retiring]

    def start(self) -> None:
        for slot in range(len(self._socks)):
            self._spawn(slot)

    def replace_all(self, reason: str) -> None:
        """Fresh serving processes, forked now (they serve the current state), in place of the
        current ones, which stop accepting and finish their requests."""
        if self._stopping.is_set():
            return
        with self._lock:
            old = [c for c in self._children.values() if not c.retiring]
            for slot in range(len(self._socks)):
                self._spawn(slot)
            for child in old:
                child.retiring = True
                self.replaced[reason] += 1
                _signal(child.pid, signal.SIGTERM)
        log.info("serving processes forked afresh (%s): %s", reason, " ".join(map(str, self.pids)))

    def run(self) -> None:
        """Keep the processes at their number until ``stop``; then stop them, waiting for their
        requests for at most the query timeout plus a margin."""
        while not self._stopping.is_set():
            with self._lock:
                readable = [c.messages for c in self._children.values() if not c.retiring]
            try:
                ready, _, _ = select.select([self._wake_read, *readable], [], [], 0.5)
            except (InterruptedError, ValueError, OSError):
                ready = []
            for fd in ready:
                if fd == self._wake_read:
                    os.read(self._wake_read, 512)
                else:
                    self._read_request(fd)
            self._reap()
        self._stop_children()

    def stop(self) -> None:
        """Stop (from a signal handler): ``run`` returns once the processes are gone."""
        self._stopping.set()
        try:
            os.write(self._wake, b"x")
        except OSError:
            pass

    def close(self) -> None:
        for fd in (self._wake_read, self._wake):
            try:
                os.close(fd)
            except OSError:
                pass

    def _spawn(self, slot: int) -> None:
        with self._lock:
            if self._stopping.is_set():  # a reload's or settle's thread late: stopping wins
                return
            read, write = os.pipe()
            sys.stdout.flush()
            sys.stderr.flush()
            # the child would inherit this process's SIGTERM handler, and a SIGTERM before it has
            # its own would stop nothing: held back over the fork, it then finds the default
            mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
            pid = os.fork()
            if pid == 0:  # the serving process: never returns
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.pthread_sigmask(signal.SIG_SETMASK, mask)
                os.close(read)
                child_main(self._app, self._settings, self._socks[slot], write, self.control,
                            keep_closed=[c.messages for c in self._children.values()] + [self._wake_read, self._wake],
                            metrics_folder=str(self._metrics))
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            os.close(write)
            self._children[pid] = _Child(pid, slot, read, time.monotonic())
            self._last_start = time.monotonic()

    def _read_request(self, fd: int) -> None:
        try:
            said = os.read(fd, 16)
        except OSError:
            said = b""
        with self._lock:
            child = next((c for c in self._children.values() if c.messages == fd), None)
            if child is None or child.retiring or not said:
                return
            child.retiring = True
            reason = REASONS.get(said[:1], "asked")
            self.replaced[reason] += 1
            log.info("serving process %d replaced (%s)", child.pid, reason)
            self._spawn(child.slot)

    def _reap(self) -> None:
        """Collect the serving processes that have exited (only ours: the pool's workers are
        multiprocessing's to collect); one that was not retiring is replaced."""
        for child, status in self._exited():
            if self._stopping.is_set():
                continue
            self.replaced["died"] += 1
            log.error("serving process %d died (%s); starting another", child.pid, _exit_text(status))
            pause = self._last_start + RESPAWN_PAUSE - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            with self._lock:  # a reload may have filled the slot meanwhile
                if not any(c.slot == child.slot and not c.retiring for c in self._children.values()):
                    self._spawn(child.slot)

    def _exited(self) -> list[tuple[_Child, int]]:
        """The active processes that have exited, with their wait status; retiring ones that
        have are forgotten."""
        died = []
        with self._lock:
            for pid, child in list(self._children.items()):
                try:
                    done, status = os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    done, status = pid, 0
                if not done:
                    continue
                del self._children[pid]
                os.close(child.messages)
                if not child.retiring:
                    died.append((child, status))
        return died

    def _stop_children(self) -> None:
        with self._lock:
            for child in self._children.values():
                child.retiring = True
                _signal(child.pid, signal.SIGTERM)
        wait = self._settings.query_timeout + 5
        deadline = time.monotonic() + wait
        while self._children and time.monotonic() < deadline:
            time.sleep(0.05)
            self._exited()
        if self._children:
            log.warning("serving processes still running %.0f s after the stop; killing them", wait)
            for pid in list(self._children):
                _signal(pid, signal.SIGKILL)
            while self._children:
                time.sleep(0.01)
                self._exited()


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass


def _exit_text(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    return f"exit code {os.waitstatus_to_exitcode(status)}"
