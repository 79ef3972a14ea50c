"""Questions as users paste them: tracebacks from another machine, dotted module names, long issues."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.repo.index import RepoIndex
from app.core.repo.pack import approximate_tokens, pack
from app.core.repo.rank import _MAX_WORDS, defined_names, named_files, query_terms, rank, search_words
from tests.core.repo.test_scan import make

FILES = {
    "src/shop/net/retry.py": "import time\n\n\ndef backoff(n):\n    return 2 ** n\n\n\n"
                             "def pause(n):\n    time.sleep(backoff(n))\n",
    "src/shop/net/client.py": "from .retry import pause\n\n\ndef fetch(url):\n    pause(1)\n    return url\n",
    "src/shop/radio.py": "def tune(station):\n    return station\n",
    "src/shop/io.py": "def read_all(path):\n    return open(path).read()\n",
    "native/codec.c": "int decode(const char *s) { return s[0]; }\n",
    "native/codec.cpp": "int encode(const char *s) { return s[0]; }\n",
    "src/shop/billing/invoice.py": "def total(lines):\n    return sum(line.amount for line in lines)\n",
    **{f"src/shop/models/m{n}.py": f"def model_{n}():\n    return {n}\n" for n in range(10)},
}


@pytest.fixture
def index(tmp_path: Path):
    repo = make(tmp_path / "shop", FILES)
    idx = RepoIndex(repo, tmp_path / "cache")
    idx.update()
    yield idx
    idx.close()


def _named(index: RepoIndex, question: str) -> list[str]:
    return named_files(index, query_terms(question).paths)


def test_a_traceback_from_another_machine_names_the_repository_file(index: RepoIndex) -> None:
    question = ('Traceback (most recent call last):\n  File "/home/ann/.venv/lib/python3.12/site-packages/shop/net/'
                'client.py", line 5, in fetch\nTimeoutError')
    assert _named(index, question) == ["src/shop/net/client.py"]
    ranked = rank(index, question)
    top = index.db.execute("SELECT path FROM chunks WHERE id = ?", (ranked[0][1],)).fetchone()[0]
    assert top == "src/shop/net/client.py"


def test_a_windows_traceback_names_the_repository_file(index: RepoIndex) -> None:
    question = 'File "C:\\Users\\ann\\venv\\Lib\\site-packages\\shop\\net\\client.py", line 5, in fetch'
    assert _named(index, question) == ["src/shop/net/client.py"]


def test_a_dotted_module_name_names_its_file_never_a_folder(index: RepoIndex) -> None:
    assert _named(index, "Calling `shop.net.retry.backoff` with a negative n loops") == ["src/shop/net/retry.py"]
    assert _named(index, "shop.billing.invoice.total ignores discounts") == ["src/shop/billing/invoice.py"]
    assert _named(index, "shop.models.registry_entry breaks") == []  # a module not here: not all of shop/models
    assert _named(index, "shop.models.m3.model_3 is wrong") == ["src/shop/models/m3.py"]


def test_a_name_is_matched_at_name_boundaries(index: RepoIndex) -> None:
    assert _named(index, "reading io.py fails") == ["src/shop/io.py"]  # not radio.py
    assert _named(index, "a crash in codec.c") == ["native/codec.c"]  # not codec.cpp


def test_a_folder_names_its_files_and_the_most_specific_form_wins(index: RepoIndex) -> None:
    assert sorted(_named(index, "shop/models: everything is slow")) == [f"src/shop/models/m{n}.py" for n in range(10)]
    assert _named(index, "see shop/models/m3.py") == ["src/shop/models/m3.py"]
    assert _named(index, "in /srv/app/shop/models/m3.py") == ["src/shop/models/m3.py"]
    assert _named(index, "/usr/lib/python3.12/asyncio/events.py") == []  # another program's file names nothing here


def test_a_long_question_searches_its_rare_words_wherever_they_are(index: RepoIndex) -> None:
    prose = " ".join(f"word{n}x" for n in range(60))  # sixty words the repository does not have
    question = f"{prose} and then the station is wrong after tune"
    words = query_terms(question).words
    assert len(words) > _MAX_WORDS
    kept = search_words(index, words)
    assert {"station", "tune"} <= set(kept) and len(kept) <= _MAX_WORDS
    result = pack(index, question, 400, approximate_tokens)
    assert result.chunks and result.chunks[0].path == "src/shop/radio.py"
    short = ("why", "does", "tune")
    assert search_words(index, short) == short  # a short question's words are all searched, found or not


def test_a_long_question_drops_its_commonest_words_not_its_last(tmp_path: Path) -> None:
    common = " ".join(f"common{n}" for n in range(45))
    files = {f"lib/f{n}.py": f"# {common}\ndef f{n}():\n    return {n}\n" for n in range(6)}
    files["lib/radio.py"] = "def tune(station):\n    return station\n"
    index = RepoIndex(make(tmp_path / "r", files), tmp_path / "cache")
    index.update()
    try:
        words = query_terms(f"{common} then the station is wrong after tune").words
        kept = search_words(index, words)
        assert len(kept) == _MAX_WORDS and {"station", "tune", "common0"} <= set(kept)
        assert "common44" not in kept  # as common as common0, but later in the question
        assert list(kept) == [w for w in words if w in kept]  # in the question's order
        top = rank(index, f"{common} then the station is wrong after tune")[0][1]
        assert index.db.execute("SELECT path FROM chunks WHERE id = ?", (top,)).fetchone()[0] == "lib/radio.py"
    finally:
        index.close()


def test_at_most_forty_defined_names_are_looked_up(tmp_path: Path) -> None:
    files = {f"lib/m{n}.py": f"def name_{n}():\n    return {n}\n" for n in range(50)}
    index = RepoIndex(make(tmp_path / "r", files), tmp_path / "cache")
    index.update()
    try:
        names = ("not_defined_here",) + tuple(f"name_{n}" for n in range(50))
        defined = defined_names(index, names)
        assert list(defined) == [f"name_{n}" for n in range(_MAX_WORDS)]  # an unknown name does not use up the room
        assert all(len(chunks) == 1 for chunks in defined.values())
    finally:
        index.close()


def test_a_packed_piece_takes_in_the_blank_lines_around_it(index: RepoIndex) -> None:
    result = pack(index, "backoff", 40, approximate_tokens)
    piece = next(c for c in result.chunks if c.path == "src/shop/net/retry.py" and c.start_line <= 4 <= c.end_line)
    # backoff is lines 4-5 (the import chunk is 1-3); the blank lines 6-7 before pause (line 8) come with it.
    assert (piece.start_line, piece.end_line) == (4, 7)
    source = FILES["src/shop/net/retry.py"].split("\n")
    assert piece.text.split("\n") == source[piece.start_line - 1:piece.end_line]
