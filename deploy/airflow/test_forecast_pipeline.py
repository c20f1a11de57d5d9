"""Checks the DAG's shape and commands without running the project (pytest, Airflow installed)."""
from __future__ import annotations

import ast
import pathlib
import time

import pytest

DAG_FILE = pathlib.Path(__file__).with_name("forecast_pipeline.py")


def load_module(name="forecast_pipeline_under_test"):
    """Executes the DAG file as the scheduler's parser would (no metadata database needed)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, DAG_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_dag():
    return load_module().dag


def test_graph_follows_the_seed_order():
    dag = load_dag()
    upstream = {task.task_id: sorted(task.upstream_task_ids) for task in dag.tasks}
    assert upstream == {
        "prepare": [],
        "fetch_temperature": ["prepare"],
        "fetch_humidity": ["prepare"],
        "ingest": ["fetch_humidity", "fetch_temperature"],
        "plan_training": ["ingest"],
        "train": ["plan_training"],
        "check_models": ["train"],
        "reload_server": ["check_models"],
    }


def test_fetch_tasks_retry_and_train_is_mapped():
    dag = load_dag()
    assert dag.get_task("fetch_temperature").retries == 3
    assert dag.get_task("fetch_humidity").retries == 3
    assert type(dag.get_task("train")).__name__ == "MappedOperator"


def test_the_dag_file_imports_no_project_code():
    tree = ast.parse(DAG_FILE.read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert imported <= {"__future__", "json", "shlex", "datetime", "airflow", "subprocess"}, imported


def test_parsing_the_file_is_fast_once_airflow_is_imported():
    load_module("forecast_pipeline_warm")  # imports Airflow itself: its cost, not the DAG's
    start = time.perf_counter()
    module = load_module("forecast_pipeline_timing")
    elapsed = time.perf_counter() - start
    print(f"DAG file executed in {elapsed * 1000:.1f} ms")
    assert module.dag.dag_id == "forecast_pipeline"


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"cities": ["San Francisco"]}, ["--city", "San Francisco"]),
        ({"cities": ["*"]}, ["--all-cities"]),
        ({"cities": ["Portland", "Seattle"]}, ["--city", "Portland", "--city", "Seattle"]),
    ],
)
def test_city_options(params, expected):
    module = load_module("forecast_pipeline_cities")
    assert module.city_options(params) == expected


def test_worker_workdir_gives_each_train_task_and_the_check_a_directory_of_their_own():
    module = load_module("forecast_pipeline_workdirs")
    params = {"workdir": "/srv/shared", "worker_workdir": "/local/forecast", "database": "postgresql://db/forecast"}
    train = module.forecast_command(params, "train", "--plugin", "arima", "--city", "San Francisco",
                                    workdir=module.worker_workdir(params, "train arima San Francisco"))
    assert "--workdir /local/forecast/train-arima-san-francisco" in train
    assert "--database postgresql://db/forecast" in train
    assert module.worker_workdir(params, "check models") == "/local/forecast/check-models"
    assert module.worker_workdir({"workdir": "/srv/shared"}, "check models") is None
    assert "--workdir /srv/shared" in module.forecast_command({"workdir": "/srv/shared"}, "ingest")
