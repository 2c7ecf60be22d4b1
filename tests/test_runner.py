"""dlcourse.runner: papermill execution, outcomes collected, summaries written."""

import json

import nbformat
from notebook_factory import clean_notebook

from dlcourse import outcomes, runner

RECORDING_BODY = (
    "from dlcourse import outcomes\n"
    "outcomes.record('profile seen', {'smoke': 1.0, 'laptop': 2.0}[PROFILE], unit='')\n"
    "outcomes.record('accuracy', 0.9, {'smoke': 0.5})",
)


def test_runner_injects_the_profile_and_collects_outcomes(tmp_path, capsys):
    path = clean_notebook(tmp_path / "07_example.ipynb", body=RECORDING_BODY)
    build = tmp_path / "build"
    status = runner.run([path], profile="smoke", build=build, progress=False)
    assert status == 0
    summary = json.loads((build / "summary-smoke.json").read_text())
    (chapter,) = summary["chapters"]
    assert chapter["status"] == "passed" and chapter["profile"] == "smoke"
    assert [(o["name"], o["value"], o["passed"]) for o in chapter["outcomes"]] == [
        ("profile seen", 1.0, None), ("accuracy", 0.9, True)]
    assert (build / "notebooks" / "smoke" / "07_example.ipynb").exists()
    printed = capsys.readouterr().out
    assert "07_example.ipynb" in printed and "1 passed, 0 failed" in printed


def test_runner_reports_a_missed_target_as_a_failure(tmp_path, capsys):
    body = ("from dlcourse import outcomes\noutcomes.record('accuracy', 0.4, {'smoke': 0.5})",)
    path = clean_notebook(tmp_path / "07_example.ipynb", body=body)
    assert runner.run([path], profile="smoke", build=tmp_path / "b", progress=False) == 1
    (chapter,) = json.loads((tmp_path / "b" / "summary.json").read_text())["chapters"]
    assert chapter["status"] == "failed" and "OutcomeError" in chapter["error"]
    assert chapter["outcomes"][0]["passed"] is False


def test_outcome_mimetype_survives_papermill(tmp_path):
    path = clean_notebook(tmp_path / "07_example.ipynb", body=RECORDING_BODY)
    runner.run([path], profile="laptop", build=tmp_path / "b", progress=False)
    executed = nbformat.read(str(tmp_path / "b" / "notebooks" / "laptop" / path.name), 4)
    assert [o["value"] for o in outcomes.from_notebook(executed)][0] == 2.0


def test_brief_lists_targets_and_counts_checks():
    records = [
        {"name": "accuracy", "value": 0.98, "target": 0.97, "higher_is_better": True,
         "passed": True, "unit": ""},
        {"name": "max diff", "value": 1e-7, "target": 1e-5, "higher_is_better": False,
         "passed": True, "unit": ""},
        {"name": "loss fell", "value": 1.0, "target": 1.0, "higher_is_better": True,
         "passed": True, "unit": "check"},
        {"name": "speed", "value": 3.0, "target": None, "higher_is_better": True,
         "passed": None, "unit": "x"},
    ]
    assert runner.brief(records) == ("✔ accuracy = 0.98 (target ≥ 0.97); "
                                      "2/2 exactness and yes/no checks passed")


def test_a_partial_run_keeps_the_other_chapters_of_the_summary(tmp_path):
    previous = tmp_path / "summary-laptop.json"
    old = [{"notebook": n, "wall_s": 1.0} for n in ("01_a.ipynb", "02_b.ipynb")]
    previous.write_text(json.dumps({"chapters": old}))
    chapters = runner.merged(previous, [{"notebook": "02_b.ipynb", "wall_s": 5.0},
                                        {"notebook": "00_c.ipynb", "wall_s": 2.0}])
    assert [(c["notebook"], c["wall_s"]) for c in chapters] == [
        ("00_c.ipynb", 2.0), ("01_a.ipynb", 1.0), ("02_b.ipynb", 5.0)]
    assert runner.merged(tmp_path / "none.json", old) == old
