import math

import pytest

from dlcourse import outcomes


def test_a_target_per_profile_is_asserted(profile):
    profile("laptop")
    assert outcomes.record("accuracy", 0.975, {"laptop": 0.97, "full": 0.98}) is None
    entry = outcomes.records()[-1]
    assert entry["passed"] is True and entry["target"] == 0.97
    with pytest.raises(outcomes.OutcomeError, match=r"accuracy = 0.965.*≥ 0.97.*laptop"):
        outcomes.record("accuracy", 0.965, {"laptop": 0.97, "full": 0.98})


def test_profiles_without_a_target_are_only_recorded(profile):
    profile("smoke")
    outcomes.record("accuracy", 0.1, {"laptop": 0.97})
    entry = outcomes.records()[-1]
    assert entry["passed"] is None and entry["target"] is None


def test_a_number_target_applies_in_every_profile(profile):
    for name in ("smoke", "laptop", "full"):
        profile(name)
        outcomes.record("max |hand - tf|", 3e-7, 1e-5, higher_is_better=False)
        with pytest.raises(outcomes.OutcomeError):
            outcomes.record("max |hand - tf|", 2e-5, 1e-5, higher_is_better=False)


def test_non_finite_values_always_fail(profile):
    profile("smoke")
    with pytest.raises(outcomes.OutcomeError):
        outcomes.record("loss", math.nan)


def test_numpy_and_tensorflow_scalars_are_accepted(profile):
    import numpy as np
    import tensorflow as tf

    profile("smoke")
    outcomes.record("a", np.float32(0.5))
    outcomes.record("b", tf.constant(2.0))
    assert [r["value"] for r in outcomes.records()] == [0.5, 2.0]


def test_check_records_and_fails(profile):
    profile("smoke")
    outcomes.check("loss fell", True)
    with pytest.raises(outcomes.OutcomeError, match="loss fell.*from 1 to 2"):
        outcomes.check("loss fell", False, "from 1 to 2")
    assert [r["passed"] for r in outcomes.records()] == [True, False]


@pytest.mark.parametrize("kwargs, error, message", [
    ({"name": "", "value": 1.0}, ValueError, "name=''"),
    ({"name": "x", "value": "high"}, TypeError, "value='high'"),
    ({"name": "x", "value": 1.0, "target": "0.9"}, TypeError, "target='0.9'"),
    ({"name": "x", "value": 1.0, "target": {"desktop": 1}}, ValueError, "desktop"),
])
def test_bad_arguments_are_named(profile, kwargs, error, message):
    profile("smoke")
    with pytest.raises(error, match=message):
        outcomes.record(**kwargs)


def test_describe_reads_well():
    entry = {"name": "acc", "value": 0.98, "target": 0.97, "higher_is_better": True,
             "passed": True, "unit": ""}
    assert outcomes.describe(entry) == "✔ acc = 0.98 (target ≥ 0.97)"


def test_records_are_read_back_from_notebook_outputs():
    entry = {"name": "acc", "value": 0.9}
    notebook = {"cells": [
        {"cell_type": "code", "outputs": [
            {"output_type": "stream", "text": "hello"},
            {"output_type": "display_data", "data": {outcomes.MIMETYPE: entry}}]},
        {"cell_type": "markdown"}]}
    assert outcomes.from_notebook(notebook) == [entry]


def test_loss_fell_reads_lists_and_histories(profile):
    profile("smoke")

    class History:
        history = {"loss": [2.3, 1.0]}

    outcomes.loss_fell("list", [2.0, 1.5, 1.0])
    outcomes.loss_fell("history", History())
    outcomes.loss_fell("one epoch under a bound", {"loss": [1.2]}, below=math.log(10))
    assert [r["detail"] for r in outcomes.records()] == [
        "2 -> 1", "2.3 -> 1", "1.2 -> 1.2, bound 2.303"]


@pytest.mark.parametrize("losses, below", [
    ([1.0, 1.5], None), ([2.0, math.nan, 1.0], None), ([3.0, 2.5], math.log(10))])
def test_loss_fell_fails_when_it_did_not(profile, losses, below):
    profile("smoke")
    with pytest.raises(outcomes.OutcomeError, match="check failed"):
        outcomes.loss_fell("loss", losses, below=below)


@pytest.mark.parametrize("losses, error, message", [
    ([1.0], ValueError, "at least two values"),
    ({"accuracy": [1, 2]}, ValueError, "no 'loss' entry"),
    ("falling", TypeError, "losses='falling'"),
])
def test_loss_fell_rejects_bad_input(profile, losses, error, message):
    profile("smoke")
    with pytest.raises(error, match=message):
        outcomes.loss_fell("loss", losses)
