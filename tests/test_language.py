"""The language stage: a stop-word vote where it agrees with py3langid, py3langid elsewhere, loaded lazily."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cleaner.language import classify, detect_language, stop_word_vote

ROOT = Path(__file__).resolve().parents[1]
ENGLISH = ("The council approved the new budget on Tuesday after a long debate that ran well into the night. "
           "Members said that the plan keeps every library in the city open, and the mayor thanked them for it.")
FRENCH = ("Le conseil a approuvé le nouveau budget mardi après un long débat qui a duré jusque tard dans la nuit. "
          "Les membres ont dit que le plan garde toutes les bibliothèques de la ville ouvertes.")
GERMAN = ("Der Rat hat den neuen Haushalt am Dienstag nach einer langen Debatte beschlossen, die bis in die Nacht "
          "dauerte. Die Mitglieder sagten, dass der Plan alle Bibliotheken der Stadt offen hält.")


def test_vote_answers_english_prose_as_py3langid_does():
    assert stop_word_vote(ENGLISH) == "en" == classify(ENGLISH)


@pytest.mark.parametrize("sample", [FRENCH, GERMAN, ENGLISH.upper(), "Too short to vote on.", "Home News Sport Weather " * 3])
def test_vote_leaves_other_text_to_py3langid(sample):
    assert stop_word_vote(sample) is None


def test_detect_language_falls_back_to_py3langid():
    assert detect_language(FRENCH) == "fr" and detect_language(GERMAN) == "de"
    assert detect_language("   ") == "en"


def test_fix_on_an_english_page_never_loads_py3langid(tmp_path):
    """Start-up: the language model (an lzma-packed table) is loaded only when the vote cannot decide.

    numpy itself may load: the learned line scorer predicts with it.
    """
    page = tmp_path / "page.txt"
    page.write_text(f"Budget passes\n\n{ENGLISH}\n\n{ENGLISH}\n\nShare this article\n", encoding="utf-8")
    probe = ("import sys, runpy; sys.argv = ['cleaner', 'fix', sys.argv[1], '--isolated']\n"
             "try:\n    runpy.run_module('cleaner.cli', run_name='__main__')\nexcept SystemExit:\n    pass\n"
             "print(sorted(m for m in ('py3langid',) if m in sys.modules))")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", probe, str(page)], capture_output=True, text=True, env=env, timeout=120)
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stderr[-2000:]
    assert "Share this article" not in page.read_text(encoding="utf-8")  # it did clean the page


def test_stop_lists_are_read_as_justext_reads_them_without_importing_it():
    import justext

    from cleaner.stopwords import JUSTEXT_NAMES, justext_stoplist

    for name in JUSTEXT_NAMES.values():
        assert justext_stoplist(name) == justext.get_stoplist(name), name
