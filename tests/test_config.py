"""The configuration module: data paths, outlet groups, resampling defaults."""

from __future__ import annotations

from pathlib import Path

from analysis import actors, config, corpus, keyness, plots, runner, synthetic, timeline, tokens


def test_paths_point_at_the_shipped_files_whatever_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for path in (config.STOPWORDS_FILE, config.COMPOUNDS_FILE, config.GAZETTEER_FILE,
                 config.EVENTS_FILE, config.OUTLET_GROUPS_FILE, config.FRAMING_LEXICON,
                 config.ASSERTIVENESS_LEXICON):
        assert path.is_absolute() and path.is_file(), path
    assert (config.RAW_DIR / "manifest.csv").is_file()
    assert (config.ANNOTATIONS_DIR / "sentence_tone.csv").is_file()
    assert sorted(p.name for p in config.NOTEBOOK_DIR.glob("0*.ipynb"))[0].startswith("01_")
    assert config.ROOT == Path(config.__file__).resolve().parent.parent


def test_stages_use_the_configured_paths_and_groups():
    assert actors.GAZETTEER_FILE == config.GAZETTEER_FILE
    assert timeline.EVENTS_PATH == config.EVENTS_FILE
    assert tokens.STOPWORDS_FILE == config.STOPWORDS_FILE
    assert synthetic.DEFAULT_RAW == config.RAW_DIR
    assert runner.ROOT == config.ROOT and runner.NOTEBOOK_DIR == config.NOTEBOOK_DIR
    assert synthetic.GROUPS == config.OUTLET_GROUPS
    assert set(plots.GROUP_COLOURS) == set(config.OUTLET_GROUPS)
    assert keyness is not None and corpus is not None


def test_outlet_groups_and_defaults():
    assert config.OUTLET_GROUPS == (config.INTERNATIONAL, config.CHINESE_STATE)
    assert config.OUTLET_GROUPS == ("international", "chinese_state")
    assert isinstance(config.N_BOOT, int) and config.N_BOOT >= 1000
    assert config.RANDOM_STATE == 0


def test_no_stage_computes_a_path_from_its_own_file():
    for module in config.PACKAGE_DIR.rglob("*.py"):
        if module.name == "config.py":
            continue
        assert "Path(__file__)" not in module.read_text(encoding="utf-8"), module
