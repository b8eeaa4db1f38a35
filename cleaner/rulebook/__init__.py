"""The rulebook: YAML rule packs that describe page chrome, loaded, validated, compiled and applied.

Loading goes parse -> validate -> compile. Parsing keeps YAML line numbers (yamlfile.py) so
that every problem is reported as `file:line: message`; validation (validate.py) collects all
problems before failing; compiling (book.py) folds literal lines into one dict and indexes
regexes by zone, word cap and first character (prefilter.py), so applying the rulebook to a
line (apply.py) costs one dict lookup and a few regex matches. examples.py runs each rule's
examples; regexlint.py warns of patterns that can backtrack without end.
"""

from .book import REGEX_TIMEOUT, Rulebook
from .examples import check_examples
from .load import builtin_rules_dir, load
from .rule import Hit, Rule, RuleError
from .validate import parse_dirs

__all__ = ["REGEX_TIMEOUT", "Hit", "Rule", "RuleError", "Rulebook", "builtin_rules_dir", "check_examples", "load",
           "parse_dirs"]
