"""The reconciliation report: every raw row accounted for, every exploded row counted, or a loud failure."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from movie_pipeline.config import PipelineError

# Where the ETL saves the report: ``<bucket>/reports/reconciliation.json``. Not a setting: the
# Glue role's policy and teardown name this prefix (``aws.iam.project_prefixes``).
REPORTS_PREFIX = "reports"
REPORT_NAME = "reconciliation.json"
REPORT_KEY = f"{REPORTS_PREFIX}/{REPORT_NAME}"


class ReconciliationError(PipelineError, RuntimeError):
    """The cleaned tables do not add up to the raw files (the report says where)."""


@dataclass
class TableCount:
    """A cleaned table: rows written against the rows the staged data says it must hold."""

    rows: int
    expected: int
    rule: str
    path: str = ""
    bytes: int = 0


@dataclass
class DatasetReconciliation:
    """One raw dataset from file to tables.

    The identities checked:

    * ``raw_records`` (counted without the CSV parser) = ``read_records`` (Spark's CSV reader);
    * ``read_records`` = ``clean`` + ``quarantined`` + ``duplicates_removed``
      + ``split_halves_merged``;
    * each table's rows = its expected count (the kept rows, or the sum of the kept rows' list
      lengths for an exploded table).
    """

    dataset: str
    source: str
    raw_records: int
    count_method: str
    read_records: int
    clean: int
    quarantined: int
    duplicates_removed: int
    split_halves_merged: int = 0
    rows_retried: int = 0
    blank_cells: dict[str, int] = field(default_factory=dict)
    unbalanced_quote_lines: int = 0
    raw_bytes: int = 0
    seconds: float = 0.0
    tables: dict[str, TableCount] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def cleaned_bytes(self) -> int:
        return sum(t.bytes for t in self.tables.values())

    def failures(self) -> list[str]:
        """The identities that do not hold, as sentences (empty when everything adds up)."""
        out = []
        if self.raw_records != self.read_records:
            out.append(
                f"{self.dataset}: {self.raw_records:,} records in the file ({self.count_method}) "
                f"but Spark's CSV reader returned {self.read_records:,}: the file is misaligned"
            )
        accounted = (
            self.clean + self.quarantined + self.duplicates_removed + self.split_halves_merged
        )
        if accounted != self.read_records:
            out.append(
                f"{self.dataset}: {self.read_records:,} rows read but clean {self.clean:,} + "
                f"quarantined {self.quarantined:,} + duplicates removed "
                f"{self.duplicates_removed:,} + split halves merged "
                f"{self.split_halves_merged:,} = {accounted:,}"
            )
        for name, t in self.tables.items():
            if t.rows != t.expected:
                out.append(f"{name}: {t.rows:,} rows written, {t.expected:,} expected ({t.rule})")
        return out

    def as_dict(self) -> dict:
        d = asdict(self)
        d["cleaned_bytes"] = self.cleaned_bytes
        d["ok"] = not self.failures()
        d["failures"] = self.failures()
        return d


@dataclass
class Reconciliation:
    """The whole run: one entry per dataset processed, and the datasets skipped with why."""

    datasets: dict[str, DatasetReconciliation] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(not d.failures() for d in self.datasets.values())

    def failures(self) -> list[str]:
        return [f for d in self.datasets.values() for f in d.failures()]

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "datasets": {k: v.as_dict() for k, v in self.datasets.items()},
            "skipped": self.skipped,
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2, ensure_ascii=False)

    def check(self) -> None:
        """Raise ReconciliationError listing every identity that does not hold."""
        if not self.ok:
            raise ReconciliationError("the ETL does not add up:\n  " + "\n  ".join(self.failures()))

    def render(self) -> str:
        """A plain-text table of the report, for the terminal."""
        head = (f"{'dataset':<16}{'raw':>10}{'read':>10}{'clean':>10}{'quarant.':>10}"
                f"{'dupes':>8}{'merged':>8}  {'MB raw -> parquet':<18} ok")  # fmt: skip
        lines = [head, "-" * len(head)]
        for d in self.datasets.values():
            mb = f"{d.raw_bytes / 1e6:.1f} -> {d.cleaned_bytes / 1e6:.1f}"
            lines.append(
                f"{d.dataset:<16}{d.raw_records:>10,}{d.read_records:>10,}{d.clean:>10,}"
                f"{d.quarantined:>10,}{d.duplicates_removed:>8,}{d.split_halves_merged:>8,}  "
                f"{mb:<18} {'yes' if not d.failures() else 'NO'}"
            )
            for name, t in d.tables.items():
                mark = "=" if t.rows == t.expected else "!="
                lines.append(f"  {name:<28}{t.rows:>10,} rows {mark} {t.expected:,} ({t.rule})")
        for name, why in self.skipped.items():
            lines.append(f"{name:<16}skipped: {why}")
        return "\n".join(lines)
