"""What serving processes share through the server, both ends: ``Control`` served by the
server on a Unix socket, and the reloader and fair-use ledger as a serving process sees them."""

from __future__ import annotations

import dataclasses
import logging
import os
import secrets
import threading
import time
from collections import Counter
from multiprocessing.managers import BaseManager
from typing import Any, Protocol

from flask import Flask

from ..admin import reloader_of
from ..fairuse import MAX_CLIENTS, Budgets, Client
from ..reloading import Outcome
from ..state import EXTENSION

log = logging.getLogger(__name__)

#: Seconds between a serving process's batches of fair-use charges to the server, and how old a
#: client's standing may be before the server is asked again (``RemoteBudgets``).
BUDGET_FLUSH, BUDGET_STALE = 0.1, 0.25


class Processes(Protocol):
    """What ``Control`` reports of the serving processes (``supervisor.Supervisor``)."""

    @property
    def pids(self) -> list[int]: ...

    replaced: Counter


class Control:
    """What serving processes ask of the server, served to them by a manager."""

    def __init__(self, app: Flask, supervisor: "Processes"):
        self._app, self._supervisor = app, supervisor

    def status(self) -> dict[str, Any]:
        return reloader_of(self._app).status() | {"serving_processes": self._supervisor.pids}

    def reload(self) -> dict[str, Any]:
        return reloader_of(self._app).reload().as_dict()

    def outcomes(self) -> dict[str, int]:
        return dict(reloader_of(self._app).outcomes)

    def replacements(self) -> dict[str, int]:
        return dict(self._supervisor.replaced)

    def budget_standing(self, key: str, budget: float, charges: list[tuple[str, float, float, float]]) -> \
            tuple[float, float | None]:
        """``charges`` (a serving process's since it last asked) booked, then ``key``'s standing."""
        self.budget_charges(charges)
        return self._budgets().standing(Client(key, budget))

    def budget_charges(self, charges: list[tuple[str, float, float, float]]) -> None:
        """(key, budget, seconds, when) charges, booked at the time they were made."""
        budgets = self._budgets()
        for key, budget, seconds, at in charges:
            budgets.charge(Client(key, budget), seconds, now=at)

    def _budgets(self) -> Budgets:
        budgets = self._app.extensions[EXTENSION].budgets
        assert budgets is not None
        return budgets


def _manager_class() -> type[BaseManager]:
    """A manager class of its own (``register`` writes to the class)."""
    return type("ControlManager", (BaseManager,), {})


class ControlServer:
    """``Control`` on a Unix socket of Linux's abstract namespace (no file to leave behind),
    with a random key every connection must prove it holds."""

    def __init__(self, control: Control):
        self.address = f"\0alliance-kg-control-{os.getpid()}-{secrets.token_hex(8)}"
        self.authkey = secrets.token_bytes(32)
        manager = _manager_class()
        manager.register("control", callable=lambda: control)
        self._server = manager(address=self.address, authkey=self.authkey).get_server()
        threading.Thread(target=self._server.serve_forever, name="alliance-kg-control", daemon=True).start()

    def connect(self) -> Any:
        """A proxy of the ``Control`` (in a serving process, after the fork)."""
        manager = _manager_class()
        manager.register("control")
        client = manager(address=self.address, authkey=self.authkey)
        client.connect()
        return client.control()  # type: ignore[attr-defined]


# -- a serving process's end ---------------------------------------------------------------------

class RemoteReloader:
    """The server's reloader as a serving process sees it: through ``Control``."""

    def __init__(self, control: Any, forked: Any):
        self._control = control
        #: The generation this process was forked with (its load time, for the metrics).
        self.current = forked.current

    def status(self) -> dict[str, Any]:
        return self._control.status()

    def reload(self) -> Outcome:
        return Outcome(**self._control.reload())

    @property
    def outcomes(self) -> Counter:
        return Counter(self._control.outcomes())


@dataclasses.dataclass
class RemoteBudgets(Budgets):
    """The fair-use ledger kept by the server, so that every serving process charges the same
    client alike (and a replaced process's charges are not forgotten). A round trip to the
    server for every check and charge cost the server a core at 400 queries a second, so charges
    are sent in batches, every ``BUDGET_FLUSH`` seconds, and a client's standing is asked again
    once it is ``BUDGET_STALE`` seconds old (meanwhile this process adds its own charges to it): a
    client may overspend by what it spends in that time.

    One thread at a time asks for a client; the others go on with the standing known until it
    answers. A busy client (a portal's API token) has requests in most threads at once, and all
    of them asked together when its standing went stale: dozens of round trips where one does,
    queued on the server's ledger and, while a reload kept the server busy, holding normal queries
    for seconds (the soak)."""

    control: Any = None
    _known: dict[str, tuple[float, float, float | None]] = dataclasses.field(default_factory=dict, repr=False)
    _pending: list[tuple[str, float, float, float]] = dataclasses.field(default_factory=list, repr=False)
    _asking: set[str] = dataclasses.field(default_factory=set, repr=False)
    _flusher: threading.Thread | None = dataclasses.field(default=None, repr=False)

    def check(self, client: Client, now: float | None = None) -> None:
        if not client.budget > 0:
            return
        now = time.monotonic() if now is None else now
        known = self._known.get(client.key)
        if known is None or now - known[0] > BUDGET_STALE or (known[2] is None and known[1] >= client.budget):
            known = self._refreshed(client, now, known)
        asked, total, retry = known
        if retry is not None:
            raise self.over(client, total, retry - (now - asked))

    def charge(self, client: Client, seconds: float, now: float | None = None) -> None:
        if not client.budget > 0:
            return
        now = time.monotonic() if now is None else now
        with self._lock:
            self._pending.append((client.key, client.budget, seconds, now))
            known = self._known.get(client.key)
            if known is not None:  # this process's own spending, until the server is asked again
                self._known[client.key] = (known[0], known[1] + seconds, known[2])
            if self._flusher is None:
                self._flusher = threading.Thread(target=self._flush_every, name="alliance-kg-budgets", daemon=True)
                self._flusher.start()

    def flush(self) -> None:
        """Send the charges not sent yet (a process about to stop)."""
        with self._lock:
            charges, self._pending = self._pending, []
        if charges:
            self.control.budget_charges(charges)

    def _refreshed(self, client: Client, now: float, known: tuple[float, float, float | None] | None) -> \
            tuple[float, float, float | None]:
        """The server's answer for ``client``, or ``known`` while another thread is asking (a
        client never asked about waits for that answer)."""
        with self._lock:
            if known is not None and client.key in self._asking:
                return known
            self._asking.add(client.key)
        try:
            return self._ask(client, now)
        finally:
            with self._lock:
                self._asking.discard(client.key)

    def _ask(self, client: Client, now: float) -> tuple[float, float, float | None]:
        with self._lock:
            charges, self._pending = self._pending, []
        total, retry = self.control.budget_standing(client.key, client.budget, charges)
        with self._lock:
            if len(self._known) > MAX_CLIENTS:
                self._known.clear()
            self._known[client.key] = known = (now, total, retry)
        return known

    def _flush_every(self) -> None:
        while True:
            time.sleep(BUDGET_FLUSH)
            try:
                self.flush()
            except Exception:  # the server gone or going: its ledger goes with it
                log.debug("budget charges not sent", exc_info=True)
