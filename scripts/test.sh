#!/usr/bin/env bash
# The whole test suite in one command: install what is missing, build, run every test
# (Check unit suites and the integration tests that start real processes) with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure -j2
