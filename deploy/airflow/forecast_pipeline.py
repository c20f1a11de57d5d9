"""The forecast pipeline as an Apache Airflow 3 DAG.

Every task runs the `forecast` command-line tool. This file imports nothing of the
project and reads no Variable at parse time, so the scheduler parses it in
milliseconds and the binary, plugins and data need to exist on the workers only.

Graph (the seed's order):

    prepare -> [fetch_temperature, fetch_humidity] -> ingest -> plan_training
            -> train (mapped: one task per plugin x city) -> check_models -> reload_server

Settings. Each is resolved when a task runs, first match wins:
  1. the run's params (`airflow dags trigger forecast_pipeline --conf '{"workdir": "..."}'`),
  2. the Airflow Variable `forecast_<name>` (e.g. `forecast_database`),
  3. the default below.

    forecast_bin   forecast                    the forecast executable (on every worker's PATH, or a path)
    workdir        /var/lib/forecast           --workdir: downloads, processed CSVs, SQLite store, model files
    database       (empty)                     --database: empty = SQLite in workdir; postgresql://... to share
    config         (empty)                     --config: plugins.json (empty = the binary's default)
    plugin_dir     (empty)                     --plugin-dir (empty = the binary's default)
    temperature    the course's public URL     source of temperature.csv(.zip): URL or path
    humidity       the course's public URL     source of humidity.csv(.zip): URL or path
    cities         ["San Francisco"]           cities to ingest and train; ["*"] = every city in the data
    plugins        ["arima", "autoreg"]        plugins to train
    server_url     (empty)                     a running `forecast serve` to reload (empty = skip)
    worker_workdir (empty)                     a directory under which each train task and check_models
                                               get a work directory of their own (empty = workdir)

With a PostgreSQL `database` the train tasks read the store and publish their models into
it, and check_models checks the store's models: with `worker_workdir` those tasks share no
disk with each other or with the serving hosts, which reload by the store's notification
(leave `server_url` empty). fetch and ingest still share `workdir` (ingest reads what
fetch downloaded).
"""
from __future__ import annotations

import json
import shlex
from datetime import datetime, timedelta

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG, task

DEFAULTS = {
    "forecast_bin": "forecast",
    "workdir": "/var/lib/forecast",
    "database": "",
    "config": "",
    "plugin_dir": "",
    "temperature": "https://raw.githubusercontent.com/manuparra/MaterialCC2020/master/temperature.csv.zip",
    "humidity": "https://raw.githubusercontent.com/manuparra/MaterialCC2020/master/humidity.csv.zip",
    "cities": ["San Francisco"],
    "plugins": ["arima", "autoreg"],
    "server_url": "",
    "worker_workdir": "",
}


def setting(params, name):
    """Resolves a setting at run time: run params, then Variable `forecast_<name>`, then DEFAULTS."""
    value = params.get(name) if params else None
    if value not in (None, "", []):
        return value
    from airflow.sdk import Variable  # run time only

    stored = Variable.get(f"forecast_{name}", default=None)
    if stored is None:
        return DEFAULTS[name]
    if isinstance(DEFAULTS[name], list):
        try:
            return json.loads(stored)
        except ValueError:
            return [item.strip() for item in stored.split(",") if item.strip()]
    return stored


def common_options(params, workdir=None) -> list[str]:
    """--workdir (`workdir` or the setting) plus --database/--config/--plugin-dir when set."""
    options = ["--workdir", workdir or setting(params, "workdir")]
    for name in ("database", "config", "plugin_dir"):
        value = setting(params, name)
        if value:
            options += ["--" + name.replace("_", "-"), value]
    return options


def forecast_command(params, subcommand: str, *extra: str, workdir=None) -> str:
    """One `forecast` command line, shell-quoted."""
    return shlex.join([setting(params, "forecast_bin"), subcommand, *common_options(params, workdir), *extra])


def worker_workdir(params, name: str):
    """The work directory of its own that task `name` gets under `worker_workdir`, or None (the shared one)."""
    base = setting(params, "worker_workdir")
    if not base:
        return None
    slug = "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")
    return f"{base.rstrip('/')}/{slug}"


def plugin_options(params) -> list[str]:
    """--plugin for each configured plugin."""
    return [argument for plugin in setting(params, "plugins") for argument in ("--plugin", plugin)]


def city_options(params) -> list[str]:
    cities = setting(params, "cities")
    if cities == ["*"]:
        return ["--all-cities"]
    return [argument for city in cities for argument in ("--city", city)]


with DAG(
    dag_id="forecast_pipeline",
    description="Fetch, ingest and train the weather forecast models, then check them and reload the server.",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["forecast"],
    params={name: "" if not isinstance(value, list) else [] for name, value in DEFAULTS.items()},
    user_defined_macros={
        "forecast_command": forecast_command,
        "worker_workdir": worker_workdir,
        "city_options": city_options,
        "plugin_options": plugin_options,
        "setting": setting,
        "shlex": shlex,
    },
) as dag:
    prepare = BashOperator(
        task_id="prepare",
        bash_command="mkdir -p {{ shlex.quote(setting(params, 'workdir')) }}/data "
        "&& {{ shlex.quote(setting(params, 'forecast_bin')) }} --version "
        "&& {{ forecast_command(params, 'plugins') }}",
    )

    fetch_retries = {"retries": 3, "retry_delay": timedelta(seconds=20), "retry_exponential_backoff": True}
    fetch_temperature = BashOperator(
        task_id="fetch_temperature",
        bash_command="{{ forecast_command(params, 'fetch', '--only', 'temperature', "
        "'--temperature', setting(params, 'temperature')) }}",
        **fetch_retries,
    )
    fetch_humidity = BashOperator(
        task_id="fetch_humidity",
        bash_command="{{ forecast_command(params, 'fetch', '--only', 'humidity', "
        "'--humidity', setting(params, 'humidity')) }}",
        **fetch_retries,
    )

    ingest = BashOperator(
        task_id="ingest",
        bash_command="{{ forecast_command(params, 'ingest', *city_options(params)) }}",
    )

    @task
    def plan_training(params=None) -> list[str]:
        """One `forecast train` command per plugin and city: the fan-out of the train step.

        With cities ["*"], the cities are the ones the ingest step stored, listed by
        `forecast cities --json` at run time.
        """
        import subprocess

        cities = setting(params, "cities")
        if cities == ["*"]:
            listing = subprocess.run(shlex.split(forecast_command(params, "cities", "--json")),
                                     check=True, capture_output=True, text=True).stdout
            cities = json.loads(listing)["cities"]
        return [
            forecast_command(params, "train", "--plugin", plugin, "--city", city,
                             workdir=worker_workdir(params, f"train {plugin} {city}"))
            for plugin in setting(params, "plugins")
            for city in cities
        ]

    planned = plan_training()
    train = BashOperator.partial(task_id="train", retries=1).expand(bash_command=planned)

    check_models = BashOperator(
        task_id="check_models",
        bash_command="{{ forecast_command(params, 'verify-models', '--hours', '72', *plugin_options(params), "
        "workdir=worker_workdir(params, 'check models')) }}",
    )

    reload_server = BashOperator(
        task_id="reload_server",
        bash_command="{% set url = setting(params, 'server_url') %}"
        "{% if url %}curl -fsS -X POST {{ shlex.quote(url ~ '/admin/reload') }}"
        "{% else %}echo 'no server_url set: nothing to reload'{% endif %}",
    )

    prepare >> [fetch_temperature, fetch_humidity] >> ingest >> planned
    train >> check_models >> reload_server
