import pytest

from dlcourse import timing


def test_measure_warms_up_then_repeats():
    calls = []
    result = timing.measure(lambda: calls.append(1), warmup=2, repeat=3)
    assert len(calls) == 5 and len(result.runs) == 3
    assert result.best <= result.median
    assert "median" in str(result)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"fn": 3}, TypeError, "fn=3"),
    ({"fn": print, "warmup": -1}, ValueError, "warmup=-1"),
    ({"fn": print, "repeat": 0}, ValueError, "repeat=0"),
])
def test_measure_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        timing.measure(**kwargs)
