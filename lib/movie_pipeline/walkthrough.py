"""The notebook helper: resolve a notebook's parameters, hide machine paths, show dataclasses, read checks."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from movie_pipeline.config import Settings, load_settings
from movie_pipeline.etl.engine import in_glue


def repo_root(start: str | Path | None = None) -> Path:
    """The repository root: the nearest folder, from ``start`` up, that holds ``pyproject.toml``.

    Papermill runs a notebook in ``notebooks/``; Glue runs it somewhere with no repository at
    all, in which case ``start`` itself (default: the working directory) is returned.
    """
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").is_file() and (folder / "lib" / "movie_pipeline").is_dir():
            return folder
    return here


def resolve(path: str | Path, root: str | Path | None = None) -> Path:
    """``path`` if absolute, else ``path`` under the repository root (``~`` is expanded)."""
    path = Path(path).expanduser()
    return path if path.is_absolute() else repo_root(root) / path


def relabel(text: str, labels: dict[str, str]) -> str:
    """Replace each absolute folder in ``text`` by its label, longest folder first.

    Examples:
        >>> relabel("wrote /home/ana/lake/raw", {"/home/ana/lake": "LAKE_DIR"})
        'wrote LAKE_DIR/raw'
    """
    for folder in sorted(labels, key=len, reverse=True):
        text = text.replace(folder, labels[folder])
    return text


class _Relabelled:
    """A text stream that writes through to another one with machine paths relabelled."""

    def __init__(self, stream, labels: dict[str, str]) -> None:
        self._stream = stream
        self.labels = labels

    def write(self, text: str) -> int:
        self._stream.write(relabel(text, self.labels))
        return len(text)

    def isatty(self) -> bool:
        return False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def hide_machine_paths(labels: dict[str, str]) -> None:
    """Relabel absolute folders in everything printed from now on (stdout and stderr).

    The lib's progress lines name the lake and output folders; in an executed notebook that is
    shared or exported to HTML they would show where the repository sits on this machine.
    Calling it again replaces the labels.
    """
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if isinstance(stream, _Relabelled):
            stream.labels = labels
        else:
            setattr(sys, name, _Relabelled(stream, labels))


@dataclass(frozen=True)
class Walkthrough:
    """One notebook's view of the run: the settings and the three folders it works with.

    Attributes:
        settings: backend, bucket, database, ... (``config.Settings``).
        source: the folder of raw Kaggle CSV files.
        outputs: where executed notebooks, charts (PNG), results (CSV) and checks (JSON) go.
        root: the repository root that relative paths were resolved against.
    """

    settings: Settings
    source: Path
    outputs: Path
    root: Path

    @property
    def labels(self) -> dict[str, str]:
        """Absolute folders and the names a learner knows them by (the parameters' names)."""
        labels = {}
        for folder, label in (
            (Path.home(), "~"),
            (self.root, "."),
            (self.outputs, "OUTPUT_DIR"),
            (self.source, "SOURCE_DIR"),
            (self.settings.lake_dir, "LAKE_DIR"),
        ):
            for form in {str(folder), str(folder.resolve())}:
                if form not in ("/", "") and len(form) > 1:
                    labels[form] = label
        return labels

    def short(self, path: str | Path) -> str:
        """A path as the learner should read it: ``LAKE_DIR/movie-analytics-lake/raw``."""
        return relabel(str(path), self.labels)

    @property
    def checks_dir(self) -> Path:
        return self.outputs / "checks"

    def describe(self):
        """The settings that matter for this run, one per row, paths relabelled."""
        import pandas as pd

        s = self.settings
        # In a Glue session nothing is read from or kept on the driver's disk: no folders.
        rows = {
            "backend": s.backend,
            "source folder": "-" if in_glue() else self.short(self.source),
            "bucket": f"s3://{s.bucket}" if s.backend == "aws" else self.short(s.bucket_root),
            "raw data": self.short(s.raw_uri()),
            "cleaned data": self.short(s.cleaned_uri()),
            "catalog": f"Glue database {s.database}"
            if s.backend == "aws"
            else f"DuckDB {self.short(s.catalog_path)}",
            "query engine": f"Athena, workgroup {s.workgroup}" if s.backend == "aws" else "DuckDB",
            "region": s.region if s.backend == "aws" else "(offline)",
            "outputs": "-" if in_glue() else self.short(self.outputs),
        }
        return pd.DataFrame({"setting": list(rows), "value": list(rows.values())})


def start(
    backend: str = "local",
    source: str | Path = "data_samples",
    lake: str | Path = "outputs/lake",
    outputs: str | Path = "outputs",
    **settings: Any,
) -> Walkthrough:
    """Resolve a notebook's parameters into a Walkthrough and hide machine paths in its output.

    Args:
        backend: ``"local"`` (offline) or ``"aws"``. The Glue-kernel notebook passes
            ``"aws"``: a session's local disk is no lake, the data is in S3.
        source: the raw CSV folder; relative paths are under the repository root.
        lake: the local lake folder (local backend).
        outputs: the output folder.
        **settings: other ``config.Settings`` fields (``bucket``, ``database``, ``region``,
            ...); ``None`` falls through to ``MOVIES_*`` environment variables, then defaults.

    Returns:
        A Walkthrough.

    Examples:
        >>> start("local", "data_samples", "/tmp/lake", "/tmp/out").settings.backend
        'local'
    """
    root = repo_root()
    params = {"backend": backend, "lake_dir": resolve(lake, root)}
    params.update(settings)
    run = Walkthrough(load_settings(params), resolve(source, root), resolve(outputs, root), root)
    hide_machine_paths(run.labels)
    show_whole_cells()
    return run


def show_whole_cells(width: int = 120) -> None:
    """Let tables show a reason or a SQL value whole (pandas cuts cells at 50 characters)."""
    import pandas as pd

    pd.set_option("display.max_colwidth", width)


def load_checks(outputs: str | Path) -> dict[str, dict]:
    """The values each notebook's final check cell saved (``<outputs>/checks/NN.json``)."""
    folder = Path(outputs) / "checks"
    if not folder.is_dir():
        return {}
    return {
        p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))
    }


def frame(items, drop: tuple[str, ...] | list[str] = ()):
    """A list of dataclass instances (``upload.Uploaded``, ...) as a DataFrame, minus ``drop``."""
    import dataclasses

    import pandas as pd

    rows = [dataclasses.asdict(item) for item in items]
    return pd.DataFrame(rows).drop(columns=list(drop), errors="ignore")
