#!/usr/bin/env bash
# Builds the release libAutoReg.so and runs the AutoReg benchmark against statsmodels.
#   bench/autoreg/run.sh [--seasonal] [--repeat N]
# Needs the shared venv with statsmodels (PYTHON overrides /work/venv/bin/python).
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --scratch-path .build-autoreg --product AutoReg >/dev/null
"${PYTHON:-/work/venv/bin/python}" bench/autoreg/run.py --lib .build-autoreg/release/libAutoReg.so "$@"
