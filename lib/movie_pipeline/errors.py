"""Errors about the pipeline's inputs and its lake that name exactly what to fix, and where."""

from __future__ import annotations

from movie_pipeline.config import PipelineError


class PipelineInputError(PipelineError, ValueError):
    """A raw file the pipeline cannot read as it is: which file, which line, what is wrong.

    The CLI prints the message alone (it is a PipelineError), for example::

        movie-pipeline: error: data/credits.csv, line 41: the file ends inside a quoted field ...

    Attributes:
        file: the file as the user knows it (a source path or a lake URI).
        line: the 1-based physical line, or None when the problem is the whole file.
        problem: what is wrong and, where it helps, what to do about it.
    """

    def __init__(self, file: str, line: int | None, problem: str):
        self.file, self.line, self.problem = str(file), line, problem
        where = self.file if line is None else f"{self.file}, line {line}"
        super().__init__(f"{where}: {problem}")

    def __reduce__(self):  # keep the three fields when pickled (Spark, multiprocessing)
        return type(self), (self.file, self.line, self.problem)


class LakeLockedError(PipelineError, RuntimeError):
    """Another run holds the lake's lock and did not release it in time."""


class UnsafeNameError(PipelineError, ValueError):
    """A file or table name that would reach outside its folder (``..``, ``/``, ``\\``)."""
