import pytest

from dlcourse import devices, profiles


def test_explicit_profiles_resolve_to_themselves():
    for name in profiles.PROFILES:
        assert profiles.resolve(name) == name


def test_auto_takes_the_environment_variable_first(monkeypatch):
    monkeypatch.setenv(profiles.ENV_VAR, "smoke")
    monkeypatch.setattr(devices, "accelerator", lambda: "GPU")
    assert profiles.resolve("auto") == "smoke"


@pytest.mark.parametrize("kind, expected", [("CPU", "laptop"), ("GPU", "full"), ("TPU", "full")])
def test_auto_falls_back_to_the_hardware(monkeypatch, kind, expected):
    monkeypatch.delenv(profiles.ENV_VAR, raising=False)
    monkeypatch.setattr(devices, "accelerator", lambda: kind)
    assert profiles.resolve("auto") == expected


def test_unknown_profile_is_rejected_with_the_allowed_values():
    with pytest.raises(ValueError, match=r"profile='fast'.*'smoke', 'laptop', 'full', 'auto'"):
        profiles.resolve("fast")


def test_bad_environment_variable_is_named(monkeypatch):
    monkeypatch.setenv(profiles.ENV_VAR, "huge")
    with pytest.raises(ValueError, match="DLCOURSE_PROFILE='huge'"):
        profiles.resolve("auto")


def test_sizes_merge_chapter_overrides_over_defaults(profile):
    profile("smoke")
    sizes = profiles.sizes("tensorflow_fundamentals")
    assert sizes.profile == "smoke"
    assert sizes.epochs == profiles.DEFAULTS["smoke"]["epochs"]
    assert sizes.graph_steps == profiles.CHAPTERS["tensorflow_fundamentals"]["smoke"]["graph_steps"]


def test_sizes_of_another_profile_than_the_active_one(profile):
    profile("smoke")
    assert profiles.sizes("setup", "laptop").profile == "laptop"


def test_sizes_reject_unknown_chapters():
    with pytest.raises(ValueError, match="chapter='nope' has no sizes; known chapters:"):
        profiles.sizes("nope", "smoke")


def test_every_chapter_override_names_real_profiles():
    for chapter, overrides in profiles.CHAPTERS.items():
        assert set(overrides) <= set(profiles.PROFILES), chapter


def test_smaller_profiles_never_train_longer():
    d = profiles.DEFAULTS
    assert d["smoke"]["epochs"] <= d["laptop"]["epochs"] <= d["full"]["epochs"]
    assert d["smoke"]["train_examples"] is not None


def test_every_notebook_reads_sizes_that_its_chapter_entry_defines():
    # A chapter entry lost in an edit falls back to the defaults silently; the notebook then
    # fails deep inside with an AttributeError on the first size it alone needs.
    import re

    from dlcourse import hygiene

    for path in hygiene.notebooks():
        text = path.read_text(encoding="utf-8")
        for slug in set(re.findall(r'profiles\.sizes\(\\"(\w+)\\"\)', text)):
            assert slug in profiles.CHAPTERS, f"{path.name} reads sizes of {slug!r}: no entry"
            for profile in profiles.PROFILES:
                known = vars(profiles.sizes(slug, profile))
                used = set(re.findall(r"\bsizes\.(\w+)", text))
                missing = sorted(used - set(known) - {"profile"})
                assert not missing, f"{path.name}, {profile}: sizes {missing} not defined"
