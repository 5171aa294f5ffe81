"""Fair use: a budget of query time per client, in the way Wikidata's query service does it.

Each client may spend ``budget_seconds`` of query time in any window of ``budget_window``
seconds; the time a query takes (timeouts and failures included) is charged when it ends. A
client over budget gets 429 with ``Retry-After`` (when enough of its spending will have left the
window) and a message, while every other client goes on being served. Off when the budget is 0
(the embedded default).

A client is its API token (``X-API-Key``; a token may have its own budget, ``budget_tokens``)
or else its address, as ``proxy.TrustedProxy`` has settled it (behind a trusted proxy, the
address the proxy names; an untrusted ``X-Forwarded-For`` never counts).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from ..errors import QueryError
from ..settings import Settings

TOKEN_HEADER = "X-API-Key"
TOKEN_ENVIRON = "HTTP_X_API_KEY"
#: Where a query's client is kept in the request's environ, for charging it from elsewhere.
CLIENT = "alliance_kg.client"
#: Clients remembered before the idle ones are forgotten (memory stays bounded).
MAX_CLIENTS = 10_000


class OverBudget(QueryError):
    """The client has used its query time for now."""

    status = 429

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Client:
    """Who is charged: ``key`` is ``token:...`` or ``addr:...``; ``budget`` in seconds."""

    key: str
    budget: float


def parse_tokens(text: str) -> dict[str, float]:
    """``token=seconds,token2=seconds`` (``ValueError`` names a malformed entry)."""
    tokens: dict[str, float] = {}
    for entry in (e.strip() for e in text.split(",")):
        if not entry:
            continue
        token, sep, seconds = entry.partition("=")
        try:
            if not token.strip() or not sep:
                raise ValueError(entry)
            tokens[token.strip()] = float(seconds)
        except ValueError:
            raise ValueError(f"budget_tokens entry {entry!r}: write token=seconds") from None
    return tokens


class Spending:
    """A client's charges in the window, oldest first, and their sum.

    The sum is kept as charges come and leave, not added up per check: a busy client (one API
    token for a whole portal) has tens of thousands of charges in a window, and adding them up
    on every check held the ledger's lock for a millisecond a request (the soak's normal queries
    queued behind it for seconds)."""

    __slots__ = ("charges", "total", "_free")

    def __init__(self) -> None:
        self.charges: deque[tuple[float, float]] = deque()
        self.total = 0.0
        self._free: tuple[float, float] | None = None  # (budget, when under it again)

    def add(self, at: float, seconds: float) -> None:
        self.charges.append((at, seconds))
        self.total += seconds
        self._free = None

    def under_again_at(self, budget: float, window: float) -> float:
        """When enough of the oldest charges will have left the window for the rest to be under
        ``budget`` (the total is not). Remembered until the next charge, which alone moves it
        (the charges leaving are the ones it counts on): a client over budget that asks again and
        again would otherwise walk its charges each time."""
        if self._free is None or self._free[0] != budget:
            freed, at = self.total, self.charges[-1][0]  # at the latest, when the last one leaves
            for charged, seconds in self.charges:
                freed -= seconds
                if freed < budget:
                    at = charged
                    break
            self._free = (budget, at + window)
        return self._free[1]

    def trim(self, before: float) -> None:
        """Forget the charges made at ``before`` or earlier."""
        charges = self.charges
        while charges and charges[0][0] <= before:
            self.total -= charges.popleft()[1]
        if not charges:
            self.total = 0.0  # no rounding left over from the subtractions


@dataclass
class Budgets:
    """Spending per client in a sliding window; thread-safe, one small lock."""

    budget: float
    window: float = 60.0
    tokens: dict[str, float] = field(default_factory=dict)
    _spent: dict[str, Spending] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> "Budgets":
        return cls(settings.budget_seconds, settings.budget_window, parse_tokens(settings.budget_tokens))

    @property
    def enabled(self) -> bool:
        return self.budget > 0 or bool(self.tokens)

    def client_in(self, environ: dict[str, Any]) -> Client:
        """The client of the request of ``environ``: its token's, or its address's."""
        token = environ.get(TOKEN_ENVIRON)
        if token and token in self.tokens:
            return Client("token:" + token, self.tokens[token])
        return Client("addr:" + (environ.get("REMOTE_ADDR") or "-"), self.budget)

    def check(self, client: Client, now: float | None = None) -> None:
        """Raise ``OverBudget`` if ``client`` has spent its budget in the current window."""
        if not client.budget > 0:
            return
        total, retry = self.standing(client, now)
        if retry is not None:
            raise self.over(client, total, retry)

    def standing(self, client: Client, now: float | None = None) -> tuple[float, float | None]:
        """(seconds ``client`` spent in the window, seconds until enough of it has left the
        window for the client to be under budget again: None while it is under)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            spent = self._trimmed(client.key, now)
            total = spent.total
            if total < client.budget or not spent.charges:
                return total, None
            return total, spent.under_again_at(client.budget, self.window) - now

    def over(self, client: Client, total: float, retry: float) -> OverBudget:
        return OverBudget(f"this client has used {total:.1f} s of query time in the last {self.window:g} s "
                          f"(the budget is {client.budget:g} s); please retry later",
                          retry_after=max(1, math.ceil(retry)))

    def charge(self, client: Client, seconds: float, now: float | None = None) -> None:
        if not client.budget > 0:
            return
        now = time.monotonic() if now is None else now
        with self._lock:
            self._trimmed(client.key, now).add(now, seconds)

    def flush(self) -> None:
        """Charges are booked at once here (``web.serving.RemoteBudgets`` sends them in batches)."""

    def _trimmed(self, key: str, now: float) -> Spending:
        if len(self._spent) > MAX_CLIENTS:  # forget clients with nothing left in the window
            for other in [k for k, v in self._spent.items() if not v.charges or v.charges[-1][0] <= now - self.window]:
                del self._spent[other]
        spent = self._spent.get(key)
        if spent is None:
            spent = self._spent[key] = Spending()
        spent.trim(now - self.window)
        return spent
