"""Retrieval evaluation: does the code that answers a question land in the packed context?

Real questions about real packages installed in this venv (their source ships with them), each
with the file and the definition that answers it, checked against the source when the script
runs. Reported: the share of questions whose answering definition is inside a packed chunk at
4k, 16k and 32k token budgets (the embedded model's tokenizer counts tokens). A held-out set of
real issues is run against `context --json` by the project, so nothing here is tuned to these.

    .venv/bin/python benchmarks/retrieval_eval.py
"""

from __future__ import annotations

import re
import sysconfig
import tempfile
from pathlib import Path

from _common import embedded_model

from app.core.engine import VocabCounter
from app.core.repo.index import RepoIndex
from app.core.repo.pack import pack

SITE = Path(sysconfig.get_paths()["purelib"])
# (package folder, question, file relative to the package, name of the answering definition)
CASES = [
    ("jinja2", "How does the sandbox decide whether an attribute of an object may be accessed?", "sandbox.py",
     "is_safe_attribute"),
    ("jinja2", "How are autoescaping defaults chosen from the template's file extension?", "utils.py",
     "select_autoescape"),
    ("jinja2", "Where is the default filter implemented that returns a fallback for undefined values?",
     "filters.py", "do_default"),
    ("jinja2", "Where is the template source split into tokens?", "lexer.py", "tokeniter"),
    ("pygments", "How does pygments guess which lexer to use for a piece of code?", "lexers/__init__.py",
     "guess_lexer"),
    ("pygments", "Where is the HTML formatter that writes inline styles?", "formatters/html.py", "HtmlFormatter"),
    ("pygments", "How do I look up a lexer by its short name or alias?", "lexers/__init__.py", "get_lexer_by_name"),
    ("platformdirs", "Where is the user cache directory decided on Linux, and does it honour XDG_CACHE_HOME?",
     "unix.py", "user_cache_dir"),
    ("platformdirs", "On macOS, where does the user data directory point?", "macos.py", "user_data_dir"),
    ("huggingface_hub", "How are HTTP error responses from the hub turned into specific exceptions?",
     "utils/_http.py", "hf_raise_for_status"),
    ("huggingface_hub", "How is the URL to download a single file from a repository built?", "file_download.py",
     "hf_hub_url"),
    ("huggingface_hub", "Where is the stored access token read from, and does HF_TOKEN take precedence?",
     "utils/_auth.py", "get_token"),
    ("psutil", "How is available virtual memory computed on Linux?", "_pslinux.py", "virtual_memory"),
    ("psutil", "How does cpu_count count physical cores when logical is False?", "__init__.py", "cpu_count"),
    ("pathspec", "How are gitignore patterns turned into regular expressions?", "patterns/gitwildmatch.py",
     "pattern_to_regex"),
]
BUDGETS = (4096, 16384, 32768)


def answered(result, path: str, name: str, source: str) -> bool:
    match = re.search(rf"^[ \t]*(?:async[ \t]+)?(?:def|class)[ \t]+{re.escape(name)}\b", source, re.M)
    line = source[: match.start()].count("\n") + 1 if match else -1
    return any(c.path == path and c.start_line <= line <= c.end_line for c in result.chunks)


def main() -> None:
    counter = VocabCounter(embedded_model())
    cache = Path(tempfile.mkdtemp(prefix="cld-eval-"))
    hits = {b: 0 for b in BUDGETS}
    valid = 0
    indexes: dict[str, RepoIndex] = {}
    for package, question, path, name in CASES:
        root = SITE / package
        source_file = root / path
        if not source_file.is_file() or not re.search(rf"(def|class)\s+{name}\b", source_file.read_text()):
            print(f"SKIP (answer not found in the installed version): {package}/{path} {name}")
            continue
        valid += 1
        if package not in indexes:
            indexes[package] = RepoIndex(root, cache)
            indexes[package].update()
        row = []
        for budget in BUDGETS:
            ok = answered(pack(indexes[package], question, budget, counter), path, name, source_file.read_text())
            hits[budget] += ok
            row.append("yes" if ok else "no ")
        print(f"{' '.join(row)}  {package}: {question}")
    print(f"\n{valid} questions over {len(indexes)} packages ({', '.join(sorted(indexes))})")
    for budget in BUDGETS:
        print(f"answering definition in the packed context at {budget // 1024}k tokens: {hits[budget]}/{valid} "
              f"= {hits[budget] / max(valid, 1):.0%}")
    for index in indexes.values():
        index.close()
    counter.close()


if __name__ == "__main__":
    main()
