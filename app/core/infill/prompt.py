"""The token list for a fill-in-the-middle request, trimmed to the model's window.

Layouts (ids in angle brackets are the family's special tokens, see formats.py):
  Code Llama PSM  <s><PRE> prefix <SUF> suffix' <MID>      SPM  <s><PRE><SUF> suffix' <MID> prefix
  Qwen/StarCoder2 [<repo_name>name <file_sep>path\\ncode ...<file_sep>path\\n] <pre> prefix <suf> suffix <mid>
  DeepSeek-Coder  <s><begin> prefix <hole> suffix <end>
suffix' is the suffix without SentencePiece's implicit leading space: as in Meta's reference it is
encoded after a sentinel character whose tokens are then dropped. Families without repository
tokens get other files' snippets as a comment block at the top of the prefix.

Trimming keeps the code nearest the cursor: the prefix loses lines from its start, the suffix
from its end. Text is cut by characters first so a 5,000-line file is never tokenized whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath

from app.core.infill.formats import InfillFormat, InfillTokenizer
from app.core.prompt_text import quote_path

SENTINEL = "☺"  # the reference's choice: a character that never merges with what follows it
# The first cut, before any tokenizing: code averages 3-4.5 characters per token, so this rarely
# needs a second pass, and text beyond it is never tokenized (that is what keeps a 5,000-line
# file fast). Dense text may fill a little less than the budget; that costs little context.
CHARS_PER_TOKEN = 4
SUFFIX_SHARE = 0.25  # of the budget for the suffix when both sides are long
SNIPPET_SHARE = 0.3  # of the budget, at most, for other files' code

_COMMENT = {".py": "#", ".sh": "#", ".rb": "#", ".pl": "#", ".r": "#", ".toml": "#", ".yaml": "#", ".yml": "#",
            ".jl": "#", ".ex": "#", ".exs": "#", ".nim": "#", ".cmake": "#", ".ps1": "#",
            ".sql": "--", ".lua": "--", ".hs": "--", ".elm": "--", ".ada": "--",
            ".el": ";;", ".clj": ";;", ".lisp": ";;", ".scm": ";;", ".erl": "%", ".tex": "%", ".m": "%",
            ".vim": '"', ".bat": "REM"}
_SLASHES = {".c", ".h", ".cc", ".cpp", ".hpp", ".cxx", ".cs", ".java", ".js", ".jsx", ".ts", ".tsx", ".go",
            ".rs", ".swift", ".kt", ".kts", ".scala", ".dart", ".php", ".zig", ".v", ".sol", ".groovy", ".m4"}


@dataclass(frozen=True)
class Snippet:
    path: str  # relative to the repository
    text: str


@dataclass
class InfillRequest:
    prefix: str
    suffix: str
    path: str = ""  # the edited file, relative to the repository when one is open
    repo_name: str = ""
    snippets: list[Snippet] = field(default_factory=list)
    suffix_first: bool = False  # Code Llama's SPM order


@dataclass
class InfillPrompt:
    tokens: list[int]
    stop_ids: frozenset[int]
    prefix: str  # the parts actually sent, after trimming
    suffix: str
    snippets: list[Snippet]


def comment_marker(path: str) -> str:
    suffix = PurePosixPath(path).suffix.lower()
    return "//" if suffix in _SLASHES else _COMMENT.get(suffix, "")


def encode_without_leading_space(tok: InfillTokenizer, text: str) -> list[int]:
    """Tokens of `text` with no implicit word-start space (Code Llama's suffix)."""
    if not text:
        return []
    sentinel = tok.encode(SENTINEL)
    ids = tok.encode(SENTINEL + text)
    if ids[: len(sentinel)] != sentinel:  # a vocabulary where the sentinel merges: fall back
        return tok.encode(text)
    return ids[len(sentinel):]


def _tail(text: str, max_chars: int) -> str:
    """The end of `text` within `max_chars`, starting at a line start when it was cut."""
    if len(text) <= max_chars:
        return text
    cut = text[-max_chars:] if max_chars > 0 else ""
    newline = cut.find("\n")
    return cut[newline + 1:] if newline >= 0 else cut


def _head(text: str, max_chars: int) -> str:
    if len(text) <= max_chars:
        return text
    cut = text[:max_chars] if max_chars > 0 else ""
    newline = cut.rfind("\n")
    return cut[: newline + 1] if newline >= 0 else cut


def _fit(text: str, budget: int, encode, keep_end: bool) -> tuple[str, list[int]]:
    """`text` cut (at lines, from the far side) until its tokens fit `budget`."""
    cut = _tail if keep_end else _head
    text = cut(text, budget * CHARS_PER_TOKEN)
    ids = encode(text)
    for _ in range(8):
        if len(ids) <= budget or not text:
            break
        text = cut(text, int(len(text) * budget / len(ids) * 0.95))
        ids = encode(text)
    if len(ids) > budget:
        text, ids = "", []
    return text, ids


def fit_around_cursor(prefix: str, suffix: str, budget: int, encode, encode_suffix=None
                      ) -> tuple[str, list[int], str, list[int]]:
    """Prefix and suffix trimmed to `budget` tokens together: the suffix gets its share (more when
    the prefix is short), the prefix the rest. Returns (prefix, its ids, suffix, its ids)."""
    suffix_text, suffix_ids = _fit(suffix, max(int(budget * SUFFIX_SHARE), budget - len(prefix)),
                                   encode_suffix or encode, keep_end=False)
    prefix_text, prefix_ids = _fit(prefix, budget - len(suffix_ids), encode, keep_end=True)
    return prefix_text, prefix_ids, suffix_text, suffix_ids


def _snippet_block(fmt: InfillFormat, request: InfillRequest, tok: InfillTokenizer, budget: int
                   ) -> tuple[list[int], list[Snippet], str]:
    """Tokens for other files' code (repository format), or a comment block for the prefix."""
    if not request.snippets or budget <= 0:
        return [], [], ""
    used: list[Snippet] = []
    if fmt.repo_level:
        assert fmt.repo_name is not None and fmt.file_sep is not None
        ids = [fmt.repo_name] + tok.encode(f"{request.repo_name or 'repository'}\n")
        for snippet in request.snippets:
            part = [fmt.file_sep] + tok.encode(f"{quote_path(snippet.path)}\n{snippet.text.rstrip()}\n")
            if len(ids) + len(part) > budget:
                break
            ids += part
            used.append(snippet)
        if not used:
            return [], [], ""
        return ids + [fmt.file_sep] + tok.encode(f"{quote_path(request.path) if request.path else 'file'}\n"), used, ""
    # The comments go into the edited file, so its language decides the marker. An editor that names
    # no file (llama.vscode sends input_extra without one) edits a file of the same project as the
    # snippets: the first snippet whose extension is known stands in, rather than dropping them all.
    # A named file of an unknown type gets none: code pasted into it would not be a comment.
    marker = comment_marker(request.path) if request.path else next(
        (found for snippet in request.snippets if (found := comment_marker(snippet.path.replace("\\", "/")))), "")
    if not marker:
        return [], [], ""
    block = ""
    for snippet in request.snippets:
        lines = [f"{marker} {quote_path(snippet.path)}"] + [f"{marker} {line}".rstrip() for line in snippet.text.splitlines()]
        candidate = block + "\n".join(lines) + "\n\n"
        if len(tok.encode(candidate)) > budget:
            break
        block = candidate
        used.append(snippet)
    return [], used, block


def build_infill_prompt(fmt: InfillFormat, tok: InfillTokenizer, request: InfillRequest, budget: int
                        ) -> InfillPrompt:
    """The tokens for `request` in `fmt`, at most `budget` of them (plus the format's few markers)."""
    budget = max(budget - 8, 16)
    repo_ids, used, comment_block = _snippet_block(fmt, request, tok, int(budget * SNIPPET_SHARE))
    room = budget - len(repo_ids) - (len(tok.encode(comment_block)) if comment_block else 0)
    leading_space = fmt.family.leading_space
    encode_suffix = (lambda t: encode_without_leading_space(tok, t)) if leading_space else tok.encode
    prefix_text, prefix_ids, suffix, suffix_ids = fit_around_cursor(request.prefix, request.suffix, room,
                                                                    tok.encode, encode_suffix)
    if comment_block:
        prefix_ids = tok.encode(comment_block + prefix_text)
    start = [fmt.bos] if fmt.bos is not None else []
    if fmt.family.suffix_first and request.suffix_first:
        tokens = start + [fmt.pre, fmt.suf] + suffix_ids + [fmt.mid] + prefix_ids
    else:
        tokens = start + repo_ids + [fmt.pre] + prefix_ids + [fmt.suf] + suffix_ids + [fmt.mid]
    return InfillPrompt(tokens, fmt.stop_ids, prefix_text, suffix, used)
