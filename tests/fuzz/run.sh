#!/usr/bin/env bash
# Runs every libFuzzer target in a build directory for a fixed time, each from its committed
# seed corpus (tests/fuzz/corpus/<target>/), and fails if any of them finds a crash.
#
# usage: tests/fuzz/run.sh BUILD_DIR SECONDS
#
# BUILD_DIR is a -DMODKIT_FUZZ=ON build. libstdc++ 12's <expected> needs C++20 concepts level
# 202002, which clang < 19 does not announce; clang >= 16 compiles it when told so:
#   CC=clang-16 CXX=clang++-16 cmake -S . -B build-fuzz -G Ninja -DMODKIT_FUZZ=ON \
#     -DMODKIT_TESTS=OFF -DMODKIT_WERROR=OFF \
#     "-DCMAKE_CXX_FLAGS=-D__cpp_concepts=202002L -Wno-macro-redefined"
#   ninja -C build-fuzz
# (Debian 12's default clang 14 cannot build the core library: it lacks conditionally trivial
# special members, which std::expected uses.)
#
# New inputs found during the run go to a scratch corpus, not into the committed seeds; crash
# reproducers are kept in BUILD_DIR/fuzz-artifacts/<target>/.
set -u

if [ $# -ne 2 ]; then
    echo "usage: $0 BUILD_DIR SECONDS" >&2
    exit 2
fi
build_dir=$1
seconds=$2
here=$(cd "$(dirname "$0")" && pwd)

shopt -s nullglob
targets=("$build_dir"/fuzz_*)
if [ ${#targets[@]} -eq 0 ]; then
    echo "$0: no fuzz_* binaries in $build_dir (configure with -DMODKIT_FUZZ=ON)" >&2
    exit 2
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/modkit-fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

failed=()
for bin in "${targets[@]}"; do
    [ -x "$bin" ] && [ -f "$bin" ] || continue
    name=$(basename "$bin")
    seeds="$here/corpus/$name"
    work="$scratch/$name"
    artifacts="$build_dir/fuzz-artifacts/$name"
    mkdir -p "$work" "$artifacts"
    corpora=("$work")
    if [ -d "$seeds" ]; then corpora+=("$seeds"); else echo "$0: warning: no seed corpus $seeds" >&2; fi
    log="$scratch/$name.log"
    echo "== $name: ${seconds}s"
    # The decoders may legitimately build images up to 1 GiB, so allow more than the default
    # 2 GiB of RSS before libFuzzer calls it an out-of-memory crash.
    "$bin" -max_total_time="$seconds" -rss_limit_mb=4096 -timeout=60 -print_final_stats=1 \
        -artifact_prefix="$artifacts/" "${corpora[@]}" >"$log" 2>&1
    rc=$?
    grep -E "^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::new_units_added)" "$log" | tail -3
    if [ $rc -ne 0 ]; then
        echo "!! $name failed (exit $rc); last lines of its log:"
        tail -40 "$log"
        failed+=("$name")
    fi
done

if [ ${#failed[@]} -ne 0 ]; then
    echo "FAILED: ${failed[*]} (reproducers in $build_dir/fuzz-artifacts/)"
    exit 1
fi
echo "all fuzz targets ran ${seconds}s without a crash"
