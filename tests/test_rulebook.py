"""The rulebook: every shipped example runs, and broken rule files are reported with file:line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from cleaner.rulebook import RuleError, builtin_rules_dir, check_examples, load, parse_dirs

RULES, _PACKS, PROBLEMS = parse_dirs([builtin_rules_dir()])


def test_builtin_packs_are_valid():
    assert PROBLEMS == []
    assert len(RULES) >= 20


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_examples(rule):
    assert rule.examples.get(rule.action), f"{rule.id} has no '{rule.action}' example"
    assert rule.examples.get("keep"), f"{rule.id} has no 'keep' example"
    assert check_examples(rule) == []


def write_pack(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


GOOD_RULE = """\
    description: test pack
    rules:
      - id: hello
        description: greets
        match: {line: ["Hello there"]}
        action: drop
        examples:
          drop: ["Hello there"]
          keep: ["Hello there, said the stranger who had walked a long way."]
"""


def problems_of(tmp_path: Path) -> list[str]:
    _rules, _packs, problems = parse_dirs([tmp_path])
    return problems


def test_pack_id_comes_from_path(tmp_path):
    write_pack(tmp_path, "forum/demo.yaml", GOOD_RULE)
    book = load([tmp_path], builtin=False, check=True)
    assert [r.id for r in book.rules] == ["forum/demo/hello"]
    assert book.match("hello   THERE").rule.id == "forum/demo/hello"


def test_unknown_key_is_reported_with_line_and_suggestion(tmp_path):
    path = write_pack(tmp_path, "p.yaml", GOOD_RULE.replace("action: drop", "acton: drop"))
    problems = problems_of(tmp_path)
    assert f"{path}:6: unknown key 'acton' in rule (did you mean 'action'?)" in problems


def test_bad_regex_is_reported(tmp_path):
    path = write_pack(tmp_path, "p.yaml", GOOD_RULE.replace('match: {line: ["Hello there"]}', 'match: {regex: "(unclosed"}'))
    problems = problems_of(tmp_path)
    assert any(p.startswith(f"{path}:5: bad regex in rule 'hello'") for p in problems), problems


def test_user_rules_are_compiled_at_load_and_shipped_ones_on_first_use(tmp_path):
    """Start-up: the shipped packs (compiled by test_rule_examples) skip the compile at load; a user's dir never does."""
    from cleaner.rulebook.rule import LazyPattern

    write_pack(tmp_path, "p.yaml", GOOD_RULE.replace('match: {line: ["Hello there"]}', 'match: {regex: "(unclosed"}'))
    assert parse_dirs([tmp_path], trusted=[tmp_path])[2] == []
    assert parse_dirs([tmp_path])[2] != []
    pattern = LazyPattern("(?i)back to top")
    assert "fullmatch" not in vars(pattern)
    assert pattern.fullmatch("Back to TOP") and pattern.sub("", "x back to top") == "x "
    assert "fullmatch" in vars(pattern)  # rebound to the compiled pattern's own method


def test_duplicate_id_is_an_error_not_first_wins(tmp_path):
    rule = textwrap.dedent(GOOD_RULE).split("rules:\n", 1)[1]
    path = write_pack(tmp_path, "p.yaml", textwrap.dedent(GOOD_RULE) + rule)
    problems = problems_of(tmp_path)
    assert any("duplicate rule id 'p/hello'" in p and p.startswith(f"{path}:") for p in problems), problems


def test_missing_examples_are_reported(tmp_path):
    path = write_pack(tmp_path, "p.yaml", GOOD_RULE.replace('          keep: ["Hello there, said the stranger who had walked a long way."]\n', ""))
    problems = problems_of(tmp_path)
    assert any(p.startswith(f"{path}:") and "needs at least one 'keep' example" in p for p in problems), problems


def test_failing_example_is_reported(tmp_path):
    write_pack(tmp_path, "p.yaml", GOOD_RULE.replace('drop: ["Hello there"]', 'drop: ["Goodbye"]'))
    with pytest.raises(RuleError) as err:
        load([tmp_path], builtin=False, check=True)
    assert any("should drop but does not fire on: 'Goodbye'" in p for p in err.value.problems)


def test_all_problems_reported_in_one_run(tmp_path):
    write_pack(tmp_path, "a.yaml", GOOD_RULE.replace("action: drop", "action: dorp"))
    write_pack(tmp_path, "b.yaml", GOOD_RULE.replace("description: greets", "descripton: greets"))
    problems = problems_of(tmp_path)
    assert any("a.yaml" in p and "did you mean 'drop'" in p for p in problems)
    assert any("b.yaml" in p and "did you mean 'description'" in p for p in problems)


def test_python_object_tags_are_rejected(tmp_path):
    path = write_pack(tmp_path, "p.yaml", "description: !!python/object/apply:os.system ['echo hi']\nrules: []\n")
    problems = problems_of(tmp_path)
    assert len(problems) == 1 and problems[0].startswith(f"{path}:1:")


def test_guards_keep_rules_off_sentences(tmp_path):
    write_pack(tmp_path, "p.yaml", """\
        description: guards
        rules:
          - id: short-menu
            description: a menu word only in the head
            match: {regex: "menu.*"}
            where: head
            max_words: 3
            action: drop
            examples:
              drop: ["Menu items"]
              keep: ["Menu of the day includes soup and bread for everyone"]
    """)
    book = load([tmp_path], builtin=False)
    assert book.match("Menu items", "head") is not None
    assert book.match("Menu items", "tail") is None
    assert book.match("Menu of the day includes soup", "head") is None


def test_strip_rule_removes_only_the_match(tmp_path):
    write_pack(tmp_path, "p.yaml", """\
        description: strip
        rules:
          - id: suffix
            description: site suffix
            match: {strip: '\\s+\\| Example News$'}
            action: strip
            examples:
              strip: [{in: "Big story | Example News", out: "Big story"}]
              keep: ["Example News is a newspaper"]
    """)
    hit = load([tmp_path], builtin=False, check=True).match("Big story | Example News")
    assert hit.text == "Big story" and hit.removed == " | Example News"


def test_disable_unknown_rule_suggests(tmp_path):
    book = load()
    with pytest.raises(RuleError) as err:
        book.disable(["forum/xenforo/reaction-scor"])
    assert "did you mean 'forum/xenforo/reaction-score'" in err.value.problems[0]
    smaller = book.disable(["forum/xenforo"])
    assert not any(r.pack == "forum/xenforo" for r in smaller.rules)
    assert smaller.digest != book.digest


def test_catastrophic_regex_times_out_instead_of_hanging(tmp_path, monkeypatch):
    from cleaner.model import RegexBudget
    from cleaner.rulebook import book as compiled

    monkeypatch.setattr(compiled, "REGEX_TIMEOUT", 0.05)
    write_pack(tmp_path, "p.yaml", """\
        description: evil
        rules:
          - id: evil
            description: backtracks
            match: {regex: '(a|aa)+$'}
            action: drop
            examples:
              drop: ["aaaa"]
              keep: ["b"]
    """)
    book = load([tmp_path], builtin=False)
    budget = RegexBudget()
    assert book.match("a" * 60 + "!", budget=budget) is None
    assert budget.timeouts == ["p/evil"] and budget.timed_out == {"p/evil"}


def test_a_rulebook_pickles_to_a_worker_before_and_after_its_regexes_compile():
    """Workers started by spawn, and Ray, receive the rulebook pickled: lazily compiled patterns travel as source."""
    import pickle

    book = load()
    rule = next(r for r in book.rules if r.kind == "regex" and r.where == "anywhere" and r.max_words is None)
    line = rule.examples[rule.action][0]
    fresh = pickle.loads(pickle.dumps(book))
    before = book.match(line)
    after = pickle.loads(pickle.dumps(book))  # now with compiled patterns inside
    assert before is not None and before.rule.kind == "regex"
    assert fresh.match(line).rule.id == after.match(line).rule.id == before.rule.id
