"""The README's layout tree is the map of the library: every module in it, each once."""

from __future__ import annotations

import re
from pathlib import Path

import movie_pipeline

REPO = Path(__file__).resolve().parents[1]
PACKAGE = Path(movie_pipeline.__file__).resolve().parent


def _tree() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    layout = readme[readme.index("## Layout") :]
    return layout[layout.index("```") + 3 : layout.index("```", layout.index("```") + 3)]


def _named(tree: str) -> list[str]:
    """Paths the tree names, relative to lib/movie_pipeline (a module, or a folder with /)."""
    named, folder = [], ""
    for line in tree.splitlines():
        m = re.match(r"^( *)([^\s,]+(?:, [^\s,]+)*)", line)
        if not m or not line.startswith("  ") or line.startswith(" " * 20):
            continue
        depth = len(m.group(1)) // 2
        for item in m.group(2).split(", "):
            if depth == 1:
                folder = item if item.endswith("/") else ""
                named.append(item)
            elif depth == 2 and folder:
                named.append(folder + item)
    return named


def test_every_module_of_the_library_is_in_the_readme_tree_once():
    named = _named(_tree())
    modules = sorted(
        p.relative_to(PACKAGE).as_posix()
        for p in PACKAGE.rglob("*.py")
        if p.name != "__init__.py" and "generator" not in p.relative_to(PACKAGE).parts
    )
    missing = [m for m in modules if m not in named]
    twice = sorted({n for n in named if named.count(n) > 1})
    assert not missing, f"modules missing from the README's layout tree: {missing}"
    assert not twice, f"named more than once in the README's layout tree: {twice}"
    # The generator is one folder in the tree (it is the CLI's, never shipped to Glue).
    assert "generator/" in named


def test_the_tree_names_no_module_that_does_not_exist():
    gone = [n for n in _named(_tree()) if n.endswith(".py") and not (PACKAGE / n).is_file()]
    assert not gone, f"the README's layout tree names modules that do not exist: {gone}"
