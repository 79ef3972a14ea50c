"""Archives for the fix evaluation: download (cached), check, unpack, and classify source files.

Used by fix_eval_build.py (which makes benchmarks/fix_eval_cases.json) and fix_eval.py (which
runs it). Everything downloaded or unpacked lives under ~/.cache/codellama-eval/, never in the
repository. Three kinds of archive are known:

- "pypi": one sdist (.tar.gz, .tar.bz2 or .zip) from PyPI,
- "npm": one tarball from the npm registry (its tree is under package/),
- "debian": a Debian source package (.dsc plus its tarballs), unpacked with dpkg-source so that
  the Debian patches are applied, which is the tree as the distribution builds it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tarfile
import threading
import time
import urllib.request
import zipfile
from pathlib import Path, PurePosixPath

CACHE = Path(os.environ.get("CODELLAMA_EVAL_CACHE", Path.home() / ".cache" / "codellama-eval"))
ARCHIVES = CACHE / "archives"
TREES = CACHE / "trees"
META = CACHE / "meta"
USER_AGENT = "codellama-desktop-fix-eval/1 (benchmark)"

# ---------------------------------------------------------------------------------------------
# Downloads


def http_get(url: str, attempts: int = 3, timeout: float = 60.0) -> bytes:
    last: Exception | None = None
    for attempt in range(attempts):
        try:
            request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.read()
        except Exception as exc:  # network hiccups: retry a few times, then give up
            last = exc
            if getattr(exc, "code", None) == 404:
                break
            time.sleep(1.5 * (attempt + 1))
    raise RuntimeError(f"download failed: {url}: {last}")


def cached_json(url: str, name: str, max_age_s: float = 7 * 86400) -> dict:
    """Registry metadata (PyPI or npm JSON), cached for a week."""
    META.mkdir(parents=True, exist_ok=True)
    path = META / (re.sub(r"[^\w.-]+", "_", name) + ".json")
    if path.is_file() and time.time() - path.stat().st_mtime < max_age_s:
        return json.loads(path.read_text())
    data = json.loads(http_get(url))
    path.write_text(json.dumps(data))
    return data


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch(url: str, sha256: str | None = None) -> Path:
    """The archive at `url`, from the cache or downloaded into it; checked against `sha256` if given."""
    ARCHIVES.mkdir(parents=True, exist_ok=True)
    name = PurePosixPath(urllib.request.url2pathname(url.split("?")[0])).name
    tag = hashlib.sha1(url.encode()).hexdigest()[:10]
    path = ARCHIVES / f"{tag}-{name}"
    if not path.is_file():
        try:
            data = http_get(url)
        except RuntimeError:
            # A Debian upload can sit in the other archive's pool (security vs main).
            other = url.replace("/debian/pool/", "/debian-security/pool/") if "/debian/pool/" in url else \
                url.replace("/debian-security/pool/", "/debian/pool/")
            if other == url:
                raise
            data = http_get(other)
        tmp = path.with_suffix(path.suffix + f".{threading.get_ident()}.part")
        tmp.write_bytes(data)
        tmp.replace(path)
    if sha256 and sha256_file(path) != sha256:
        path.unlink()
        raise RuntimeError(f"sha256 mismatch for {url}")
    return path


# ---------------------------------------------------------------------------------------------
# Unpacking


def _safe_members(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    keep = []
    for member in tar.getmembers():
        name = member.name
        if name.startswith("/") or ".." in PurePosixPath(name).parts:
            continue
        if not (member.isfile() or member.isdir()):
            continue  # links and devices are never needed for reading source
        keep.append(member)
    return keep


def unpack_archive(archive: Path, dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    if archive.suffix == ".zip":
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                parts = PurePosixPath(info.filename).parts
                if info.is_dir() or info.filename.startswith("/") or ".." in parts:
                    continue
                target = dest.joinpath(*parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(zf.read(info))
        return
    with tarfile.open(archive) as tar:
        members = _safe_members(tar)
        tar.extractall(dest, members=members, filter="fully_trusted")  # members checked above
    for path in dest.rglob("*"):  # npm tarballs sometimes carry unreadable modes
        try:
            if path.is_dir():
                path.chmod(0o755)
            elif path.is_file():
                path.chmod(0o644)
        except OSError:
            pass


def unpack_debian(files: list[dict], dest: Path, before_patch: str | None = None) -> None:
    """files: [{"url", "sha256", "name"}], the .dsc first; dpkg-source applies the patches.

    With `before_patch`, the tree is upstream's with only the patches of debian/patches/series that
    come before that one applied, and without debian/: the tree as it was just before that fix."""
    work = dest.parent / (dest.name + ".dl")
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    dsc = None
    for item in files:
        path = fetch(item["url"], item.get("sha256"))
        if not (work / item["name"]).exists():
            os.link(path, work / item["name"])
        if item["name"].endswith(".dsc"):
            dsc = work / item["name"]
    assert dsc is not None, "no .dsc in a Debian source package"
    out = work / "src"
    skip = ["--skip-patches"] if before_patch else []
    run = subprocess.run(["dpkg-source", "--no-check", *skip, "-x", str(dsc), str(out)],
                         capture_output=True, text=True)
    if run.returncode != 0 or not out.is_dir():
        raise RuntimeError(f"dpkg-source failed for {dsc.name}: {run.stderr[-500:]}")
    if before_patch:
        apply_series_until(out, before_patch)
        # debian/ holds the fix itself (debian/patches/<it>) and is not part of upstream's tree.
        shutil.rmtree(out / "debian")
    out.rename(dest)
    shutil.rmtree(work, ignore_errors=True)


def series_entries(series: str) -> list[tuple[str, int]]:
    """(patch name, strip level) of each line of a quilt series file, in order."""
    out = []
    for line in series.splitlines():
        parts = line.split("#", 1)[0].split()
        if parts:
            level = next((int(p[2:]) for p in parts[1:] if re.fullmatch(r"-p\d+", p)), 1)
            out.append((parts[0], level))
    return out


def apply_series_until(tree: Path, stop: str) -> None:
    """Apply the series' patches in order up to, not including, `stop` (which must be listed)."""
    patches = tree / "debian" / "patches"
    entries = series_entries((patches / "series").read_text(errors="replace"))
    if stop not in [name for name, _ in entries]:
        raise RuntimeError(f"{stop} is not in debian/patches/series")
    for name, level in entries:
        if name == stop:
            return
        run = subprocess.run(["patch", f"-p{level}", "-s", "-f", "-N", "--no-backup-if-mismatch",
                              "-i", str(patches / name)], cwd=tree, capture_output=True, text=True)
        if run.returncode != 0:
            raise RuntimeError(f"patch {name} does not apply: {(run.stdout + run.stderr)[-300:]}")


_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def tree_for(spec: dict) -> Path:
    """The unpacked tree of one release: spec is a case's "old" (or "new") entry. Returns its root."""
    what = spec.get("files") or spec["url"]
    if spec.get("before_patch"):  # a tree of its own (older cases keep their keys)
        what = {"files": what, "before_patch": spec["before_patch"]}
    key = hashlib.sha1(json.dumps(what, sort_keys=True).encode()).hexdigest()[:16]
    with _locks_guard:
        lock = _locks.setdefault(key, threading.Lock())
    with lock:
        return _tree_for(spec, key)


def _tree_for(spec: dict, key: str) -> Path:
    dest = TREES / key
    done = dest / ".complete"
    if not done.is_file():
        if dest.exists():
            shutil.rmtree(dest)
        tmp = TREES / (key + ".tmp")
        if tmp.exists():
            shutil.rmtree(tmp)
        if spec["ecosystem"] == "debian":
            unpack_debian(spec["files"], tmp / "src", spec.get("before_patch"))
        else:
            unpack_archive(fetch(spec["url"], spec.get("sha256")), tmp)
        (tmp / ".complete").write_text("ok")
        tmp.rename(dest)
    root = dest / spec["root"] if spec.get("root") else dest
    return root


def top_folder(path: Path) -> str:
    """The single top-level folder of an unpacked archive ('' when there is none)."""
    entries = [p for p in path.iterdir() if p.name != ".complete"]
    return entries[0].name if len(entries) == 1 and entries[0].is_dir() else ""


# ---------------------------------------------------------------------------------------------
# Which files are source code of which language

EXTENSIONS = {
    ".py": "python",
    ".c": "c",
    ".cc": "cpp", ".cpp": "cpp", ".cxx": "cpp", ".hpp": "cpp", ".hh": "cpp", ".hxx": "cpp", ".ipp": "cpp",
    ".java": "java",
    ".php": "php",
    ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".jsx": "javascript",
    ".ts": "typescript", ".tsx": "typescript", ".mts": "typescript", ".cts": "typescript",
    ".cs": "csharp",
    ".go": "go",
    ".rs": "rust",
    ".rb": "ruby",
    ".sh": "bash", ".bash": "bash",
}
# The language a case is reported under. JavaScript cases keep the "js/ts" label they were built with
# (the runner shows them as "javascript"); TypeScript cases are reported as their own language.
REPORT_LANGUAGE = {"javascript": "js/ts"}

_SKIP_DIRS = {"test", "tests", "testing", "testsuite", "spec", "specs", "__tests__", "__mocks__", "testdata",
              "fixtures", "fixture", "doc", "docs", "documentation", "example", "examples", "sample", "samples",
              "demo", "demos", "bench", "benches", "benchmark", "benchmarks", "vendor", "vendored", "_vendor",
              "third_party", "thirdparty", "third-party", "3rdparty", "external", "extern", "deps", "node_modules",
              "dist", "build", "umd", "bundle", "bundles", ".github", ".circleci", "debian", ".pc", "po",
              "locale", "locales", "i18n", "scripts", "tools", "ci", "contrib", "man", "perf", "fuzz", "fuzzing",
              "oss-fuzz", "t", "regress", "conformance", "e2e", "cmake", "m4", "autom4te.cache", "site-packages",
              "typings", "types", "@types", "coverage", "htmlcov", "stubs"}
_SKIP_FILES = {"setup.py", "conftest.py", "noxfile.py", "tasks.py", "fabfile.py", "configure", "ltmain.sh",
               "config.guess", "config.sub", "install-sh", "depcomp", "missing", "compile", "gulpfile.js",
               "gruntfile.js", "Gruntfile.js", "webpack.config.js", "rollup.config.js", "babel.config.js",
               "jest.config.js", "karma.conf.js", "eslint.config.js", ".eslintrc.js", "vite.config.ts",
               "build.rs", "versioneer.py", "_version.py", "version.py", "__version__.py", "__about__.py",
               "version.js", "version.ts", "version.h", "version.c", "version.go", "version.rb", "version.rs",
               "Version.java", "version.php", "config.h"}
_TEST_NAME = re.compile(r"(^test_.*\.py$|_test\.py$|_tests?\.(go|c|cc|cpp|rb|rs)$|^test[-_]|[.-](test|spec)\.[cm]?[jt]sx?$"
                        r"|Tests?\.(java|cs|php)$|_spec\.rb$|\.d\.[cm]?ts$|\.min\.js$|\.bundle\.js$|-min\.js$)")
GENERATED_MARK = re.compile(r"generated by|do not edit|autogenerated|auto-generated|automatically generated|"
                            r"code generated|@generated|this file was generated", re.I)


def language_of(path: str, cpp_headers: bool = False) -> str | None:
    """The language of a source file we score, or None (tests, docs, vendored, build files...)."""
    pure = PurePosixPath(path)
    name = pure.name
    suffix = pure.suffix.lower()
    if suffix == ".h":
        lang = "cpp" if cpp_headers else "c"
    else:
        lang = EXTENSIONS.get(suffix)
    if lang is None:
        return None
    if name in _SKIP_FILES or _TEST_NAME.search(name):
        return None
    dirs = [p.lower() for p in pure.parts[:-1]]
    if any(d in _SKIP_DIRS or d.startswith("test") or d.endswith("tests") or d.endswith("_test") for d in dirs):
        return None
    return lang


def looks_generated(text: str) -> bool:
    head = "\n".join(text.splitlines()[:8])
    if GENERATED_MARK.search(head):
        return True
    lines = text.splitlines() or [""]
    return sum(len(line) for line in lines) / len(lines) > 300  # minified
