from app.core.repo.chunk import chunk_file, split_identifier

PY = '''"""Module doc."""
import os

RETRIES = 3


@decorator
def retry(fn):
    """Retry fn."""
    return fn


class Client:
    def get(self):
        return 1

    def post(self):
        return 2
'''


def test_python_cut_at_definitions() -> None:
    chunks = chunk_file("a.py", PY)
    spans = [(c.start, c.end, c.symbols) for c in chunks]
    assert (7, 10, ("retry",)) in spans  # the decorator belongs to the function
    assert (13, 18, ("Client", "get", "post")) in spans
    assert spans[0][0] == 1 and spans[0][2] == ()  # module header as its own chunk


def test_big_class_split_into_methods() -> None:
    body = "\n".join(f"    def m{i}(self):\n" + "\n".join("        x = 1" for _ in range(10)) for i in range(10))
    chunks = chunk_file("b.py", "class Big:\n" + body + "\n")
    assert any(c.symbols == ("m3", "Big") for c in chunks)
    assert all(c.end - c.start + 1 <= 80 for c in chunks)


def test_other_languages_and_fallback() -> None:
    js = "import x from 'y';\n\nexport function fetchData(url) {\n  return get(url);\n}\n\nconst helper = (a) => a;\n"
    chunks = chunk_file("a.js", js)
    assert any("fetchData" in c.symbols for c in chunks) and any("helper" in c.symbols for c in chunks)
    rust = "pub fn parse(s: &str) -> u32 {\n    s.len() as u32\n}\n\nstruct Point { x: i32 }\n"
    assert {s for c in chunk_file("a.rs", rust) for s in c.symbols} == {"parse", "Point"}
    text = "\n".join(f"line {i}" for i in range(150))
    chunks = chunk_file("notes.txt", text)
    assert [(c.start, c.end) for c in chunks] == [(1, 60), (61, 120), (121, 150)]
    assert chunk_file("empty.py", "  \n") == []
    assert chunk_file("broken.py", "def (:\n  pass\n" * 3)  # a syntax error falls back to the generic cut


def test_split_identifier() -> None:
    assert split_identifier("RetryPolicy") == ["retry", "policy"]
    assert split_identifier("max_retry_count") == ["max", "retry", "count"]
    assert split_identifier("HTTPServer") == ["httpserver"]
