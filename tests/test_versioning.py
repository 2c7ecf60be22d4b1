"""The temporary Git + DVC repository: real commands, offline, and always removed."""

import pytest

from dlcourse import versioning


def test_a_repository_is_made_and_removed_even_after_an_exception(capsys):
    with pytest.raises(RuntimeError, match="inside"):
        with versioning.TemporaryRepo() as repo:
            base = repo.path.parent
            assert (repo.path / ".git").is_dir()
            assert "On branch main" in repo.git("status", echo=False)
            raise RuntimeError("inside the block")
    assert not base.exists() and not repo.exists


def test_commands_are_shown_as_typed_and_failures_raise_with_their_output(capsys):
    with versioning.TemporaryRepo() as repo:
        repo.file("a.txt").write_text("one\n")
        repo.git("add", "a.txt")
        repo.git("commit", "-q", "-m", "first version")
        shown = capsys.readouterr().out
        assert "$ git add a.txt" in shown
        assert "$ git commit -q -m 'first version'" in shown     # as a shell would need it
        assert repo.git("log", "--format=%an <%ae>", echo=False).strip() == \
            "dlcourse <dlcourse@example.invalid>"
        with pytest.raises(versioning.CommandError, match=r"\$ git checkout no-such-branch"):
            repo.git("checkout", "no-such-branch")


def test_dvc_restores_an_older_data_file_offline_from_its_local_cache(capsys):
    with versioning.TemporaryRepo() as repo:
        data = repo.file("data.csv")
        repo.dvc("init", "-q")
        repo.git("commit", "-q", "-m", "dvc init")
        data.write_text("x,y\n1,2\n")
        old_digest = versioning.file_digest(data)
        repo.dvc("add", "data.csv")
        assert f"md5: {old_digest}" in repo.file("data.csv.dvc").read_text()
        assert "/data.csv" in repo.file(".gitignore").read_text()
        repo.git("add", "data.csv.dvc", ".gitignore")
        repo.git("commit", "-q", "-m", "data v1")
        first = repo.git("rev-parse", "HEAD", echo=False).strip()
        data.write_text("x,y\n1,2\n3,4\n")
        repo.dvc("add", "data.csv")
        repo.git("commit", "-q", "-am", "data v2")
        assert versioning.file_digest(data) != old_digest
        repo.git("checkout", "-q", first)
        repo.dvc("checkout")
        assert versioning.file_digest(data) == old_digest
        assert "$ dvc add data.csv" in capsys.readouterr().out
        # DVC's per-machine hash cache stays inside the temporary folder
        assert (repo.path.parent / "dvc-site-cache").is_dir()
        assert not (repo.path / ".dvc" / "tmp" / "updater").exists()


def test_file_digest_matches_hashlib(tmp_path):
    import hashlib

    path = tmp_path / "f.bin"
    path.write_bytes(b"dlcourse" * 1000)
    assert versioning.file_digest(path) == hashlib.md5(path.read_bytes()).hexdigest()
    assert versioning.file_digest(path, "sha256") == hashlib.sha256(path.read_bytes()).hexdigest()


def test_readable_drops_escape_sequences_and_spinner_lines():
    raw = "To track:\n\tgit add a.dvc\n\x1b[?25l\u280b Checking graph\n\x1b[?25h\n\n\n"
    assert versioning.readable(raw) == "To track:\n\tgit add a.dvc"
    assert versioning.readable("M       data.csv\n") == "M       data.csv"


def test_repositories_left_open_are_removed_when_python_exits():
    repo = versioning.TemporaryRepo(echo=False)
    versioning._remove_all()            # what atexit runs
    assert not repo.exists
    repo.cleanup()                      # and a second clean-up is harmless


def test_a_command_after_cleanup_fails_clearly():
    repo = versioning.TemporaryRepo(echo=False)
    repo.cleanup()
    with pytest.raises(versioning.CommandError, match="removed already"):
        repo.git("status")


@pytest.fixture
def repo():
    with versioning.TemporaryRepo(echo=False) as made:
        yield made


BAD = {
    "file_digest: path None": (lambda r: versioning.file_digest(None), TypeError, "path", "None"),
    "file_digest: unknown algorithm": (lambda r: versioning.file_digest("x", "sha1"), ValueError,
                                       "algorithm", "'sha1'"),
    "prefix with a slash": (lambda r: versioning.TemporaryRepo(prefix="a/b"), ValueError,
                            "prefix", "'a/b'"),
    "echo as a string": (lambda r: versioning.TemporaryRepo(echo="yes"), TypeError, "echo",
                         "'yes'"),
    "timeout 0": (lambda r: versioning.TemporaryRepo(timeout=0), ValueError, "timeout", "0"),
    "git with no arguments": (lambda r: r.git(), ValueError, "git", "status"),
    "git with a number": (lambda r: r.git("log", 3), TypeError, "git", "3"),
    "dvc with None": (lambda r: r.dvc(None), TypeError, "dvc", "None"),
    "run with a string": (lambda r: r.run("git status"), TypeError, "command", "'git status'"),
    "file outside": (lambda r: r.file("../outside.txt"), ValueError, "name", "'../outside.txt'"),
    "file None": (lambda r: r.file(None), TypeError, "name", "None"),
    "readable: bytes": (lambda r: versioning.readable(b"x"), TypeError, "output", "b'x'"),
}


@pytest.mark.parametrize("call, error, argument, value", BAD.values(), ids=BAD)
def test_a_bad_argument_is_rejected_naming_it_and_its_value(repo, call, error, argument, value):
    with pytest.raises(error) as raised:
        call(repo)
    message = str(raised.value)
    assert argument in message and value in message, message

