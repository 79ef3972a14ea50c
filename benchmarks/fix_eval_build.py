"""Build benchmarks/fix_eval_cases.json: real fixes from consecutive releases of real packages.

Each case is one changelog entry of a newer release (the question, as its authors wrote it) and the
lines of the OLDER release's source files that the change touched (the gold). Sources:

- PyPI sdists and npm tarballs of consecutive releases: the entry comes from the changelog shipped
  in the newer archive, the gold from the diff of the two trees, restricted to source files of one
  language (tests, docs, examples, build scripts, generated, minified and vendored files and
  version bumps left out). An entry is matched to hunks only when that is unambiguous enough:
  rule "single-entry": the release's changelog section has exactly one code-change entry and the
  source diff is small (at most 3 files and 120 changed lines): every hunk belongs to it;
  rule "names-code": the entry names code (`x`, snake_case, CamelCase, dotted.names, f(), a file)
  and a hunk's changed lines, enclosing definition or file name contain that name, and no other
  entry of the release claims the same hunk.
- Debian source packages, bookworm against bookworm-security (apt's deb-src index): the entry
  comes from debian/changelog, and the gold from the quilt patch the entry names (by CVE id or by
  file name), located in the old tree (which dpkg-source unpacks with its own patches applied).

Downloads and unpacked trees are cached under ~/.cache/codellama-eval/; only provenance (URLs,
sha256, versions, entry text) and gold line ranges go into the JSON.

    .venv/bin/python benchmarks/fix_eval_build.py            # all sources
    .venv/bin/python benchmarks/fix_eval_build.py --only pypi --pairs 6
    # add one language's cases to the existing file, leaving its cases byte for byte as they are:
    .venv/bin/python benchmarks/fix_eval_build.py --only npm --packages prosemirror-model,rxjs,... \
        --language typescript --max-per-language 25 --add

TypeScript cases come from NPM_TYPESCRIPT (packages that ship their .ts sources) and are reported as
"typescript"; JavaScript ones keep the "js/ts" label they were built with.

Debian needs deb-src lines for bookworm and bookworm-security (a file in /etc/apt/sources.list.d/
with "Types: deb-src") and `apt-get update`; without them that source is skipped.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tarfile
import threading
import traceback
import urllib.parse
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path, PurePosixPath

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT  # noqa: E402  (puts the repository on sys.path)
from fix_eval_history import (  # noqa: E402
    Hunk,
    changelog_section,
    clean_entry,
    debian_entries,
    entry_identifiers,
    find_changelog,
    gold_of,
    hunk_matches,
    is_code_entry,
    parse_patch,
    patch_hunks,
    patch_subject,
    read_text,
    section_entries,
    source_files,
    tree_hunks,
    words,
)
from fix_eval_sources import REPORT_LANGUAGE, cached_json, fetch, sha256_file, top_folder, tree_for  # noqa: E402

from app.core.repo.scan import ScanRules, scan_all  # noqa: E402

OUT = ROOT / "benchmarks" / "fix_eval_cases.json"

# Packages whose archives ship their sources and a changelog. Chosen by what they are (popular,
# pure-language or with a native core), never by how the app does on them.
PYPI = ["attrs", "packaging", "click", "jinja2", "requests", "urllib3", "idna", "pyparsing", "python-dateutil",
        "pluggy", "tomlkit", "platformdirs", "filelock", "pathspec", "charset-normalizer", "httpx", "h11",
        "anyio", "isort", "pyflakes", "pycodestyle", "sqlparse", "markdown", "mistune", "wheel", "rich",
        "marshmallow", "structlog", "cachetools", "more-itertools", "arrow", "humanize", "tabulate", "flask",
        "werkzeug", "itsdangerous", "babel", "paramiko", "bleach", "soupsieve", "pyjwt", "jsonschema",
        "cattrs", "python-dotenv", "croniter", "schedule", "redis", "pymysql", "peewee", "tenacity",
        "websockets", "sh", "typeguard", "invoke", "pexpect", "prompt-toolkit", "docopt-ng", "alembic",
        # with C, C++ or Rust cores
        "markupsafe", "simplejson", "psutil", "multidict", "bitarray", "setproctitle", "pyahocorasick",
        "mysqlclient", "python-ldap", "pycurl", "netifaces", "evdev", "ciso8601", "pybase64", "cbor2", "wrapt",
        "psycopg2", "apsw", "cffi", "coverage", "ujson", "greenlet", "kiwisolver", "python-rapidjson",
        "pyrsistent", "mmh3", "orjson", "tiktoken", "maturin", "bcrypt", "css-inline", "nh3", "rtoml",
        "ormsgpack", "jiter", "rpds-py", "cramjam", "watchfiles", "granian", "safetensors", "pillow",
        "pycryptodome", "python-snappy", "levenshtein", "rapidfuzz", "pikepdf", "jsonnet", "blake3"]
NPM = ["qs", "express", "body-parser", "send", "serve-static", "finalhandler", "cookie", "path-to-regexp",
       "js-yaml", "semver", "commander", "dotenv", "minimist", "fs-extra", "jsonwebtoken", "winston", "log4js",
       "nodemailer", "sanitize-html", "markdown-it", "postcss", "autoprefixer", "terser", "clean-css", "mocha",
       "knex", "mysql", "yargs", "cross-spawn", "formidable", "luxon", "validator", "joi", "superagent",
       "ws", "axios", "handlebars", "ejs", "pug", "morgan", "multer", "cors", "compression", "helmet",
       "mongoose", "bluebird", "chokidar", "http-proxy", "tough-cookie", "xml2js", "jsdom", "moment", "svelte",
       "preact", "fp-ts", "ajv", "socket.io", "engine.io", "eslint", "browserslist", "less", "stylus",
       "uglify-js", "esprima", "acorn", "underscore", "mime", "mime-types", "busboy", "node-cron", "cron",
       "date-fns", "json5", "ini", "glob", "minimatch", "chalk", "debug", "ms", "bytes", "content-disposition",
       "iconv-lite", "raw-body", "type-is", "accepts", "negotiator", "on-finished", "http-errors", "vary",
       "serve-index", "connect", "koa", "koa-router", "fastify", "pino", "undici", "node-fetch", "got",
       "form-data", "yaml", "typeorm", "sequelize", "pg", "redis", "ioredis", "mongodb", "sinon", "chai"]
# npm packages written in TypeScript whose tarballs carry the .ts sources (src/) and a per-release
# CHANGELOG.md; their compiled JavaScript (dist/, lib/, esm/) is not scored (see source_files).
NPM_TYPESCRIPT = ["prosemirror-model", "prosemirror-state", "prosemirror-view", "prosemirror-transform",
                  "prosemirror-commands", "prosemirror-markdown", "prosemirror-inputrules", "prosemirror-history",
                  "prosemirror-keymap", "prosemirror-schema-list", "prosemirror-dropcursor", "prosemirror-gapcursor",
                  "prosemirror-collab", "prosemirror-changeset", "@lezer/markdown", "rxjs", "mobx", "mobx-react-lite",
                  "@preact/signals-core", "@preact/signals", "@pothos/core", "@remix-run/router", "wonka",
                  "true-myth", "json-schema-to-typescript", "openapi-typescript"]

PER_PACKAGE = 6  # cases from one package at most: a spread of projects, not one project's habits
MAX_PER_LANGUAGE = 40
write_lock = threading.Lock()


def log(msg: str) -> None:
    with write_lock:
        print(msg, flush=True)


# ---------------------------------------------------------------------------------------------
# Release pairs


def _pep440_key(version: str):
    from packaging.version import InvalidVersion, Version
    try:
        parsed = Version(version)
    except InvalidVersion:
        return None
    return None if parsed.is_prerelease or parsed.is_devrelease else parsed


def pypi_pairs(package: str, count: int) -> list[tuple[dict, dict]]:
    data = cached_json(f"https://pypi.org/pypi/{package}/json", f"pypi-{package}")
    releases = []
    for version, files in data.get("releases", {}).items():
        key = _pep440_key(version)
        sdists = [f for f in files if f.get("packagetype") == "sdist" and not f.get("yanked")]
        if key is None or not sdists:
            continue
        sdist = sdists[0]
        url = urllib.parse.urljoin(f"https://pypi.org/pypi/{package}/json", sdist["url"])
        releases.append((key, {"ecosystem": "pypi", "package": package, "version": version, "url": url,
                               "sha256": sdist["digests"]["sha256"]}))
    releases.sort(key=lambda r: r[0])
    releases = releases[-(count + 1):]
    return [(releases[i][1], releases[i + 1][1]) for i in range(len(releases) - 1)]


def _semver_key(version: str):
    match = re.fullmatch(r"v?(\d+)\.(\d+)\.(\d+)", version)
    return tuple(int(g) for g in match.groups()) if match else None


def npm_pairs(package: str, count: int) -> list[tuple[dict, dict]]:
    data = cached_json(f"https://registry.npmjs.org/{package.replace('/', '%2F')}", f"npm-{package}")
    releases = []
    for version, meta in data.get("versions", {}).items():
        key = _semver_key(version)
        if key is None or "dist" not in meta:
            continue
        releases.append((key, {"ecosystem": "npm", "package": package, "version": version,
                               "url": meta["dist"]["tarball"]}))
    releases.sort(key=lambda r: r[0])
    releases = releases[-(count + 1):]
    return [(releases[i][1], releases[i + 1][1]) for i in range(len(releases) - 1)]


def _paragraphs(path: Path):
    text = subprocess.run(["/usr/lib/apt/apt-helper", "cat-file", str(path)], capture_output=True, text=True,
                          errors="replace").stdout
    for block in text.split("\n\n"):
        fields: dict[str, str] = {}
        key = None
        for line in block.splitlines():
            if line[:1] in (" ", "\t") and key:
                fields[key] += "\n" + line.strip()
            elif ":" in line:
                key, _, value = line.partition(":")
                fields[key] = value.strip()
        if "Package" in fields:
            yield fields


def source_package_files(fields: dict, base: str) -> tuple[list[dict], int]:
    """A Sources paragraph's files ({"name", "sha256", "url"}, the .dsc first) and their total size."""
    files, size = [], 0
    for line in fields.get("Checksums-Sha256", "").splitlines():
        parts = line.split()
        if len(parts) == 3:
            files.append({"name": parts[2], "sha256": parts[0], "url": f"{base}/{fields['Directory']}/{parts[2]}"})
            size += int(parts[1])
    files.sort(key=lambda f: not f["name"].endswith(".dsc"))
    return files, size


def debian_pairs(max_bytes: int = 40_000_000) -> list[tuple[dict, dict]]:
    lists = Path("/var/lib/apt/lists")
    bases = {"debian-security": "http://deb.debian.org/debian-security", "debian": "http://deb.debian.org/debian"}
    found: dict[str, dict[str, dict]] = defaultdict(dict)
    for path in sorted(lists.glob("*_source_Sources*")):
        if not re.search(r"_dists_bookworm(-security|-updates)?_main_source_", path.name):
            continue
        base = bases["debian-security"] if "debian-security" in path.name else bases["debian"]
        for fields in _paragraphs(path):
            files, size = source_package_files(fields, base)
            found[fields["Package"]][fields["Version"]] = {
                "ecosystem": "debian", "package": fields["Package"], "version": fields["Version"], "files": files,
                "url": files[0]["url"] if files else "", "format": fields.get("Format", ""), "size": size}
    pairs = []
    for package, versions in sorted(found.items()):
        if len(versions) < 2:
            continue
        ordered = sorted(versions, key=_DebVersion)
        old, new = versions[ordered[-2]], versions[ordered[-1]]
        if old["format"] != "3.0 (quilt)" or new["format"] != "3.0 (quilt)" or old["size"] > max_bytes:
            continue
        if _upstream(old["version"]) != _upstream(new["version"]):
            continue  # a new upstream release: its changes are not in patches
        pairs.append((old, new))
    return pairs


def _upstream(version: str) -> str:
    return version.split(":", 1)[-1].rsplit("-", 1)[0]


class _DebVersion:
    def __init__(self, version: str) -> None:
        self.version = version

    def __lt__(self, other: "_DebVersion") -> bool:
        return subprocess.run(["dpkg", "--compare-versions", self.version, "lt", other.version]).returncode == 0


# ---------------------------------------------------------------------------------------------
# Cases


def release_root(spec: dict) -> Path:
    if "root" not in spec:
        spec["root"] = ""
        base = tree_for(spec)
        spec["root"] = "src" if spec["ecosystem"] == "debian" else top_folder(base)
    return tree_for(spec)


def indexable(root: Path) -> set[str]:
    return {f.path for f in scan_all(root, ScanRules()).files}


def _provenance(spec: dict) -> dict:
    keep = {k: spec[k] for k in ("ecosystem", "version", "url", "root", "before_patch") if k in spec}
    if spec.get("sha256"):
        keep["sha256"] = spec["sha256"]
    if spec.get("files"):
        keep["files"] = spec["files"]
    return keep


def make_case(rule: str, old: dict, new: dict, entry: str, question: str, hunks: list[Hunk],
              lengths: dict[str, int], old_root: Path, source: str, extra: dict | None = None) -> dict | None:
    by_lang = Counter()
    for hunk in hunks:
        by_lang[hunk.language] += max(1, hunk.changed)
    if not by_lang:
        return None
    language, lines = by_lang.most_common(1)[0]
    if lines < 0.75 * sum(by_lang.values()):
        return None  # the change is spread over two languages: not one language's case
    hunks = [h for h in hunks if h.language == language]
    gold = gold_of(hunks, lengths)
    ok = indexable(old_root)
    if not gold or any(path not in ok for path in gold):
        return None
    if old["ecosystem"] != "debian" and not old.get("sha256"):
        old["sha256"] = sha256_file(fetch(old["url"]))
    case = {
        "id": f"{old['ecosystem']}:{old['package']}:{old['version']}..{new['version']}",
        "ecosystem": old["ecosystem"], "package": old["package"], "language": language,
        "report_language": REPORT_LANGUAGE.get(language, language), "rule": rule,
        "question": question, "question_source": source, "changelog_entry": entry,
        "old": _provenance(old), "new": {k: v for k, v in _provenance(new).items() if k != "root"},
        "gold": gold, "changed_lines": sum(h.changed for h in hunks),
    }
    if extra:
        case.update(extra)
    return case


def registry_cases(old: dict, new: dict) -> list[dict]:
    new_root = release_root(new)
    logs = find_changelog(new_root)
    entries: list[str] = []
    log_file = None
    for path in logs:
        text = read_text(path)
        section = changelog_section(text, new["version"]) if text else None
        if section:
            entries = [e for e in section_entries(section) if e.strip()]
            log_file = path.relative_to(new_root).as_posix()
            if entries:
                break
    if not entries:
        return []
    old_root = release_root(old)
    result = tree_hunks(old_root, new_root, old["version"], new["version"])
    if result is None:
        return []
    hunks, lengths, _added = result
    if not hunks:
        return []
    code = [(e, clean_entry(e)) for e in entries if is_code_entry(clean_entry(e))]
    code = [(raw, q) for raw, q in code if words(q) >= 4]
    cases = []
    extra = {"changelog_file": log_file}
    total = sum(h.changed for h in hunks)
    files = {h.path for h in hunks}
    if len(code) == 1 and len(files) <= 3 and total <= 120:
        # exactly one entry that changes code, and the rest (if any) are docs, tests, packaging
        raw, question = code[0]
        case = make_case("single-entry", old, new, raw, question, hunks, lengths, old_root, "changelog entry", extra)
        return [case] if case else []
    if total > 1500:
        return []
    claims: dict[int, list[int]] = defaultdict(list)
    generic = {old["package"], old["package"].replace("-", "_"), old["package"].split("-")[0], "__init__",
               "self", "cls", "this", "constructor", "prototype", "exports", "module", "require"}
    idents = [entry_identifiers(q) - generic for _, q in code]
    # A name that half the hunks of the release contain tells nothing about which entry they belong to.
    common = {n for names in idents for n in names
              if sum(hunk_matches(h, {n}) for h in hunks) > max(2, len(hunks) // 2)}
    idents = [names - common for names in idents]
    for h_index, hunk in enumerate(hunks):
        for e_index, names in enumerate(idents):
            if names and hunk_matches(hunk, names):
                claims[h_index].append(e_index)
    per_entry: dict[int, list[Hunk]] = defaultdict(list)
    for h_index, owners in claims.items():
        if len(owners) == 1:
            per_entry[owners[0]].append(hunks[h_index])
    for e_index, owned in sorted(per_entry.items()):
        raw, question = code[e_index]
        if len(idents[e_index]) > 25:
            continue  # a release note of many paragraphs names half the code base: nothing tells its hunks
        case = make_case("names-code", old, new, raw, question, owned, lengths, old_root, "changelog entry",
                         {**extra, "matched_names": sorted(idents[e_index])})
        if case:
            cases.append(case)
    return cases


def _read_debian_tar(spec: dict) -> dict[str, str]:
    """debian/changelog, debian/patches/series and the patches of a release, read from its debian tarball."""
    out: dict[str, str] = {}
    for item in spec["files"]:
        if ".debian.tar." not in item["name"]:
            continue
        with tarfile.open(fetch(item["url"], item["sha256"])) as tar:
            for member in tar.getmembers():
                if member.isfile() and (member.name in ("debian/changelog", "debian/patches/series")
                                        or member.name.startswith("debian/patches/")):
                    data = tar.extractfile(member).read()  # type: ignore[union-attr]
                    out[member.name] = data.decode("utf-8", "replace")
    return out


_SKIP_DEB = re.compile(r"non-maintainer upload|rebuild|new upstream|^\s*(update|refresh)(ed)? (patch|changelog)"
                       r"|salsa|gbp|team upload|upload to|backport of|d/control|lintian|standards-version", re.I)
_CVE = re.compile(r"CVE-\d{4}-\d{4,}", re.I)


def debian_cases(old: dict, new: dict) -> list[dict]:
    new_files = _read_debian_tar(new)
    old_files = _read_debian_tar(old)
    changelog = new_files.get("debian/changelog", "")
    series = [ln.split()[0] for ln in new_files.get("debian/patches/series", "").splitlines()
              if ln.strip() and not ln.startswith("#")]
    old_series = {ln.split()[0] for ln in old_files.get("debian/patches/series", "").splitlines()
                  if ln.strip() and not ln.startswith("#")}
    fresh = [p for p in series if p not in old_series or
             new_files.get(f"debian/patches/{p}") != old_files.get(f"debian/patches/{p}")]
    if not fresh:
        return []
    entries = [(v, e) for v, e in debian_entries(changelog, old["version"]) if not _SKIP_DEB.search(e)]
    matches: dict[int, list[str]] = {}
    owners: Counter = Counter()
    for i, (_, entry) in enumerate(entries):
        cves = {c.upper() for c in _CVE.findall(entry)}
        chosen = []
        for name in fresh:
            body = new_files.get(f"debian/patches/{name}", "")
            head = parse_patch(body)[0]
            if cves and any(c in name.upper() or c in head.upper() for c in cves):
                chosen.append(name)
            elif not cves and PurePosixPath(name).name in entry:
                chosen.append(name)
        if chosen:
            matches[i] = chosen
            owners.update(chosen)
    if not matches:
        return []
    old_root = release_root(old)
    languages = source_files(old_root)
    cases = []
    for i, names in matches.items():
        if any(owners[n] > 1 for n in names):
            continue  # one patch claimed by two entries: ambiguous
        version, entry = entries[i]
        parsed = [parse_patch(new_files.get(f"debian/patches/{name}", "")) for name in names]
        header = next((head for head, _ in parsed if head), "")
        located = [patch_hunks(patch_files, old_root, languages) for _, patch_files in parsed]
        if any(found is None for found in located):
            continue  # a hunk is not where its patch says
        hunks = [hunk for found in located for hunk in found[0]]
        lengths = {path: n for found in located for path, n in found[1].items()}
        if not hunks:
            continue
        question = clean_entry(re.sub(r"\(?\s*closes:?\s*#\d+(?:\s*,\s*#\d+)*\s*\)?", "", entry, flags=re.I))
        source = "debian changelog entry"
        if words(_CVE.sub("", question)) < 4:
            described = patch_subject(header)
            if words(described) < 4:
                continue
            cves = " ".join(sorted({c.upper() for c in _CVE.findall(entry)}))
            question = f"{described} ({cves})" if cves else described
            source = "debian patch header (the changelog entry only names the CVE)"
        case = make_case("debian-patch", old, new, entry, question, hunks, lengths, old_root, source,
                         {"patches": names, "debian_upload": version})
        if case:
            cases.append(case)
    return cases


# ---------------------------------------------------------------------------------------------


def run_pair(pair: tuple[dict, dict]) -> list[dict]:
    old, new = pair
    label = f"{old['ecosystem']}:{old['package']} {old['version']} -> {new['version']}"
    try:
        cases = debian_cases(old, new) if old["ecosystem"] == "debian" else registry_cases(old, new)
    except Exception as exc:  # one broken archive must not stop the build
        log(f"  skip {label}: {type(exc).__name__}: {str(exc)[:160]}")
        if "--debug" in sys.argv:
            traceback.print_exc()
        return []
    if cases:
        log(f"  {len(cases)} case(s) from {label}: " + "; ".join(f"[{c['language']}] {c['question'][:60]}"
                                                               for c in cases))
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=["pypi", "npm", "debian"], action="append")
    parser.add_argument("--pairs", type=int, default=12, help="consecutive release pairs per package")
    parser.add_argument("--packages", help="comma-separated subset of the package lists")
    parser.add_argument("--threads", type=int, default=6, help="downloads in flight")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--debug", action="store_true")
    parser.add_argument("--merge", type=Path, nargs="+", help="only merge earlier outputs (partial builds)")
    parser.add_argument("--max-per-language", type=int, default=40,
                        help="cases of one language at most (with --add: counting those already there)")
    parser.add_argument("--language", action="append", help="keep only cases of this language (repeatable)")
    parser.add_argument("--add", action="store_true",
                        help="add the cases found to --out, keeping its cases as they are (no rebuild)")
    args = parser.parse_args()
    globals()["MAX_PER_LANGUAGE"] = args.max_per_language
    if args.merge:
        merged = [c for path in args.merge for c in json.loads(path.read_text())["cases"]]
        for case in merged:
            case["id"] = case["id"].split("#")[0]
        write_selection(merged, args.out)
        return
    sources = args.only or ["pypi", "npm", "debian"]
    subset = set(args.packages.split(",")) if args.packages else None
    pairs: list[tuple[dict, dict]] = []
    listings = []
    if "pypi" in sources:
        listings += [("pypi", p) for p in PYPI if not subset or p in subset]
    if "npm" in sources:
        listings += [("npm", p) for p in NPM + NPM_TYPESCRIPT if not subset or p in subset]

    def lookup(item):
        kind, package = item
        try:
            return pypi_pairs(package, args.pairs) if kind == "pypi" else npm_pairs(package, args.pairs)
        except Exception as exc:
            log(f"  no releases for {kind}:{package}: {exc}")
            return []

    with ThreadPoolExecutor(args.threads) as pool:
        for found in pool.map(lookup, listings):
            pairs += found
    if "debian" in sources:
        found = [p for p in debian_pairs() if not subset or p[0]["package"] in subset]
        if not found:
            log("  no Debian source pairs: add deb-src lines for bookworm and bookworm-security, apt-get update")
        pairs += found
    log(f"{len(pairs)} release pairs")
    cases: list[dict] = []
    with ThreadPoolExecutor(args.threads) as pool:
        for found in pool.map(run_pair, pairs):
            cases += found
    if args.language:
        cases = [c for c in cases if c["language"] in args.language]
    if args.add:
        add_to(cases, args.out)
    else:
        write_selection(cases, args.out)


def add_to(cases: list[dict], out: Path) -> None:
    """Add new cases to an existing file: its cases stay byte for byte as they are.

    The new ones go through the same selection (caps counted together with the cases already there
    of the same package and language); a pair and entry already in the file is not added twice.
    """
    existing = json.loads(out.read_text())["cases"] if out.is_file() else []
    known = {(c["id"].split("#")[0], c["changelog_entry"]) for c in existing}
    fresh = [c for c in cases if (c["id"], c["changelog_entry"]) not in known]
    have_package = Counter((c["report_language"], c["package"]) for c in existing)
    have_language = Counter(c["report_language"] for c in existing)
    chosen = select(fresh, have_package, have_language)
    seen = Counter(c["id"].split("#")[0] for c in existing)
    for case in chosen:
        seen[case["id"]] += 1
        case["id"] += f"#{seen[case['id']]}"
    merged = existing + chosen
    merged.sort(key=lambda c: (c["report_language"], c["package"], c["id"]))
    _write(merged, out, f"{len(chosen)} new cases added, ")


def select(cases: list[dict], have_package: Counter | None = None, have_language: Counter | None = None) -> list[dict]:
    """At most PER_PACKAGE cases a package (newest releases first), MAX_PER_LANGUAGE a language,
    taken round-robin over packages so that no single project dominates a language."""
    have_package = have_package or Counter()
    have_language = have_language or Counter()
    # Debian's cases were chosen by their patch (its subject, for upstream patches), not by the wording.
    cases = [c for c in cases if c["rule"] in ("debian-patch", "debian-upstream-patch") or is_code_entry(c["question"])]
    by_package: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for case in cases:
        by_package[(case["report_language"], case["package"])].append(case)
    chosen: list[dict] = []
    per_language: dict[str, list[list[dict]]] = defaultdict(list)
    for key, items in sorted(by_package.items()):
        per_language[key[0]].append(list(reversed(items))[:max(0, PER_PACKAGE - have_package[key])])
    for lang, queues in sorted(per_language.items()):
        picked: list[dict] = []
        room = MAX_PER_LANGUAGE - have_language[lang]
        while len(picked) < room and any(queues):
            for queue in queues:
                if queue and len(picked) < room:
                    picked.append(queue.pop(0))
        chosen += picked
    return chosen


def write_selection(cases: list[dict], out: Path) -> None:
    chosen = select(cases)
    seen: Counter = Counter()
    for case in chosen:
        seen[case["id"]] += 1
        case["id"] += f"#{seen[case['id']]}"
    chosen.sort(key=lambda c: (c["report_language"], c["package"], c["id"]))
    _write(chosen, out)


def _write(chosen: list[dict], out: Path, note: str = "") -> None:
    out.write_text(json.dumps({"version": 1, "built_by": "benchmarks/fix_eval_build.py",
                                    "cases": chosen}, indent=1, ensure_ascii=False) + "\n")
    counts = Counter(c["report_language"] for c in chosen)
    log(f"{note}{len(chosen)} cases written to {out}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))


if __name__ == "__main__":
    main()
