import warnings

import pytest

from dlcourse import seedcode


def test_a_name_error_is_caught_with_its_line():
    source = "a = 1\nb = a + 1\nc = undefined_name * b\nd = 4\n"
    result = seedcode.run(source, "toy", show=False)
    assert result.raised and result.is_a(NameError) and not result.is_a(TypeError)
    assert result.error_name == "NameError"
    assert result.line == 3 and result.line_text == "c = undefined_name * b"
    assert result.namespace["b"] == 2 and "d" not in result.namespace
    assert str(result).startswith("toy stops at line 3: c = undefined_name * b")
    assert "NameError: name 'undefined_name' is not defined" in str(result)


def test_the_failing_line_is_the_seed_line_not_the_called_function():
    source = "def f(x):\n    return x + 'a'\n\ny = f(1)\n"
    result = seedcode.run(source, "calls", show=False)
    assert result.is_a(TypeError) and result.line == 2


def test_given_names_fill_what_the_seed_assumes():
    result = seedcode.run("y = x * 2", "given", given={"x": 21}, show=False)
    assert not result.raised and result.namespace["y"] == 42
    assert str(result) == "given: ran to the end without an error"


def test_warnings_are_collected_once(capsys):
    source = "import warnings\nfor _ in range(3):\n    warnings.warn('old style', UserWarning)\n"
    result = seedcode.run(source, "warns")
    assert result.warnings == ["UserWarning: old style"]
    assert "warning: UserWarning: old style" in capsys.readouterr().out


def test_warnings_filters_are_restored():
    seedcode.run("import warnings\nwarnings.simplefilter('ignore')", "filters", show=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.warn("still visible", stacklevel=2)
    assert len(caught) == 1


def test_a_syntax_error_reports_its_line():
    result = seedcode.run("x = 1\ny = (\n", "broken", show=False)
    assert result.is_a(SyntaxError) and result.line == 2


def test_short_message_takes_the_first_line_and_cuts():
    assert seedcode.short_message(ValueError("first\nsecond")) == "first"
    long = seedcode.short_message(ValueError("x" * 50), limit=20)
    assert len(long) == 20 and long.endswith("…")
    tf_style = ValueError("{{function_node __wrapped__ConcatV2}} ConcatOp : Expected")
    assert seedcode.short_message(tf_style) == "ConcatOp : Expected"


@pytest.mark.parametrize("kwargs, error, match", [
    ({"source": "", "label": "a"}, ValueError, "source=''"),
    ({"source": 3, "label": "a"}, ValueError, "source=3"),
    ({"source": "x = 1", "label": " "}, ValueError, "label=' '"),
    ({"source": "x = 1", "label": "a", "given": [1]}, TypeError, r"given=\[1\]"),
])
def test_arguments_are_validated(kwargs, error, match):
    with pytest.raises(error, match=match):
        seedcode.run(**kwargs)


def test_short_message_validates():
    with pytest.raises(TypeError, match="error='x'"):
        seedcode.short_message("x")
    with pytest.raises(ValueError, match="limit=3"):
        seedcode.short_message(ValueError("a"), limit=3)


def test_every_seed_block_is_kept_once_and_is_valid_python():
    from dlcourse.seed_blocks import BLOCKS

    assert set(BLOCKS) == {"000 §4.1", "000 §4.2", "000 §4.3", "000 §4.4", "000 §4.5", "001 §4",
                           "002-A §4.1", "002-A §4.2"}
    for name, source in BLOCKS.items():
        assert seedcode.block(name) is source
        assert "import" in source.splitlines()[0], name   # every block opens with its imports
        compile(source, name, "exec")          # verbatim seed code is valid Python syntax


def test_show_prints_numbered_lines_and_returns_the_text(capsys):
    source = seedcode.show("001 §4")
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "seed 001 §4, verbatim:"
    assert printed[1] == "  1 | import tensorflow as tf"
    assert len(printed) == 1 + len(source.splitlines())


def test_an_unknown_block_is_named_with_the_choices():
    with pytest.raises(ValueError, match=r"name='000 §9'.*000 §4\.1"):
        seedcode.block("000 §9")
