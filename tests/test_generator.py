"""The sample generator against the real files: headers, literals, quoting, quirks, statistics."""

from __future__ import annotations

import ast
import csv
import os
import random
import re
import shlex
import statistics
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from movie_pipeline.cli import main as cli_main
from movie_pipeline.generator import FILES, generate
from movie_pipeline.generator.__main__ import main
from movie_pipeline.generator.faults import FAULTS
from movie_pipeline.generator.people import Pool
from movie_pipeline.generator.plan import _IMDB_KNOTS, _Ids, _interp

csv.field_size_limit(1 << 30)
REPO = Path(__file__).resolve().parents[1]
REALDATA = Path(
    os.environ.get(
        "MOVIES_REALDATA_DIR", Path(__file__).resolve().parents[2] / "shared" / "realdata"
    )
)
SAMPLE_MOVIES, SAMPLE_SEED = 300, 42  # what data_samples/ holds (see data_samples/README.md)
REAL_OF = {
    "credits.csv": "credits_head.csv",
    "keywords.csv": "keywords_head.csv",
    "movies_metadata.csv": "movies_metadata_head.csv",
    "links.csv": "links.csv",
    "links_small.csv": "links_small.csv",
    "ratings_small.csv": "ratings_small.csv",
}
# (file, column) of every nested cell kind, named as the test reports them.
NESTED = {
    "cast": ("credits.csv", "cast"),
    "crew": ("credits.csv", "crew"),
    "keywords": ("keywords.csv", "keywords"),
    "belongs_to_collection": ("movies_metadata.csv", "belongs_to_collection"),
    "genres": ("movies_metadata.csv", "genres"),
    "production_companies": ("movies_metadata.csv", "production_companies"),
    "production_countries": ("movies_metadata.csv", "production_countries"),
    "spoken_languages": ("movies_metadata.csv", "spoken_languages"),
}


def read(path: Path) -> list[dict[str, str]]:
    """All rows of a CSV file as dicts, read the way pandas or Spark would (quoted newlines)."""
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def records(rows: list[dict[str, str]], file: str) -> list[dict[str, str]]:
    """Metadata rows minus the 3 split records (stub and shifted halves both lack ``video``)."""
    return [r for r in rows if file != "movies_metadata.csv" or r["video"]]


def dicts(cell: str) -> list[dict]:
    """The dicts in a nested cell: a list literal, a single dict, or none for an empty field."""
    value = ast.literal_eval(cell) if cell else []
    return value if isinstance(value, list) else [value]


@pytest.fixture(scope="module")
def real() -> Path:
    """The real heads and samples in ../shared/realdata, or skip."""
    if not REALDATA.is_dir():
        if os.environ.get("CI"):  # CI must have the real files: fail instead of skipping
            pytest.fail(f"real reference data not found at {REALDATA}")
        pytest.skip(f"real reference data not found at {REALDATA}")
    return REALDATA


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> dict[str, Path]:
    """3,000 movies: enough for stable statistics, still a few seconds."""
    out = tmp_path_factory.mktemp("gen3000")
    return {name: Path(i["path"]) for name, i in generate(out, 3000, 7, progress=False).items()}


@pytest.fixture(scope="module")
def parsed(big) -> dict[str, list[dict[str, str]]]:
    """Every generated file of ``big``, read as dicts."""
    return {name: read(path) for name, path in big.items()}


@pytest.fixture(scope="module")
def cells(parsed):
    """``cells(file, column)``: that column parsed with literal_eval, once per module (it is slow)."""
    cache: dict[tuple[str, str], list[list[dict]]] = {}

    def get(file: str, column: str) -> list[list[dict]]:
        if (file, column) not in cache:
            cache[file, column] = [dicts(r[column]) for r in records(parsed[file], file)]
        return cache[file, column]

    return get


@pytest.mark.parametrize("name", sorted(REAL_OF))
def test_header_and_line_ending_match_real(real, big, name):
    real_bytes, ours = (real / REAL_OF[name]).read_bytes(), big[name].read_bytes()
    assert ours.split(b"\n", 1)[0] == real_bytes.split(b"\n", 1)[0]  # header and its \r if any
    real_crlf = real_bytes.count(b"\r\n") == real_bytes.count(b"\n")
    if real_crlf:
        assert ours.count(b"\r\n") == ours.count(b"\n"), "every line should end in CRLF"
    else:
        assert b"\r" not in ours, "LF only, like the real file"


def test_ratings_has_the_ratings_small_header(big):
    assert (
        big["ratings.csv"].read_bytes().split(b"\n", 1)[0] == b"userId,movieId,rating,timestamp\r"
    )


@pytest.mark.parametrize("kind", sorted(NESTED))
def test_nested_cells_parse_with_real_key_order_and_types(real, cells, kind):
    file, column = NESTED[kind]
    real_rows = records(read(real / REAL_OF[file]), file)
    expected_orders = {tuple(d) for r in real_rows for d in dicts(r[column])}
    real_types = defaultdict(set)
    for r in real_rows:
        for d in dicts(r[column]):
            for key, value in d.items():
                real_types[key].add(type(value))
    assert len(expected_orders) == 1, f"the real {kind} cells use one key order"
    ours = [d for cell in cells(file, column) for d in cell]
    assert ours
    assert {tuple(d) for d in ours} == expected_orders
    for d in ours:
        for key, value in d.items():
            assert type(value) in real_types[key], (kind, key, value)


def test_every_nested_cell_is_exactly_the_repr_of_what_it_parses_to(parsed, cells):
    for kind in ("cast", "crew", "keywords"):
        file, column = NESTED[kind]
        for row, value in zip(parsed[file], cells(file, column), strict=True):
            assert repr(value) == row[column]
    for row in parsed["movies_metadata.csv"]:  # including the split records' halves
        for value in row.values():
            if value.startswith(("[", "{")):
                assert repr(ast.literal_eval(value)) == value


def test_quoting_variants_are_repr_exact(real, big, cells):
    raw = big["credits.csv"].read_bytes().decode("utf-8")
    real_raw = (real / "credits_head.csv").read_bytes().decode("utf-8")
    apostrophe = re.compile(r"""'(?:name|character)': ""[^"]*'[^"]*"" """.strip())
    assert apostrophe.search(real_raw) and apostrophe.search(raw)  # "Kerri O'Kane" -> ""…""
    assert "'profile_path': None" in real_raw and "'profile_path': None" in raw
    assert re.search(r"[^\x00-\x7f]", real_raw) and re.search(r"[^\x00-\x7f]", raw)
    assert not re.search(r"\\[xuU][0-9a-fA-F]{2}", raw), "non-ASCII stays raw UTF-8"
    strings = {
        v for k in ("cast", "crew") for cell in cells("credits.csv", k) for d in cell for v in d.values()
        if isinstance(v, str)
    }  # fmt: skip
    both = [s for s in strings if "'" in s and '"' in s]
    assert both and "\\'" in raw  # repr keeps '…' and escapes the apostrophe
    assert any(s.endswith("\t") for s in strings) and "\\t'" in raw
    assert any("\\" in s for s in strings) and "\\\\" in raw
    assert "None" in strings and "'character': 'None'" in raw  # the text None, not the null
    assert any("True" in s for s in strings)
    tricky = sorted(s for s in strings if not s.isascii() or re.search(r"['\"\\\t]", s))
    for text in tricky[:: max(1, len(tricky) // 300)]:  # written exactly as repr writes them
        assert repr(text).replace('"', '""') in raw
    lines = raw.split("\r\n")
    assert any(line.startswith("[],") for line in lines), "an empty cast is the bare field []"


def test_cast_and_crew_statistics_match_the_original(parsed, cells):
    rows = parsed["credits.csv"]
    cast = [len(cell) for cell in cells("credits.csv", "cast")]
    crew = [len(cell) for cell in cells("credits.csv", "crew")]
    for got, want in (
        (statistics.mean(cast), 12.4),
        (statistics.mean(crew), 10.2),
        (cast.count(0) / len(cast), 0.053),
        (crew.count(0) / len(crew), 0.017),
        (statistics.median(len(r["cast"]) for r in rows), 1980),
        (statistics.median(len(r["crew"]) for r in rows), 1030),
        (
            sum(r["keywords"] == "[]" for r in parsed["keywords.csv"])
            / len(parsed["keywords.csv"]),
            0.319,
        ),
    ):
        assert abs(got - want) <= 0.15 * want, (got, want)
    entries = [d for cell in cells("credits.csv", "cast") for d in cell]
    assert 0.03 < sum(d["character"] == "" for d in entries) / len(entries) < 0.065
    assert {d["gender"] for d in entries} == {0, 1, 2}
    assert all(re.fullmatch(r"[0-9a-f]{24}", d["credit_id"]) for d in entries)


def test_people_are_long_tailed_and_directors_recast_actors(parsed, cells):
    actors, pairs = Counter(), Counter()
    for cast_cell, crew_cell in zip(
        cells("credits.csv", "cast"), cells("credits.csv", "crew"), strict=True
    ):
        cast = {d["id"] for d in cast_cell}
        directors = [d for d in crew_cell if d["job"] == "Director"]
        assert all(d["department"] == "Directing" for d in directors)
        actors.update(cast)
        pairs.update((d["id"], a) for d in directors for a in cast)
    assert actors.most_common(1)[0][1] >= 15
    assert sum(n == 1 for n in actors.values()) > 0.4 * len(actors)  # ~57% at full size
    assert pairs.most_common(1)[0][1] >= 3
    with_crew = [r for r in parsed["credits.csv"] if r["crew"] != "[]"]
    directed = [r for r in with_crew if "'job': 'Director'" in r["crew"]]
    assert len(directed) / len(with_crew) > 0.95


def test_duplicates_and_row_counts_follow_the_original(parsed):
    credits, keywords = parsed["credits.csv"], parsed["keywords.csv"]
    meta = records(parsed["movies_metadata.csv"], "movies_metadata.csv")
    by_id = defaultdict(list)
    for r in credits:
        by_id[r["id"]].append((r["cast"], r["crew"]))
    repeats = [rows for rows in by_id.values() if len(rows) > 1]
    assert any(len(set(rows)) == 1 for rows in repeats), "an identical duplicate"
    assert any(len(set(rows)) > 1 for rows in repeats), "a conflicting duplicate"
    kw = defaultdict(set)
    for r in keywords:
        kw[r["id"]].add(r["keywords"])
    assert len(keywords) > len(kw) and all(len(v) == 1 for v in kw.values())
    meta_by_id = defaultdict(list)
    for r in meta:
        meta_by_id[r["id"]].append(tuple(r.values()))
    dup = [rows for rows in meta_by_id.values() if len(rows) > 1]
    assert any(len(set(rows)) == 1 for rows in dup)
    assert any(len({row[:10] + row[11:] for row in rows}) == 1 < len(set(rows)) for rows in dup)
    meta_ids = {r["id"] for r in parsed["movies_metadata.csv"] if r["id"].isdigit()}
    assert len(meta_ids - set(by_id)) == 1 and set(by_id) < meta_ids
    assert set(kw) == set(by_id)
    assert len(parsed["movies_metadata.csv"]) == len(meta) + 6  # 3 stubs + 3 shifted rows


@pytest.mark.parametrize(
    "tmdb, imdb", [("82663", "tt0113002"), ("122662", "tt2423504"), ("249260", "tt2622826")]
)
def test_split_records(parsed, tmdb, imdb):
    rows = [list(r.values()) for r in parsed["movies_metadata.csv"]]
    (k,) = [k for k, r in enumerate(rows) if r[5] == tmdb]
    stub, shifted = rows[k], rows[k + 1]
    assert stub[6] == imdb and stub[9] and all(v == "" for v in stub[10:])
    assert 0.3 < k / len(rows) < 0.85, "placed in the middle, as in the original"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", shifted[5]) and shifted[6] == "0"
    float(shifted[1]), float(shifted[7])  # popularity in belongs_to_collection, runtime in language
    assert re.fullmatch(r"/\w{27}\.jpg", shifted[2]) and shifted[9] == "Released"
    assert dicts(shifted[8])[0].keys() == {"iso_639_1", "name"}
    assert shifted[12] == "False" and shifted[14].isdigit() and shifted[15:] == [""] * 9


def test_metadata_scalars(real, parsed):
    meta = records(parsed["movies_metadata.csv"], "movies_metadata.csv")
    real_meta = read(real / "movies_metadata_head.csv")
    for rows in (real_meta, meta):
        assert all(str(float(r["popularity"])) == r["popularity"] for r in rows)
        assert all(re.fullmatch(r"tt\d{7}", r["imdb_id"]) for r in rows)
        assert all(re.fullmatch(r"(\d{4}-\d\d-\d\d)?", r["release_date"]) for r in rows)
        assert all(re.fullmatch(r"(\d+\.0)?", r["runtime"]) for r in rows)
        assert any("\n" in r["overview"] for r in rows)
        assert any("e-" in r["popularity"] for r in rows)
    assert {r["adult"] for r in meta} == {r["video"] for r in meta} == {"False", "True"}
    statuses = {
        "Released",
        "Rumored",
        "Post Production",
        "In Production",
        "Planned",
        "Canceled",
        "",
    }
    assert {r["status"] for r in meta} == statuses
    assert "cn" in {r["original_language"] for r in meta}
    assert any(d["name"] == "" for r in meta for d in dicts(r["spoken_languages"]))
    assert all(r["belongs_to_collection"] != "[]" for r in meta)
    for column, share in (("belongs_to_collection", 0.90), ("homepage", 0.83)):
        assert abs(sum(r[column] == "" for r in meta) / len(meta) - share) < 0.05
    assert abs(sum(r["budget"] == "0" for r in meta) / len(meta) - 0.80) < 0.05


def test_links_and_ratings(real, parsed):
    for source in (real, None):
        get = (lambda n: read(real / n)) if source else (lambda n: parsed[n])
        links, small, ratings = get("links.csv"), get("links_small.csv"), get("ratings_small.csv")
        ids = [int(r["movieId"]) for r in links]
        assert ids == sorted(set(ids))
        assert all(re.fullmatch(r"\d{7}", r["imdbId"]) for r in links + small)
        tmdb = [r["tmdbId"] for r in links]
        assert "" in tmdb and len({t for t in tmdb if t}) < len([t for t in tmdb if t])
        in_links = {tuple(r.values()) for r in links}
        strays = [r for r in small if tuple(r.values()) not in in_links]
        assert 0 < len(strays) < 0.01 * len(small) + 2, "links_small is links plus a few strays"
        assert {r["movieId"] for r in ratings} <= {r["movieId"] for r in small}
        keys = [(int(r["userId"]), int(r["movieId"])) for r in ratings]
        assert keys == sorted(keys)
        assert {r["rating"] for r in ratings} <= {f"{x / 2:.1f}" for x in range(1, 11)}
        assert all(789652009 <= int(r["timestamp"]) <= 1476640644 for r in ratings)
        assert min(Counter(k[0] for k in keys).values()) >= 20


def test_same_seed_same_bytes_and_any_file_alone(tmp_path):
    a = generate(tmp_path / "a", 120, 5, progress=False)
    b = generate(tmp_path / "b", 120, 5, progress=False)
    c = generate(tmp_path / "c", 120, 6, progress=False)
    alone = generate(tmp_path / "d", 120, 5, files=["keywords.csv"], progress=False)
    for name in FILES:
        assert Path(a[name]["path"]).read_bytes() == Path(b[name]["path"]).read_bytes()
        assert Path(a[name]["path"]).read_bytes() != Path(c[name]["path"]).read_bytes()
    assert (
        Path(alone["keywords.csv"]["path"]).read_bytes()
        == Path(a["keywords.csv"]["path"]).read_bytes()
    )
    assert a["credits.csv"]["rows"] == 120 and a["ratings.csv"]["rows"] == 2400


def test_committed_sample_is_what_the_readme_command_writes(tmp_path, capsys):
    sample = REPO / "data_samples"
    readme = (sample / "README.md").read_text(encoding="utf-8")
    (command,) = re.findall(r"^movie-pipeline (generate .*)$", readme, re.MULTILINE)
    argv = shlex.split(command)
    assert argv[argv.index("--out") + 1] == "data_samples"
    assert argv[argv.index("--movies") + 1] == str(SAMPLE_MOVIES)
    assert argv[argv.index("--seed") + 1] == str(SAMPLE_SEED)
    argv[argv.index("--out") + 1] = str(tmp_path)
    assert cli_main(argv) == 0
    assert sorted(p.name for p in sample.glob("*.csv")) == sorted(FILES)
    for name in FILES:
        assert (sample / name).read_bytes() == (tmp_path / name).read_bytes(), name
    # A few rows are broken on purpose, each by a fault the pipeline quarantines.
    faults = [argv[i + 1] for i, a in enumerate(argv) if a == "--fault"]
    assert faults and all(FAULTS[f].outcome == "quarantine" for f in faults)


def test_module_entry_point_and_bad_arguments(tmp_path, capsys):
    assert main(["--movies", "60", "--out", str(tmp_path), "--seed", "1", "--quiet"]) == 0
    assert "credits.csv\t60\t" in capsys.readouterr().out
    with pytest.raises(ValueError):
        generate(tmp_path, 10, files=["nope.csv"], progress=False)


class _Budget(random.Random):
    """A random source that gives up after ``calls`` draws: a draw loop that cannot end fails
    the test at once instead of hanging it (no timer, so a slow machine cannot fail it)."""

    def __init__(self, seed: int, calls: int):
        super().__init__(seed)
        self.left = calls

    def random(self) -> float:
        self.left -= 1
        if self.left < 0:
            raise RuntimeError("draw budget spent: a rejection loop with no free value left?")
        return super().random()


def test_person_ids_come_in_a_few_draws_when_their_range_is_taken():
    # Ids were redrawn until free from a fixed range, 1.95 M ids for 3.2 M people at 4x: the
    # draws never ended. Ids 1-40,000, where the most credited people draw theirs, are taken
    # here, as other pools take them at scale: each id must still come within a few draws.
    taken = set(range(1, 40_001))
    pool = Pool(_Budget(1, calls=200 * 100), 200, 0.78, 120, 0.36, 0.4, 0.5, taken)
    ids = [person[0] for person in pool.people]
    assert len(set(ids)) == 200 and min(ids) > 40_000


def test_movie_ids_come_in_a_few_draws_when_their_range_is_taken():
    # The same stall for TMDB ids, from about 8x on, when the ids that the first quarter of
    # links.csv draws from (up to ~87,000) fill up. Here the first rows' ids, 2-20,000, are taken.
    ids = _Ids(_Budget(1, calls=100 * 100))
    ids.used_tmdb.update(range(2, 20_001))
    drawn = [ids.tmdb(0.0) for _ in range(100)]
    assert len(set(drawn)) == 100 and min(drawn) > 20_000


def test_imdb_numbers_are_the_next_free_ones_in_crowded_years():
    # Old films share few numbers: 4,000 films of 1915-1922 queue up past each other, and the
    # runs of taken numbers merge. The rule is the next free number at or after the year's,
    # checked here by stepping one by one (quadratic, hence the small count).
    ids, rng = _Ids(random.Random(3)), random.Random(3)
    taken = {113002, 2423504, 2622826}  # the split records' numbers are never handed out
    for k in range(4_000):
        year = 1915 + k % 8 if k % 7 else 1990
        expected = int(_interp(_IMDB_KNOTS, year + rng.random()))
        while expected in taken:
            expected += 1
        taken.add(expected)
        assert ids.imdb(year) == expected
