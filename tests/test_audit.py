"""`cleaner rules audit`: each rule switched off against on, on the pages it matched."""

import gzip
import json
import textwrap

from cleaner.cli import main

PROSE = ("The river rose overnight and the town council met at dawn to decide what to do about the bridge. "
         "Engineers said the old stone arches would hold, but the footpath on the east side was closed. ")
CHROME = "Sign up for our newsletter, and every morning you will get the latest news about the river and the bridge."
PACK = """\
description: audit test pack
rules:
  - id: newsletter
    description: a newsletter prompt (chrome)
    match:
      line: ["Sign up for our newsletter, and every morning you will get the latest news about the river and the bridge."]
    action: drop
    examples:
      drop: ["Sign up for our newsletter, and every morning you will get the latest news about the river and the bridge."]
      keep: ["We subscribe to the view that the bridge will hold."]
  - id: byline
    description: drops a line the gold keeps (a rule that costs)
    match:
      line: ["The mayor spoke to reporters afterwards."]
    action: drop
    examples:
      drop: ["The mayor spoke to reporters afterwards."]
      keep: ["The mayor spoke."]
  - id: nowhere
    description: matches no page
    match:
      line: ["Zzz never seen"]
    action: drop
    examples:
      drop: ["Zzz never seen"]
      keep: ["Zzz"]
"""


def _gold(path):
    body = [PROSE * 2, "The mayor spoke to reporters afterwards.", PROSE]
    records = []
    for i in range(3):
        text = "\n\n".join([*body[:2], CHROME, *body[2:]])  # chrome inside the article: the heuristics keep it
        records.append({"id": str(i), "page_text": text, "gold_article": "\n".join(body), "gold_comments": None,
                        "html": "<html><body>" + "".join(f"<p>{t}</p>" for t in text.split("\n\n")) + "</body></html>"})
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.writelines(json.dumps(r) + "\n" for r in records)
    return path


def test_audit_measures_each_rule_on_the_pages_it_matched(tmp_path, capsys):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "demo.yaml").write_text(textwrap.dedent(PACK), encoding="utf-8")
    gold = _gold(tmp_path / "tiny.jsonl.gz")
    out = tmp_path / "audit.json"
    code = main(["rules", "audit", str(gold), "--mode", "text", "--no-builtin-rules", "--rules", str(rules),
                 "--json", str(out), "-j", "2", "--isolated"])
    assert code == 0
    verdicts = {r["rule"]: r for r in json.loads(out.read_text())["rules"]}
    assert verdicts["demo/newsletter"]["verdict"] == "keep" and verdicts["demo/newsletter"]["effect"]["text:tiny"] > 0
    assert verdicts["demo/byline"]["verdict"] == "remove" and verdicts["demo/byline"]["effect"]["text:tiny"] < 0
    assert verdicts["demo/nowhere"]["verdict"] == "unfired" and verdicts["demo/nowhere"]["pages"] == 0
    assert verdicts["demo/newsletter"]["pages"] == 3
    table = capsys.readouterr().out
    assert "text:tiny" in table and "demo/byline" in table


def test_audit_rejects_an_unknown_rule(tmp_path, capsys):
    gold = _gold(tmp_path / "tiny.jsonl.gz")
    assert main(["rules", "audit", str(gold), "--rule", "no/such-rule", "--isolated"]) == 2
    assert "no/such-rule" in capsys.readouterr().err
