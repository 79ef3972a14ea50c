#!/usr/bin/env bash
# Builds llama.cpp's llama-server (CPU) from the llama.cpp sources inside the llama-cpp-python sdist
# the app pins, for the tests and benchmarks that run the app against a real llama-server. Cached:
# a second run finds the binary and returns at once.
#
#   scripts/build_llama_server.sh        prints the binary's path on stdout (progress goes to stderr)
#
# CODELLAMA_LLAMA_SERVER_DIR overrides the cache folder
# (default ~/.cache/codellama-desktop/llama-server-<version>-cpu; tests/fixtures/servers.py looks there).
# CMAKE_BUILD_PARALLEL_LEVEL overrides the number of compile jobs (default: every core).
set -euo pipefail
cd "$(dirname "$0")/.."

version=0.3.36  # keep in step with llama_version in scripts/setup.sh and LLAMA_SERVER_VERSION in tests/fixtures/servers.py
cache=${CODELLAMA_LLAMA_SERVER_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/codellama-desktop/llama-server-$version-cpu}
binary=$cache/bin/llama-server

# The binary is only moved into place after a build that finished, so its presence is the stamp.
if [[ -x $binary ]]; then
  echo "$binary"
  exit 0
fi

python=${PYTHON:-}
if [[ -z $python ]]; then
  if [[ -x .venv/bin/python ]]; then python=.venv/bin/python; else python=python3; fi
fi
for tool in cmake c++; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "build_llama_server: '$tool' is needed (Debian/Ubuntu: apt-get install cmake g++)" >&2
    exit 2
  fi
done

mkdir -p "$cache/sdist"
sdist=$cache/sdist/llama_cpp_python-$version.tar.gz
if [[ ! -f $sdist ]]; then
  echo "build_llama_server: fetching the llama-cpp-python $version sdist" >&2
  # --no-binary names only this package: with :all: pip would also build the sdist's build
  # dependencies (scikit-build-core, its own dependencies) from source just to read its metadata.
  "$python" -m pip download --disable-pip-version-check -q --no-deps \
    --no-binary llama-cpp-python "llama-cpp-python==$version" -d "$cache/sdist" >&2
fi

work=$(mktemp -d "$cache/build.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "build_llama_server: unpacking llama.cpp from the sdist" >&2
tar -xzf "$sdist" -C "$work" "llama_cpp_python-$version/vendor/llama.cpp"
source_dir=$work/llama_cpp_python-$version/vendor/llama.cpp

generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
jobs=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc 2>/dev/null || sysctl -n hw.ncpu 2>/dev/null || echo 2)}
echo "build_llama_server: building llama-server (CPU, $jobs jobs; takes several minutes on few cores)" >&2
# Static and CPU only, so the one binary runs on its own. No web UI: its prebuilt assets would be
# fetched from the net at build time, and the tests only use the HTTP API. No HTTPS either (model
# downloads by URL are not used). LLAMA_CURL is gone from this llama.cpp (it warns that the option
# is ignored); OpenSSL is what it uses for HTTPS now, hence LLAMA_OPENSSL=OFF.
cmake -S "$source_dir" -B "$work/build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
  -DBUILD_SHARED_LIBS=OFF -DGGML_CUDA=OFF -DGGML_METAL=OFF -DGGML_VULKAN=OFF \
  -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF \
  -DLLAMA_BUILD_APP=OFF -DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_OPENSSL=OFF \
  >"$work/configure.log" 2>&1 || { tail -40 "$work/configure.log" >&2; echo "build_llama_server: CMake configure failed" >&2; exit 1; }
# Nice: the build shares the machine with whatever else runs (tests, other builds).
nice -n 10 cmake --build "$work/build" --target llama-server --parallel "$jobs" \
  >"$work/build.log" 2>&1 || { tail -60 "$work/build.log" >&2; echo "build_llama_server: the build failed" >&2; exit 1; }

mkdir -p "$cache/bin"
cp "$work/build/bin/llama-server" "$binary.tmp"
mv -f "$binary.tmp" "$binary"
echo "$version $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -sm)" >"$cache/BUILD_INFO"
echo "build_llama_server: built $binary" >&2
echo "$binary"
