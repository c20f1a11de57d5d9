#!/bin/sh
# Creates the benchmark's Python environment outside the repository, from PyPI:
# the anchors (statsmodels, statsforecast) and the packages the real series ship in
# (vega_datasets, pvlib). Versions are the ones the README's numbers were measured with.
# Usage: bench/quality/setup.sh            (venv at $FORECAST_QUALITY_VENV, default ~/.cache/forecast-quality/venv)
# Then:  bench/quality/run ...              (finds that venv by itself)
set -eu
VENV=${FORECAST_QUALITY_VENV:-$HOME/.cache/forecast-quality/venv}
PY=${PYTHON3:-python3}
if [ ! -x "$VENV/bin/python" ]; then
  mkdir -p "$(dirname "$VENV")"
  "$PY" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet \
  numpy==2.4.6 pandas==2.3.3 scipy==1.17.1 statsmodels==0.15.0 statsforecast==2.1.1 \
  vega_datasets==0.9.0 pvlib==0.16.1
"$VENV/bin/python" -c "import statsmodels, statsforecast, vega_datasets, pvlib; print('ready:', '$VENV')"
