"""The package as users get it: a wheel and an sdist built from the repository's files,
installed into new virtual environments outside the repository on a PATH without Node, then
used from another folder as CI pipelines use it (the exit codes, file:line, the server and the
workbench's script); the GitHub Action's and the GitLab template's own commands; the pre-commit
hook through ``pre-commit try-repo``; and the committed workbench bundle against its sources.

Real builds and installs in subprocesses: slow (a few minutes), so each is done once per module.
pip reaches PyPI for the dependencies (its cache makes repeated runs quick).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from alliance_kg import __version__
from test_cli import BAD_CITY as BAD  # a city that breaks the shipped shapes at line 4

ROOT = Path(__file__).resolve().parents[1]
DIST = Path("src/alliance_kg/web/static/dist")

GOOD = """\
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <https://schema.org/> .

<https://w3id.org/alliance-kg/id/topic/trade>
    a schema:DefinedTerm ;
    rdfs:label "Handel"@de, "Trade"@en .
"""
BROKEN = '@prefix ex: <http://example.org/> .\nex:a ex:b "open .\n'
#: The CI recipes' shell, by absolute path: their PATH is the new venv's alone (no Node on it).
BASH = shutil.which("bash") or "/bin/bash"


def run(args: list[str], *, cwd: Path, env: dict[str, str], timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def clean_env(path: str, **extra: str) -> dict[str, str]:
    """This process's environment without anything that would let the installed package see
    the repository (PYTHONPATH, the test venv, ALLIANCE_KG_ROOT) and with ``path`` as PATH."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME") and not k.startswith("ALLIANCE_KG_")}
    env.update(PATH=path, PIP_DISABLE_PIP_VERSION_CHECK="1", **extra)
    return env


def source_copy(target: Path) -> Path:
    """The repository's files as a fresh clone would have them (tracked and new, not ignored),
    with their working contents: what the next commit ships."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


@dataclass
class Installed:
    """A virtual environment with the package installed, and a work folder outside the repo."""

    venv: Path
    work: Path

    @property
    def env(self) -> dict[str, str]:
        return clean_env(str(self.venv / "bin"))

    def run(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        return run([str(self.venv / "bin" / "alliance-kg"), *args], cwd=self.work, env=self.env, timeout=timeout)


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``python -m build`` of the repository's files: the sdist, and the wheel built from it."""
    copy = source_copy(tmp_path_factory.mktemp("clone"))
    out = tmp_path_factory.mktemp("dist")
    built = run([sys.executable, "-m", "build", "--outdir", str(out), str(copy)], cwd=copy,
                env=clean_env(os.environ["PATH"]))
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    wheel, = out.glob("alliance_kg-*.whl")
    sdist, = out.glob("alliance_kg-*.tar.gz")
    return {"wheel": wheel, "sdist": sdist, "clone": copy}


def install(what: Path, tmp: Path) -> Installed:
    venv = tmp / "venv"
    created = run([sys.executable, "-m", "venv", str(venv)], cwd=tmp, env=clean_env(os.environ["PATH"]))
    assert created.returncode == 0, created.stderr
    env = clean_env(str(venv / "bin"))
    assert shutil.which("node", path=env["PATH"]) is None and shutil.which("npm", path=env["PATH"]) is None
    done = run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(what)], cwd=tmp, env=env,
               timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    work = tmp / "work"
    work.mkdir()
    return Installed(venv, work)


@pytest.fixture(scope="module", params=["wheel", "sdist", "clone"])
def installed(request, dists, tmp_path_factory) -> Installed:
    """The wheel, the sdist, or a clone of the repository (``pip install .`` builds it in place)."""
    tmp = tmp_path_factory.mktemp(request.param)
    what = source_copy(tmp / "clone") if request.param == "clone" else dists[request.param]
    return install(what, tmp)


# -- what the distributions carry --------------------------------------------------------------------

def test_the_wheel_carries_every_source_file_and_the_bundle(dists):
    names = set(zipfile.ZipFile(dists["wheel"]).namelist())
    clone = dists["clone"]
    for folder in ("ontology", "shapes", "data", "queries"):
        files = [p for p in (clone / folder).rglob("*") if p.is_file()]
        assert files, folder
        for path in files:
            assert f"alliance_kg/shipped/{path.relative_to(clone).as_posix()}" in names
    package = clone / "src"
    for path in (package / "alliance_kg").rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            assert path.relative_to(package).as_posix() in names
    assert "alliance_kg/web/static/dist/query.js" in names


def test_the_shipped_bundle_is_what_its_sources_build_to(tmp_path):
    """The committed bundle (installs need no Node) must be rebuilt and committed with every
    front-end change: ``make bundle``. Built here in a copy, so the tree is not touched."""
    node_modules = ROOT / "frontend" / "node_modules"
    if shutil.which("node") is None or not node_modules.is_dir():
        pytest.skip("needs Node and frontend/node_modules (make setup installs them)")
    shutil.copytree(ROOT / "frontend", tmp_path / "frontend", symlinks=True)
    shutil.copytree(ROOT / "src" / "alliance_kg" / "web" / "static", tmp_path / "src" / "alliance_kg" / "web" / "static")
    built = run(["node", "build.mjs"], cwd=tmp_path / "frontend", env=dict(os.environ))
    assert built.returncode == 0, built.stderr

    def tree(root: Path) -> dict[str, bytes]:
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}

    shipped, fresh = tree(ROOT / DIST), tree(tmp_path / DIST)
    stale = sorted(set(shipped) ^ set(fresh) | {n for n in set(shipped) & set(fresh) if shipped[n] != fresh[n]})
    assert not stale, f"{DIST} is stale ({', '.join(stale[:5])}): run `make bundle` and commit it"


# -- the installed command, from a folder outside the repository ------------------------------------

def test_installed_package_reads_its_own_files(installed):
    where = run([str(installed.venv / "bin" / "python"), "-c",
                 "import alliance_kg, alliance_kg.settings as s; print(alliance_kg.__file__); print(s.project_root())"],
                cwd=installed.work, env=installed.env)
    module, root = where.stdout.split()
    assert Path(module).is_relative_to(installed.venv) and Path(root).is_relative_to(installed.venv)
    assert installed.run("--version").stdout.strip() == f"alliance-kg {__version__}"


def test_installed_validate_exit_codes(installed):
    shipped = installed.run("validate")
    assert shipped.returncode == 0, shipped.stdout[-2000:] + shipped.stderr[-2000:]
    assert "conforms" in shipped.stdout

    (installed.work / "bad.ttl").write_text(BAD, encoding="utf-8")
    bad = installed.run("validate", "bad.ttl")
    assert bad.returncode == 1
    assert "bad.ttl:4: Violation" in bad.stdout

    (installed.work / "broken.ttl").write_text(BROKEN, encoding="utf-8")
    broken = installed.run("validate", "broken.ttl")
    assert broken.returncode == 2
    assert "broken.ttl:2:" in broken.stderr and "Traceback" not in broken.stderr


def test_installed_query_of_a_shipped_example(installed):
    """The README's example query as someone who installed the package runs it: the file inside
    the package, named ``@shipped/``; the checkout's path says so."""
    answer = installed.run("query", "@shipped/queries/examples/01-members-by-country.rq", "--format", "csv")
    assert answer.returncode == 0, answer.stderr[-2000:]
    assert answer.stdout.startswith("country,name,")
    missing = installed.run("query", "queries/examples/01-members-by-country.rq")
    assert missing.returncode == 2
    assert "did you mean @shipped/queries/examples/01-members-by-country.rq?" in missing.stderr


def test_installed_validate_of_a_checkout_names_graphs_as_the_checkout_does(installed, dists):
    """The README's ``validate data/`` (and the GitHub Action's) in a clone with the package
    installed: graphs named below ``data/``, as from the checkout, so the clone's data conforms."""
    result = run([str(installed.venv / "bin" / "alliance-kg"), "validate", "data/"], cwd=dists["clone"],
                 env=installed.env)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]


@pytest.mark.parametrize("path,expect", [
    ("/", "<html"),
    ("/sparql?query=ASK%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D", '"boolean": true'),
    ("/static/dist/query.js", "import"),
])
def test_installed_server_answers(installed, path, expect):
    answer = installed.run("serve", "--get", path)
    assert answer.returncode == 0, answer.stderr[-2000:]
    assert f"GET {path}: 200" in answer.stderr
    assert expect in answer.stdout.replace('"boolean":true', '"boolean": true')


# -- the CI recipes run exactly their own commands ----------------------------------------------------

def _expand(text: str, values: dict[str, str]) -> str:
    """GitHub's ``${{ a || b }}`` for the names the action uses: the first that is set."""
    def one(match: re.Match) -> str:
        return next((values[n.strip()] for n in match.group(1).split("||") if values.get(n.strip())), "")
    return re.sub(r"\$\{\{(.*?)\}\}", one, text)


def action_steps(inputs: dict[str, str], action_path: Path) -> list[tuple[str, dict[str, str]]]:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    values = {f"inputs.{k}": str(v.get("default", "")) for k, v in action["inputs"].items()}
    values.update({f"inputs.{k}": v for k, v in inputs.items()})
    values["github.action_path"] = str(action_path)
    steps = [s for s in action["runs"]["steps"] if "run" in s]
    assert [s["shell"] for s in steps] == ["bash"] * len(steps)
    return [(s["run"], {k: _expand(str(v), values) for k, v in s.get("env", {}).items()}) for s in steps]


def test_github_action_runs_its_commands(installed, dists):
    (installed.work / "data").mkdir()
    (installed.work / "data" / "bad.ttl").write_text(BAD, encoding="utf-8")
    (installed.work / "data" / "good.ttl").write_text(GOOD, encoding="utf-8")
    outputs = installed.work / "github-output"
    results = []
    for script, step_env in action_steps({"package": str(dists["wheel"])}, dists["clone"]):
        env = {**installed.env, **step_env, "GITHUB_OUTPUT": str(outputs)}
        results.append(run([BASH, "-e", "-c", script], cwd=installed.work, env=env))
    install_step, validate_step = results
    assert install_step.returncode == 0, install_step.stderr[-2000:]
    assert validate_step.returncode == 1
    assert re.search(r"^::error file=data/bad\.ttl,line=4,", validate_step.stdout, re.M)
    assert "good.ttl" not in validate_step.stdout
    assert outputs.read_text().strip() == "sarif=alliance-kg.sarif"
    sarif = (installed.work / "alliance-kg.sarif").read_text(encoding="utf-8")
    assert '"uri": "data/bad.ttl"' in sarif and '"startLine": 4' in sarif

    (installed.work / "data" / "bad.ttl").unlink()
    _, clean = action_steps({"package": str(dists["wheel"])}, dists["clone"])
    passed = run([BASH, "-e", "-c", clean[0]], cwd=installed.work,
                 env={**installed.env, **clean[1], "GITHUB_OUTPUT": str(outputs)})
    assert passed.returncode == 0, passed.stdout + passed.stderr


def test_gitlab_template_runs_its_commands(installed, dists):
    template = yaml.safe_load((ROOT / "ci" / "alliance-kg.gitlab-ci.yml").read_text(encoding="utf-8"))
    job = template[".alliance-kg-validate"]
    (installed.work / "lab").mkdir()
    (installed.work / "lab" / "data").mkdir()
    (installed.work / "lab" / "data" / "bad.ttl").write_text(BAD, encoding="utf-8")
    variables = {**{k: str(v) for k, v in job["variables"].items()}, "AKG_PACKAGE": str(dists["wheel"]),
                 "AKG_REPORT": "junit-of-this-project.xml"}  # a project's own name for the report
    script = "\n".join(job["script"])
    result = run([BASH, "-e", "-c", script], cwd=installed.work / "lab", env={**installed.env, **variables})
    assert result.returncode == 1
    assert "data/bad.ttl:4: Violation" in result.stdout
    # the report GitLab collects is the one the script wrote, wherever AKG_REPORT puts it
    collected = re.sub(r"\$(\w+)", lambda m: variables[m[1]], job["artifacts"]["reports"]["junit"])
    assert collected == variables["AKG_REPORT"]
    report = (installed.work / "lab" / collected).read_text(encoding="utf-8")
    assert 'file="data/bad.ttl"' in report and 'line="4"' in report


# -- pre-commit -----------------------------------------------------------------------------------

def test_pre_commit_hook_passes_good_and_fails_bad_files(tmp_path):
    pre_commit = shutil.which("pre-commit", path=str(Path(sys.executable).parent))
    assert pre_commit, "pre-commit is a test dependency (pyproject's test extra)"
    repo = tmp_path / "repo"
    repo.mkdir()
    identity = {"GIT_AUTHOR_NAME": "test", "GIT_AUTHOR_EMAIL": "test@example.org",
                "GIT_COMMITTER_NAME": "test", "GIT_COMMITTER_EMAIL": "test@example.org"}
    env = clean_env(os.environ["PATH"], PRE_COMMIT_HOME=str(tmp_path / "cache"), **identity)
    env.pop("PRE_COMMIT_CONFIG", None)
    (repo / "good.ttl").write_text(GOOD, encoding="utf-8")
    (repo / "bad.ttl").write_text(BAD, encoding="utf-8")
    for command in (["git", "init", "-q"], ["git", "add", "good.ttl", "bad.ttl"]):
        assert run(command, cwd=repo, env=env).returncode == 0

    good = run([pre_commit, "try-repo", str(ROOT), "alliance-kg-validate", "--files", "good.ttl"], cwd=repo, env=env,
               timeout=1200)
    assert good.returncode == 0, good.stdout[-3000:] + good.stderr[-3000:]
    assert "Passed" in good.stdout

    bad = run([pre_commit, "try-repo", str(ROOT), "alliance-kg-validate", "--files", "good.ttl", "bad.ttl"], cwd=repo,
              env=env, timeout=600)
    assert bad.returncode == 1, bad.stdout[-3000:]
    assert "Failed" in bad.stdout and "bad.ttl:4: Violation" in bad.stdout
    assert "good.ttl:" not in bad.stdout
