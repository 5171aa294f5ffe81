"""The server's memory allocator (``alliance_kg.cli.allocator``): which library a choice names, and
a real ``serve`` that executes itself again with it preloaded, in every one of its processes."""

from __future__ import annotations

import ctypes.util
import os
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
import requests

from alliance_kg.cli.allocator import MARK, library_for, preload, replacement
from alliance_kg.errors import InputError
from tests.server import ENDPOINT_DATA, run_to_exit, start

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="LD_PRELOAD and /proc are Linux's")


@pytest.fixture(scope="module")
def mimalloc() -> str:
    found = ctypes.util.find_library("mimalloc")
    if found is None:
        pytest.skip("libmimalloc not installed (apt-get install libmimalloc2.0; make system-deps installs it)")
    return found


def test_system_leaves_the_interpreters_allocator():
    assert library_for("system") is None


def test_auto_and_mimalloc_name_mimalloc(mimalloc: str):
    assert library_for("auto") == library_for("mimalloc") == mimalloc


def test_a_named_allocator_that_is_not_installed_is_refused(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None)
    assert library_for("auto") is None  # auto falls back to the system's
    with pytest.raises(InputError, match=r"libjemalloc is not installed \(Debian: apt-get install libjemalloc2\)"):
        library_for("jemalloc")


@pytest.mark.parametrize("choice", ["bogus", "libmimalloc.so.2", ""])
def test_a_choice_that_names_no_library_is_refused(choice: str):
    with pytest.raises(InputError, match="use auto, system, mimalloc, jemalloc or the absolute path"):
        library_for(choice)


def test_a_path_that_is_no_shared_library_is_refused_saying_why(tmp_path: Path):
    """An absolute path is what was asked for: the message says what is wrong with the file."""
    text = tmp_path / "notes.txt"
    text.write_text("not a library", encoding="utf-8")
    for path, why in [("/no/such/libmalloc.so", "no such file"), (str(tmp_path), "a folder, not a shared library"),
                      (str(text), "not a shared library (no ELF file)")]:
        with pytest.raises(InputError) as refused:
            library_for(path)
        assert str(refused.value) == f"--allocator {path!r}: {why}"


def test_a_library_given_by_path_is_taken(tmp_path: Path):
    library = tmp_path / "libmine.so"
    library.write_bytes(b"\x7fELF")  # the loader's judgement comes later: preload
    assert library_for(str(library)) == str(library)


def test_the_replacement_is_read_from_a_memory_map(tmp_path: Path):
    maps = tmp_path / "maps"
    system = ("55d0c0a00000-55d0c0a2e000 r--p 00000000 08:01 1234 /usr/bin/python3.11\n"
              "7f1e2c000000-7f1e2c021000 rw-p 00000000 00:00 0 \n"
              "7f1e2d400000-7f1e2d428000 r--p 00000000 08:01 99 /usr/lib/x86_64-linux-gnu/libc.so.6\n")
    maps.write_text(system)
    assert replacement(maps) is None
    maps.write_text(system + "7f1e2e000000-7f1e2e010000 r-xp 00001000 08:01 42 "
                             "/usr/lib/x86_64-linux-gnu/libmimalloc.so.2.0\n")
    assert replacement(maps) == "/usr/lib/x86_64-linux-gnu/libmimalloc.so.2.0"
    assert replacement(tmp_path / "missing") is None


class _Executed(Exception):
    pass


def test_serve_executes_itself_with_the_library_first_in_ld_preload(monkeypatch: pytest.MonkeyPatch, mimalloc: str):
    calls = []

    def execve(path, argv, env):
        calls.append((path, argv, env))
        raise _Executed

    monkeypatch.setattr(os, "execve", execve)
    monkeypatch.setattr("alliance_kg.cli.allocator.replacement", lambda **kwargs: None)  # nothing preloaded yet
    monkeypatch.delenv(MARK, raising=False)
    for given, expected in (("", mimalloc), ("/opt/else/libtrace.so", f"{mimalloc}:/opt/else/libtrace.so")):
        monkeypatch.setenv("LD_PRELOAD", given)
        with pytest.raises(_Executed):
            preload("auto")
        path, argv, env = calls.pop()
        assert path == sys.executable and argv == [sys.executable, *sys.orig_argv[1:]]
        assert env["LD_PRELOAD"] == expected and env[MARK] == given
        assert os.environ.get("LD_PRELOAD") == given  # this process's own environment is left alone


def test_serve_goes_on_when_it_cannot_execute_itself(monkeypatch: pytest.MonkeyPatch, mimalloc: str,
                                                      caplog: pytest.LogCaptureFixture):
    def execve(path, argv, env):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "execve", execve)
    monkeypatch.setattr("alliance_kg.cli.allocator.replacement", lambda **kwargs: None)
    monkeypatch.delenv(MARK, raising=False)
    allocator = preload("mimalloc")
    assert allocator.in_use is None and "Permission denied" in str(allocator.problem)
    assert not caplog.text  # logging is not set up yet when serve preloads: it reports later
    allocator.report()
    assert "Permission denied" in caplog.text and "the system's malloc" in caplog.text


def test_serve_executes_itself_before_it_imports_the_web_layer(mimalloc: str):
    """Only the command line's imports are done twice: the web layer (Flask, granian, the app)
    is imported once, by the executed process."""
    script = ("import os, sys\n"
              "def execve(path, argv, env):\n"
              "    print(sorted(m for m in sys.modules if m.startswith(('alliance_kg.web', 'flask', 'granian'))))\n"
              "    sys.stdout.flush()\n"
              "    os._exit(0)\n"
              "os.execve = execve\n"
              "from alliance_kg.cli import main\n"
              "main(['serve', '--allocator', 'mimalloc'])\n")
    env = {name: value for name, value in os.environ.items() if name not in (MARK, "LD_PRELOAD")}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def _executed(preloaded: str, given: str) -> list[str]:
    """What ``preload`` returns in a process executed as ``serve`` executes itself, and its
    LD_PRELOAD and mark afterwards; the process's stderr last."""
    script = ("import logging, os; logging.basicConfig(); from alliance_kg.cli.allocator import preload; "
              "allocator = preload('auto'); allocator.report(); print(allocator.in_use); "
              "print(os.environ.get('LD_PRELOAD')); "
              "print(os.environ.get('" + MARK + "'))")
    env = dict(os.environ, LD_PRELOAD=preloaded, **{MARK: given})
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    return [*done.stdout.splitlines(), done.stderr]


def test_the_executed_process_gives_its_environment_back(mimalloc: str):
    """The process ``serve`` executes again finds the allocator mapped and takes LD_PRELOAD
    back to what it was given, so that programs it starts do not inherit the allocator."""
    for given in ("", "/opt/else/libtrace.so"):
        in_use, preload_after, mark_after, _ = _executed(mimalloc, given)
        assert "libmimalloc" in in_use
        assert preload_after == (given or "None") and mark_after == "None"


def test_a_library_given_by_path_is_found_mapped_by_its_path(mimalloc: str):
    path = _executed(mimalloc, "")[0]  # where the loader found the library by its name
    assert os.path.isabs(path)
    assert library_for(path) == path
    assert _executed(path, "")[0] == path


def test_a_library_the_loader_ignores_leaves_the_system_allocator(tmp_path: Path):
    broken = tmp_path / "libbroken.so"
    broken.write_bytes(b"not a shared object")
    in_use, preload_after, _, stderr = _executed(str(broken), "")
    assert in_use == "None" and preload_after == "None"
    assert "cannot be preloaded" in stderr  # the loader's own word
    assert f"{broken} could not be preloaded" in stderr and "the system's malloc" in stderr


def _allocators(pid: int) -> dict[int, str | None]:
    """The malloc replacement of ``pid`` and of each of its child processes."""
    pids = [pid, *(child.pid for child in psutil.Process(pid).children())]
    return {p: replacement(Path(f"/proc/{p}/maps")) for p in pids}


@pytest.mark.parametrize("backend", ["memory", "rdflib"])
def test_serve_runs_every_process_on_mimalloc(tmp_path: Path, mimalloc: str, backend: str):
    """The same process (the pid the caller started) runs on mimalloc, and so do the processes
    it forks (serving processes for Oxigraph, query workers for rdflib)."""
    server = start(tmp_path, "--store", backend)
    try:
        answer = requests.get(server.sparql, params={"query": "ASK { ?s ?p ?o }"},
                              headers={"Accept": "application/sparql-results+json"}, timeout=10)
        assert answer.status_code == 200 and answer.json()["boolean"] is True
        allocators = _allocators(server.process.pid)
        assert len(allocators) >= 3, allocators  # the server and at least two processes it forked
        assert all(found is not None and "libmimalloc" in found for found in allocators.values()), allocators
        assert "memory allocator: libmimalloc" in server.output()
    finally:
        assert server.stop() == 0


def test_serve_with_the_system_allocator_preloads_nothing(tmp_path: Path, mimalloc: str):
    server = start(tmp_path, "--allocator", "system")
    try:
        assert requests.get(server.url + "/readyz", timeout=10).status_code == 200
        allocators = _allocators(server.process.pid)
        assert len(allocators) >= 3 and set(allocators.values()) == {None}, allocators
        assert "memory allocator: the system's malloc" in server.output()
    finally:
        assert server.stop() == 0


def test_a_wrong_allocator_is_refused_before_anything_is_loaded(tmp_path: Path):
    result = run_to_exit(tmp_path, "--allocator", "tcmalloc")
    assert result.returncode == 2
    assert "--allocator 'tcmalloc': use auto, system, mimalloc, jemalloc" in result.stderr
    assert "Traceback" not in result.stderr and "serving" not in result.stderr


def test_a_wrong_allocator_is_refused_by_the_smoke_request_too(tmp_path: Path):
    """``serve --get`` preloads nothing for its one request, but takes the same flags as serve:
    a value that serve would refuse is refused there too (a deployment's check in CI)."""
    result = run_to_exit(tmp_path, "--allocator", "tcmalloc", "--get", "/healthz")
    assert result.returncode == 2
    assert "--allocator 'tcmalloc': use auto, system" in result.stderr and "Traceback" not in result.stderr
    accepted = run_to_exit(tmp_path, "--data", str(ENDPOINT_DATA), "--allocator", "system", "--get", "/healthz")
    assert accepted.returncode == 0, accepted.stderr


# --- load: the same preload, for its peak (the module's docstring has the runs) ---


def _load_script(folder: Path, *flags: str) -> str:
    """A ``load`` of the shipped graph into ``folder`` that prints, as it exits, the malloc
    replacement its process ran on: the executed process runs the same script."""
    return ("import atexit, sys\n"
            "from alliance_kg.cli.allocator import replacement\n"
            "atexit.register(lambda: print('allocator:', replacement()))\n"
            "from alliance_kg.cli import main\n"
            f"sys.exit(main(['load', '--store', 'oxigraph:{folder}', *{list(flags)!r}]))\n")


def _clean_env() -> dict[str, str]:
    return {name: value for name, value in os.environ.items()
            if name not in (MARK, "LD_PRELOAD", "ALLIANCE_KG_ALLOCATOR")}


def test_load_executes_itself_before_it_reads_anything(tmp_path: Path, mimalloc: str):
    """Only the command line's imports are done twice: the app, the web layer and the data are
    read by the executed process alone, which gets the library first in LD_PRELOAD."""
    script = ("import os, sys\n"
              "def execve(path, argv, env):\n"
              "    print(sorted(m for m in sys.modules if m.startswith(('alliance_kg.app', 'alliance_kg.web', 'flask'))))\n"
              "    print(env['LD_PRELOAD'])\n"
              "    sys.stdout.flush()\n"
              "    os._exit(0)\n"
              "os.execve = execve\n"
              "from alliance_kg.cli import main\n"
              f"main(['load', '--store', 'oxigraph:{tmp_path / 'store'}'])\n")
    done = subprocess.run([sys.executable, "-c", script], env=_clean_env(), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["[]", mimalloc]
    assert not (tmp_path / "store").exists()


@pytest.mark.parametrize("flags, expected", [((), "libmimalloc"), (("--allocator", "system"), "None")])
def test_load_runs_on_mimalloc_unless_told_otherwise(tmp_path: Path, mimalloc: str, flags, expected):
    folder = tmp_path / "store"
    done = subprocess.run([sys.executable, "-c", _load_script(folder, *flags)], env=_clean_env(),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "triples in" in lines[0] and str(folder) in lines[0]  # loaded, and said so once
    assert len(lines) == 2 and lines[1].startswith("allocator: ") and expected in lines[1]


def test_a_wrong_allocator_is_refused_by_load_before_anything_is_read(tmp_path: Path):
    folder = tmp_path / "store"
    done = subprocess.run([sys.executable, "-m", "alliance_kg.cli", "load", "--store", f"oxigraph:{folder}",
                           "--allocator", "tcmalloc"], env=_clean_env(), capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "--allocator 'tcmalloc': use auto, system, mimalloc, jemalloc" in done.stderr
    assert "Traceback" not in done.stderr and not folder.exists()


def test_build_is_not_preloaded(tmp_path: Path, mimalloc: str):
    """Its peak was higher on mimalloc: build runs on the allocator it was started with."""
    script = ("import os, sys\n"
              "def execve(path, argv, env):\n"
              "    raise AssertionError('build executed itself again')\n"
              "os.execve = execve\n"
              "from alliance_kg.cli import main\n"
              f"sys.exit(main(['build', '--out', '{tmp_path / 'out'}']))\n")
    done = subprocess.run([sys.executable, "-c", script], env=_clean_env(), capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "alliance-kg.trig").is_file()
