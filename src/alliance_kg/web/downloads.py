"""The bulk downloads as files: each dump written once per generation into a folder of its own,
then sent from disk.

Held as bytes, the four dumps of a million triples took some 600 MB of the HTTP process for as
long as the generation was served, and a gzip-accepting client had them compressed again on
every request. Written to a file instead (by Oxigraph as it goes, hashed and counted on the way
for the catalog), a dump costs a buffer to send, its gzip copy is written once on first demand,
and a client may resume a download (Range). The folder goes with its generation (a reload
makes a new ``AppState``) and at exit.
"""

from __future__ import annotations

import gzip
import hashlib
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Callable

from flask import Request, Response
from werkzeug.wsgi import wrap_file

from ..query.compression import GZIP_LEVEL
from ..scratch import remove_with, scratch_folder
from ..stores.dcat import Download
from .headers import accepts_gzip
from .state import AppState

#: Bytes read from a dump file at a time when sending it.
SEND_BYTES = 1024 * 1024


class _Hashing:
    """A binary file that counts and hashes what is written to it (what the catalog states)."""

    def __init__(self, handle: BinaryIO):
        self._handle, self.size, self.digest = handle, 0, hashlib.sha256()

    def write(self, data: bytes) -> int:
        self._handle.write(data)
        self.size += len(data)
        self.digest.update(data)
        return len(data)

    def flush(self) -> None:
        self._handle.flush()


@dataclass
class DumpFile:
    """One dump on disk, with what the catalog says of it."""

    path: Path
    download: Download
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def gzipped(self) -> Path:
        """Its gzip copy, written the first time a client asks for one."""
        target = self.path.with_name(self.path.name + ".gz")
        with self._lock:
            if not target.exists():
                partial = target.with_name(target.name + ".partial")
                # no time in its header (mtime 0): the same dump gives the same bytes in every
                # generation, which is what its strong tag (``strong_tag``) promises; the name in
                # it is the dump's (``gunzip -N`` restores it), not the file being written's
                with self.path.open("rb") as source, partial.open("wb") as raw, \
                        gzip.GzipFile(filename=self.path.name, fileobj=raw, mode="wb", compresslevel=GZIP_LEVEL,
                                      mtime=0) as sink:
                    shutil.copyfileobj(source, sink, SEND_BYTES)
                partial.rename(target)
        return target


def dump_file(current: AppState, name: str, media_type: str, write: Callable[[BinaryIO], None]) -> DumpFile:
    """``name`` in this generation's folder, written by ``write`` the first time it is asked for."""
    folder = _folder(current)

    def build() -> DumpFile:
        path = folder / name
        with path.open("wb") as handle:
            hashing = _Hashing(handle)
            write(hashing)  # type: ignore[arg-type]  # a binary file as far as writers go
        return DumpFile(path, Download(media_type, hashing.size, hashing.digest.hexdigest()))
    return current.cached(f"dump:{name}", build)


def _folder(current: AppState) -> Path:
    def make() -> Path:
        folder = scratch_folder("downloads")
        remove_with(current, folder)  # with its generation, or at exit
        return folder
    return current.cached("downloads-folder", make)


def strong_tag(dump: DumpFile, gzipped: bool) -> str:
    """A strong validator of exactly the bytes sent: the dump's SHA-256 (the catalog's), marked
    for its gzip copy, which is other bytes. A resumed download (Range with If-Range) must be
    compared strongly (RFC 9110, 13.1.5): a weak tag, or one shared by both encodings, would let
    a client splice the bytes of two representations."""
    return dump.download.sha256[:32] + ("-gzip" if gzipped else "")


def send(request: Request, dump: DumpFile, *, content_type: str) -> Response:
    """The file as the response (its gzip copy to a client that accepts gzip), conditional on
    its strong tag and open to Range requests."""
    gzipped = accepts_gzip(request)
    path = dump.gzipped() if gzipped else dump.path
    handle = path.open("rb")
    size = path.stat().st_size
    response = Response(wrap_file(request.environ, handle, SEND_BYTES), content_type=content_type,
                        direct_passthrough=True)
    response.content_length = size
    response.vary.add("Accept-Encoding")
    if gzipped:
        response.headers["Content-Encoding"] = "gzip"
    response.set_etag(strong_tag(dump, gzipped))
    environ = request.environ
    if environ.get("HTTP_IF_RANGE", "").lstrip().startswith("W/"):
        # a weak validator never matches in If-Range (RFC 9110, 13.1.5): the whole file, as
        # for a changed one; werkzeug would drop the W/ and compare the tag alone
        environ = {name: value for name, value in environ.items() if name not in ("HTTP_RANGE", "HTTP_IF_RANGE")}
    try:
        return response.make_conditional(environ, accept_ranges=True, complete_length=size)
    except Exception:  # a range beyond the file (416): the error handler answers, the file is closed
        response.close()
        raise
