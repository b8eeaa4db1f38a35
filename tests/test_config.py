"""Project config: discovery like ruff, file:line errors with suggestions, flags over config, `cleaner config`."""

from __future__ import annotations

import json
import shutil
import textwrap

import pytest

from cleaner.cli import build_parser, main
from cleaner.config import ConfigError, find_config, load_config, resolve, toml_key_lines
from conftest import SEEDS

PACK = """\
description: a team's own chrome
rules:
  - id: house-banner
    description: our scraper's banner line
    match: {line: ["Archived by the House Crawler"]}
    action: drop
    examples:
      drop: ["Archived by the House Crawler"]
      keep: ["The house crawler archived everything we asked for, and more besides."]
"""


def write(path, text: str):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def args_for(*argv: str):
    return build_parser().parse_args(list(argv))


# --------------------------------------------------------------------------- discovery


def test_found_walking_up_from_the_cwd(tmp_path, monkeypatch):
    cfg = write(tmp_path / "proj" / "pyproject.toml", "[tool.cleaner]\ndisable = ['web']\n")
    deep = tmp_path / "proj" / "corpus" / "2024"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    assert find_config() == cfg
    assert resolve(args_for("config"))["disable"] == ("web",)


def test_pyproject_without_tool_cleaner_is_passed_over(tmp_path):
    outer = write(tmp_path / "cleaner.yaml", "disable: [web]\n")
    write(tmp_path / "inner" / "pyproject.toml", "[project]\nname = 'x'\n\n[tool.black]\nline-length = 99\n")
    assert find_config(tmp_path / "inner") == outer


def test_cleaner_yaml_wins_over_pyproject_in_one_folder(tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.cleaner]\ndisable = ['a']\n")
    yml = write(tmp_path / "cleaner.yaml", "disable: [b]\n")
    assert find_config(tmp_path) == yml


def test_nearest_config_wins(tmp_path):
    write(tmp_path / "cleaner.yaml", "disable: [outer]\n")
    inner = write(tmp_path / "sub" / "pyproject.toml", "[tool.cleaner]\ndisable = ['inner']\n")
    assert find_config(tmp_path / "sub") == inner


def test_no_config_means_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = resolve(args_for("config"))
    assert config.file is None
    assert all(source == "default" for _, _, source in config.describe())


# --------------------------------------------------------------------------- values and where they came from


def test_toml_values_carry_file_and_line(tmp_path):
    cfg = write(tmp_path / "pyproject.toml", """\
        [project]
        name = "corpus"

        [tool.cleaner]
        rules = ["house-rules"]
        disable = ["web/navigation"]
        exclude = ["drafts"]
        comments = "{stem}.thread.jsonl"
        text-field = "body"
        """)
    config = load_config(cfg)
    assert config["rules"] == (str(tmp_path / "house-rules"),)  # relative to the config file, not the cwd
    assert config["disable"] == ("web/navigation",)
    assert config["comments"] == "{stem}.thread.jsonl"
    assert config.fields().text == "body" and config.fields().html == "html"
    assert config.settings["disable"].source == f"{cfg}:6"
    assert config.settings["text-field"].source == f"{cfg}:9"
    assert config.settings["html-field"].source == "default"


def test_yaml_values_carry_file_and_line(tmp_path):
    cfg = write(tmp_path / "cleaner.yaml", """\
        # corpus settings
        disable:
          - web/navigation
        comments: false
        """)
    config = load_config(cfg)
    assert config["disable"] == ("web/navigation",)
    assert config["comments"] is None
    assert config.settings["comments"].source == f"{cfg}:4"


def test_empty_yaml_is_a_config_of_defaults(tmp_path):
    cfg = write(tmp_path / "cleaner.yaml", "# nothing yet\n")
    assert load_config(cfg)["disable"] == ()


# --------------------------------------------------------------------------- errors a user can act on


TOML_TYPO = """\
    [project]
    name = "x"

    [tool.cleaner]
    rules = []
    disabel = ["web"]
    """


@pytest.mark.parametrize("name, content, line, key, suggestion", [
    ("pyproject.toml", TOML_TYPO, 6, "disabel", "disable"),
    ("cleaner.yaml", "disable: [web]\n\ntext_field: body\n", 3, "text_field", "text-field"),
])
def test_unknown_key_names_file_line_and_suggestion(tmp_path, name, content, line, key, suggestion):
    cfg = write(tmp_path / name, content)
    with pytest.raises(ConfigError) as exc:
        load_config(cfg)
    (problem,) = exc.value.problems
    assert problem.startswith(f"{cfg}:{line}: unknown key '{key}'")
    assert f"did you mean '{suggestion}'?" in problem


def test_every_problem_is_reported_at_once(tmp_path):
    cfg = write(tmp_path / "cleaner.yaml", "disable: 3\nexclud: [x]\ncomments: shared.jsonl\n")
    with pytest.raises(ConfigError) as exc:
        load_config(cfg)
    lines = sorted(p.split(":")[1] for p in exc.value.problems)
    assert lines == ["1", "2", "3"]
    assert any("must be a list of strings" in p for p in exc.value.problems)
    assert any("{name} or {stem}" in p for p in exc.value.problems)


def test_sidecar_that_fix_would_clean_as_a_document_is_refused(tmp_path):
    cfg = write(tmp_path / "cleaner.yaml", "comments: '{stem}.comments.txt'\n")
    with pytest.raises(ConfigError, match=r"cleaner.yaml:1: 'comments' must not end in .txt"):
        load_config(cfg)


def test_subtable_and_dotted_keys_are_located(tmp_path):
    text = textwrap.dedent("""\
        [tool.cleaner]
        disable = ["a"]

        [tool.black]
        line-length = 100

        [tool.cleaner.fields]
        text = "body"
        """)
    assert toml_key_lines(text, {"disable": ["a"], "fields": {"text": "body"}}) == {"disable": 2, "fields": 7}
    dotted = '[tool]\ncleaner.disable = ["a"]\n'
    assert toml_key_lines(dotted, {"disable": ["a"]}) == {"disable": 2}


def test_invalid_toml_names_the_line(tmp_path):
    cfg = write(tmp_path / "pyproject.toml", "[tool.cleaner]\ndisable = [\"a\"\nrules = 3\n")
    with pytest.raises(ConfigError, match=r"pyproject.toml:\d+: invalid TOML"):
        load_config(cfg)


def test_cli_reports_config_errors_with_exit_2(tmp_path, monkeypatch, capsys):
    write(tmp_path / "pyproject.toml", "[tool.cleaner]\nexlcude = ['drafts']\n")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "."]) == 2
    err = capsys.readouterr().err
    assert "pyproject.toml:2: unknown key 'exlcude'" in err and "did you mean 'exclude'?" in err


# --------------------------------------------------------------------------- flags over config


def test_flags_override_config_and_say_so(tmp_path, monkeypatch):
    write(tmp_path / "cleaner.yaml", "disable: [web]\ncomments: '{stem}.c.jsonl'\ntext-field: body\n")
    monkeypatch.chdir(tmp_path)
    config = resolve(args_for("fix", "x.txt", "--disable", "media", "--no-comments"))
    assert config["disable"] == ("media",)
    assert config.settings["disable"].source == "--disable"
    assert config["comments"] is None and config.settings["comments"].source == "--no-comments"
    assert config["text-field"] == "body"  # not overridden: still from the file
    clean = resolve(args_for("clean", "in", "-o", "out", "--text-field", "page_text"))
    assert clean["text-field"] == "page_text" and clean.settings["text-field"].source == "--text-field"


def test_isolated_and_explicit_config(tmp_path, monkeypatch):
    write(tmp_path / "cleaner.yaml", "disable: [web]\n")
    other = write(tmp_path / "elsewhere" / "team.yaml", "disable: [media]\n")
    monkeypatch.chdir(tmp_path)
    assert resolve(args_for("config", "--isolated"))["disable"] == ()
    assert resolve(args_for("config", "--config", str(other)))["disable"] == ("media",)


def test_bad_comments_flag_is_a_usage_error(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["fix", "x.txt", "--comments", "all.jsonl"]) == 2
    assert "--comments: must contain {name} or {stem}" in capsys.readouterr().err


# --------------------------------------------------------------------------- `cleaner config`


def test_config_command_shows_values_and_sources(tmp_path, monkeypatch, capsys):
    cfg = write(tmp_path / "pyproject.toml", "[tool.cleaner]\n\ndisable = ['web/navigation']\n")
    monkeypatch.chdir(tmp_path)
    assert main(["config", "--text-field", "page_text"]) == 0
    out = capsys.readouterr().out
    rows = {line.split(" = ")[0]: line for line in out.splitlines() if " = " in line}
    assert str(cfg) in out.splitlines()[0]
    assert "web/navigation" in rows["disable"] and rows["disable"].endswith(f"# {cfg}:3")
    assert rows["text-field"].endswith("# --text-field")
    assert rows["html-field"].endswith("# default")
    assert main(["config", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["settings"]["disable"] == {"value": ["web/navigation"], "source": f"{cfg}:3"}


# --------------------------------------------------------------------------- the commands read the config


def _seed_where(cleaner, rule: str):
    from cleaner.model import Document, Kind

    for path in sorted(SEEDS.glob("*.txt")):
        cleaned = cleaner.clean(Document(path.name, Kind.TEXT, path.read_text(encoding="utf-8")))
        if any(r.rule == rule for r in cleaned.removed):
            return path
    pytest.skip(f"no seed where {rule} fires")


def test_config_rules_disable_and_fields_reach_the_commands(tmp_path, monkeypatch, capsys, cleaner):
    write(tmp_path / "house-rules" / "house.yaml", PACK)
    write(tmp_path / "cleaner.yaml", "rules: [house-rules]\ndisable: [web/navigation/back-to-top]\ntext-field: body\n")
    seed = _seed_where(cleaner, "web/navigation/back-to-top")
    doc = tmp_path / "corpus" / "doc.txt"
    doc.parent.mkdir()
    doc.write_text("Archived by the House Crawler\n\n" + seed.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.chdir(tmp_path / "corpus")  # the config is found from a subfolder; its paths stay relative to it

    assert main(["check", "doc.txt"]) == 1
    listing = capsys.readouterr().out
    assert "house/house-banner" in listing
    assert "web/navigation/back-to-top" not in listing
    assert main(["check", "doc.txt", "--isolated"]) == 1
    assert "web/navigation/back-to-top" in capsys.readouterr().out

    assert main(["rules", "list"]) == 0
    listed = capsys.readouterr().out
    assert "house/house-banner" in listed and "web/navigation/back-to-top" not in listed
    assert main(["rules", "check"]) == 0  # the config's rule directory is checked with the built-ins
    assert "house/house-banner" not in capsys.readouterr().out  # no problems printed for it

    src = tmp_path / "corpus" / "batch.jsonl"
    src.write_text(json.dumps({"id": "a", "body": seed.read_text(encoding="utf-8")}) + "\n", encoding="utf-8")
    assert main(["clean", str(src), "-o", str(tmp_path / "out"), "-j", "1", "--no-progress"]) == 0
    (record,) = [json.loads(line) for line in (tmp_path / "out" / "batch.jsonl").read_text(encoding="utf-8").splitlines()]
    assert record["text"] and "body" not in record["metadata"]


def test_broken_config_stops_clean_before_any_output(tmp_path, monkeypatch):
    write(tmp_path / "cleaner.yaml", "rules: [missing-dir]\n")
    shutil.copy(next(SEEDS.glob("*.txt")), tmp_path / "a.txt")
    monkeypatch.chdir(tmp_path)
    assert main(["clean", "a.txt", "-o", "out", "-j", "1", "--no-progress"]) == 2
    assert not (tmp_path / "out").exists()
