"""Run each rule's examples: lines it must act on or leave alone, HTML fragments for selector rules."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import MatchKind
from .book import Rulebook
from .rule import SELECTOR_ACTIONS, Rule

if TYPE_CHECKING:  # lxml and cssselect load with the first selector example: a text run never needs them
    from lxml import etree


def check_examples(rule: Rule) -> list[str]:
    """Run a rule's examples; each failure is a `file:line: message` problem."""
    if rule.kind == MatchKind.SELECTOR:
        return check_selector_examples(rule)
    problems = []
    single = Rulebook([rule])
    for example in rule.examples.get(rule.action) or []:
        text, expected = (example.get("in"), example.get("out")) if isinstance(example, dict) else (example, None)
        if not isinstance(text, str):
            problems.append(f"{rule.location()}: rule '{rule.id}' has an example that is not text: {example!r}")
            continue
        hit = single.match(text, zone=rule.where)
        if hit is None:
            problems.append(f"{rule.location()}: rule '{rule.id}' should {rule.action} but does not fire on: {text!r}")
        elif expected is not None and hit.text != expected:
            problems.append(f"{rule.location()}: rule '{rule.id}' turns {text!r} into {hit.text!r}, expected {expected!r}")
    for text in rule.examples.get("keep") or []:
        if not isinstance(text, str):
            problems.append(f"{rule.location()}: rule '{rule.id}' has a keep example that is not text: {text!r}")
        elif single.match(text, zone=rule.where) is not None:
            problems.append(f"{rule.location()}: rule '{rule.id}' should leave alone but fires on: {text!r}")
    return problems


def _parser() -> "etree.HTMLParser":
    """A parser set as the HTML path's: no network, no DTDs, no comments or processing instructions."""
    import lxml.html

    return lxml.html.HTMLParser(collect_ids=False, default_doctype=False, remove_comments=True, remove_pis=True,
                                no_network=True, huge_tree=False)


def check_selector_examples(rule: Rule) -> list[str]:
    """Run a selector rule's examples: HTML fragments it must match (under its action), or must not (keep)."""
    where = f"{rule.location()}: rule '{rule.id}'"
    if rule.action not in SELECTOR_ACTIONS:
        return [f"{where} has action {str(rule.action)!r}; a selector rule takes one of {', '.join(SELECTOR_ACTIONS)}"]
    import lxml.html
    from cssselect import GenericTranslator
    from lxml import etree

    problems = []
    translate = GenericTranslator().css_to_xpath
    xpath = etree.XPath(" | ".join(translate(p, prefix="descendant-or-self::") for p in rule.patterns))
    parser = _parser()
    for expect, examples in ((True, rule.examples.get(rule.action) or []), (False, rule.examples.get("keep") or [])):
        for example in examples:
            if not isinstance(example, str) or not example.strip():
                problems.append(f"{where} has an example that is not an HTML fragment: {example!r}")
                continue
            root = lxml.html.fragment_fromstring(example, create_parent="div", parser=parser)
            hits = [el for el in xpath(root) if isinstance(el, etree._Element) and el is not root]
            if expect and not hits:
                problems.append(f"{where} should {rule.action} but matches nothing in: {example!r}")
            elif not expect and hits:
                problems.append(f"{where} should leave alone but matches <{hits[0].tag}> in: {example!r}")
    return problems

