"""The one build step pyproject.toml cannot say: the project's sources of truth live at the top
level (``ontology/``, ``shapes/``, ``data/``, ``queries/``), and a wheel carries a copy of them
as ``alliance_kg/shipped/``, where ``settings.project_root`` finds them with importlib.resources.

An editable install (``pip install -e .``) copies nothing: the package then runs from the
checkout and ``project_root`` falls back to the checkout's folders. The sdist carries the
folders through MANIFEST.in, so a wheel built from it gets the same copy.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

#: The top-level folders a wheel ships, in the package's ``shipped/`` folder.
SHIPPED = ("ontology", "shapes", "data", "queries")


class build_py_with_project_files(build_py):
    """``build_py`` that also copies the shipped folders into the built package."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        here = Path(__file__).resolve().parent
        target = Path(self.build_lib) / "alliance_kg" / "shipped"
        for folder in SHIPPED:
            if not (here / folder).is_dir():
                raise SystemExit(f"setup.py: {here / folder} is missing; it must be shipped")
            shutil.copytree(here / folder, target / folder, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns(".*", "__pycache__"))


setup(cmdclass={"build_py": build_py_with_project_files})
