"""The tested environment is the lock: the installed packages, pyproject.toml and the README agree with it."""

from __future__ import annotations

import re
import sysconfig
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

REPO = Path(__file__).resolve().parents[1]
LOCK = REPO / "requirements" / "lock.txt"
PROJECT = "movie-pipeline"
# The README's tested-versions table names these (the list: Spark, boto3/botocore, moto, DuckDB).
README_PINS = ("pyspark", "boto3", "botocore", "moto", "duckdb", "awswrangler", "pyarrow")


def read_lock(text: str) -> dict[str, tuple[str, Marker | None]]:
    """`name==version ; marker` lines of a pip requirements lock -> {name: (version, marker)}.

    A name can appear twice with exclusive markers (uv's universal lock forks on Python version);
    only the entry whose marker holds here is kept.
    """
    pins: dict[str, tuple[str, Marker | None]] = {}
    for line in text.splitlines():
        if not line or line[0] in " #-":
            continue
        req = Requirement(line.rstrip(" \\"))
        (spec,) = req.specifier
        assert spec.operator == "==", f"not an exact pin in the lock: {line}"
        if req.marker is None or req.marker.evaluate():
            pins[canonicalize_name(req.name)] = (spec.version, req.marker)
    return pins


def installed_packages() -> dict[str, str]:
    """The distributions installed in this environment's site-packages.

    Not all of ``sys.path``: an import can add folders to it. PySpark's Arrow conversion
    imports ``distutils``, which loads setuptools, which puts its vendored packages
    (packaging, wheel, ...) on ``sys.path``, and they are not installed packages.
    """
    site = sorted({sysconfig.get_path("purelib"), sysconfig.get_path("platlib")})
    return {
        canonicalize_name(d.metadata["Name"]): d.version for d in metadata.distributions(path=site)
    }


def differences(locked: dict[str, str], installed: dict[str, str]) -> list[str]:
    """What keeps `installed` from being exactly `locked` (the project itself aside), one line each."""
    problems = []
    for name, version in sorted(locked.items()):
        if name not in installed:
            problems.append(f"{name}: locked {version}, not installed")
        elif Version(installed[name]) != Version(version):
            problems.append(f"{name}: locked {version}, installed {installed[name]}")
    for name in sorted(set(installed) - set(locked) - {PROJECT}):
        problems.append(f"{name}: installed {installed[name]}, not in the lock")
    return problems


@pytest.fixture(scope="module")
def lock() -> dict[str, str]:
    return {name: version for name, (version, _) in read_lock(LOCK.read_text()).items()}


def test_the_installed_environment_is_exactly_the_lock(lock):
    problems = differences(lock, installed_packages())
    assert not problems, (
        "the environment differs from requirements/lock.txt; rebuild it with "
        "`rm -rf .venv && make setup`:\n  " + "\n  ".join(problems)
    )


def test_a_drifted_environment_is_reported_by_package_name():
    locked = {"botocore": "1.44.8", "moto": "5.2.6", "duckdb": "2.0.1"}
    installed = {"botocore": "1.44.18", "moto": "5.2.6", "tqdm": "4.67.1", PROJECT: "0.1.0"}
    assert differences(locked, installed) == [
        "botocore: locked 1.44.8, installed 1.44.18",
        "duckdb: locked 2.0.1, not installed",
        "tqdm: installed 4.67.1, not in the lock",
    ]
    assert (
        differences(
            locked | {"tqdm": "4.67.1", "duckdb": "2.0.1"},
            installed | {"duckdb": "2.0.1", "botocore": "1.44.8"},
        )
        == []
    )


def test_a_forked_lock_keeps_the_entry_for_this_python():
    text = (
        "numpy==2.4.6 ; python_full_version < '3.12' \\\n    --hash=sha256:aa\n"
        "numpy==2.5.5 ; python_full_version >= '3.12' \\\n    --hash=sha256:bb\n"
        "pywin32==312 ; sys_platform == 'win32' \\\n"
        "six==1.17.0 \\\n    # via python-dateutil\n"
    )
    pins = {name: version for name, (version, _) in read_lock(text).items()}
    assert pins == {"numpy": "2.4.6", "six": "1.17.0"}  # the suite runs on 3.11, Linux


def test_the_lock_satisfies_every_requirement_of_pyproject(lock):
    """A dependency added to pyproject.toml without `make lock` fails here, by name."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        requirements += extra
    problems = []
    for line in requirements:
        req = Requirement(line)
        name = canonicalize_name(req.name)
        if name == PROJECT:
            continue  # movie-pipeline[notebooks]: the extra is checked on its own
        if name not in lock:
            problems.append(f"{req}: not in the lock")
        elif not req.specifier.contains(lock[name], prereleases=True):
            problems.append(f"{req}: the lock has {lock[name]}")
    assert not problems, "run `make lock`:\n  " + "\n  ".join(problems)


def test_the_readme_states_the_tested_versions(lock):
    readme = (REPO / "README.md").read_text()
    for name in README_PINS:
        found = re.search(rf"\|\s*{re.escape(name)}\s*\|\s*([0-9][^ |]*)\s*\|", readme)
        assert found, f"the README's tested-versions table has no row for {name}"
        assert found.group(1) == lock[name], (
            f"README says {name} {found.group(1)}, the lock has {lock[name]}"
        )
