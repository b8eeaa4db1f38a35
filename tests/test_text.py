"""The text heuristics one by one: each named reason, each threshold of options.TextThresholds on its own."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cleaner import Document, Kind
from cleaner.model import Label
from cleaner.rulebook import Rulebook
from cleaner.rulebook.apply import apply_rules
from cleaner.features import features, is_headline
from cleaner.lines import language_sample, split_lines
from cleaner.model import Page
from cleaner.options import TextThresholds
from cleaner.pipeline import heuristics
from cleaner.text import (DEFAULT, GOOD, NAV, CHROME, PLAIN, content_words, end_weight, find_core,
                          has_item_separators, is_glued_tags, is_nav_item, is_teaser, label_template, line_values, on_topic,
                          page_shape, restore_topical, settle, split_site_suffix)

P = [
    "The council voted on Tuesday to extend the library's opening hours through the winter months.",
    "Residents had asked for longer hours for years, saying the building was the only warm place to study.",
    "The extension will cost about forty thousand dollars, which the council plans to take from the parks budget.",
    "Several members objected to the move, arguing that the parks had already lost money in the last budget.",
]
MENU = ["Home", "News", "Sport", "Weather", "Contact Us"]


def page_of(lines: list[str], sep: str = "\n\n") -> Page:
    return Page(lines=split_lines(sep.join(lines)), lang="en")


def labelled(lines: list[str], t: TextThresholds = DEFAULT, sep: str = "\n\n") -> Page:
    page = page_of(lines, sep)
    heuristics(page, t)
    return page


def reasons(page: Page) -> dict[str, str]:
    return {line.text: line.reason for line in page.lines if not line.blank}


def kept(page: Page) -> list[str]:
    return [line.text for line in page.lines if line.label is Label.KEEP]


def clean(cleaner, lines: list[str], sep: str = "\n\n"):
    return cleaner.clean(Document("t", Kind.TEXT, sep.join(lines)))


# --------------------------------------------------------------------------- shapes of a line


def test_menu_like_needs_separators():
    assert has_item_separators("Home | News | Sport")
    assert not has_item_separators("Home | News")  # one separator: below menu_min_separators
    assert has_item_separators("Home | News", replace(DEFAULT, menu_min_separators=1))


def test_teaser_is_a_snippet_cut_off_by_an_ellipsis():
    assert is_teaser("Two people in China have been diagnosed with the plague,...")
    assert is_teaser("Cybersecurity experts say the risk is rising […]")
    assert not is_teaser(P[0])


def test_nav_item_thresholds():
    assert is_nav_item(features("Contact Us"))
    assert not is_nav_item(features("the history of the town"))  # stop words
    assert not is_nav_item(features("Contact Us Today Please Now"), DEFAULT)  # more than nav_max_words
    assert is_nav_item(features("Contact Us Today Please Now"), replace(DEFAULT, nav_max_words=5))
    assert not is_nav_item(features("Contact us"), replace(DEFAULT, nav_min_titlecase=0.9))


def test_headline_threshold():
    assert is_headline(features("Council extends library hours"))
    assert not is_headline(features(P[0]))  # a sentence ending in a period
    assert not is_headline(features("Council extends library hours"), replace(DEFAULT, title_max_words=3).title_max_words)


def test_glued_tags_thresholds():
    assert is_glued_tags("IraqNorth AmericaQasem Suleimani")
    assert not is_glued_tags("IraqNorth America")  # one join: below glued_min_joins
    assert is_glued_tags("IraqNorth America", replace(DEFAULT, glued_min_joins=1))
    assert not is_glued_tags("IraqNorth AmericaQasem Suleimani", replace(DEFAULT, glued_max_words=2))


def test_site_suffix_threshold():
    assert split_site_suffix("Council extends hours - Islamic Invitation Turkey") == ("Council extends hours", " - Islamic Invitation Turkey")
    assert split_site_suffix("Council extends hours - Islamic Invitation Turkey", replace(DEFAULT, suffix_max_words=2))[1] == ""


def test_end_weight_thresholds():
    assert end_weight(0.5) == 1.0
    assert end_weight(1.0) == pytest.approx(1.0 - DEFAULT.end_penalty)
    assert end_weight(0.9, replace(DEFAULT, end_penalty=0.0)) == 1.0
    assert end_weight(0.9, replace(DEFAULT, end_zone=0.95)) == 1.0


def test_language_sample_reads_the_longest_lines():
    lines = split_lines("\n".join(MENU + ["Die Stadt hat am Dienstag beschlossen, die Öffnungszeiten der Bibliothek zu verlängern."]))
    assert language_sample(lines, 50).startswith("Die Stadt")


# --------------------------------------------------------------------------- line values and the core


def test_page_shape_kinds():
    page = page_of(MENU[:1] + [P[0], "Home | News | Sport", "a list item of plain words here"])
    shape = page_shape(page)
    kinds = {page.lines[i].text: shape.kind[i] for i in range(len(page.lines)) if not page.lines[i].blank}
    assert kinds == {"Home": NAV, P[0]: GOOD, "Home | News | Sport": CHROME, "a list item of plain words here": PLAIN}


def test_core_is_the_prose_between_menus():
    page = page_of(MENU + P + MENU, sep="\n")
    start, stop = find_core(page)
    core = [page.lines[i].text for i in range(start, stop)]
    assert core[0] == P[0] and core[-1] == P[-1]


def test_core_bad_cost_decides_whether_a_menu_splits_the_article():
    lines = [P[0], "Home", "News", "Sport", "Weather", "Markets", P[1]]
    cheap = replace(DEFAULT, core_bad_cost=1.0, core_bad_len_weight=0.0, core_label_cost=1.0)
    dear = replace(DEFAULT, core_bad_cost=500.0, core_label_cost=500.0)
    assert P[0] in kept(labelled(lines, cheap, sep="\n")) and P[1] in kept(labelled(lines, cheap, sep="\n"))
    assert len([p for p in P[:2] if p in kept(labelled(lines, dear, sep="\n"))]) == 1


def test_core_bad_len_weight_makes_long_chrome_cost_more():
    page = page_of(["Contact Us"])
    (i,) = [i for i, line in enumerate(page.lines) if not line.blank]
    assert line_values(page, replace(DEFAULT, core_bad_len_weight=2.0))[i] < line_values(page, DEFAULT)[i]


def test_core_near_weight_adds_near_good_lines():
    page = page_of(["The council voted on Tuesday."])
    (i,) = [i for i, line in enumerate(page.lines) if not line.blank]
    assert line_values(page)[i] == 0.0
    assert line_values(page, replace(DEFAULT, core_near_weight=0.5))[i] > 0


def test_core_rule_and_marker_costs():
    rule = Rulebook([])
    page = page_of([P[0], "Advertisement", P[1]])
    apply_rules(page, rule)
    page.label(2, Label.DROP, "web/teasers/advertisement")
    assert line_values(page, replace(DEFAULT, core_rule_cost=7.0))[2] == -7.0
    page.truncates.append((2, "web/teasers/you-may-like"))
    assert line_values(page, replace(DEFAULT, core_marker_cost=9.0))[2] == -9.0


def test_core_label_cost_spares_short_lines_next_to_text():
    page = page_of([P[0], "Glossary", P[1]], sep="\n")
    values = line_values(page, replace(DEFAULT, core_label_cost=3.0))
    assert values[1] == -3.0


def test_paragraph_pages_weigh_prose_glued_into_blocks_less():
    block = P[0] + "\n" + P[1]
    page = page_of([block, P[2], P[3]])
    shape = page_shape(page)
    glued = [i for i, line in enumerate(page.lines) if line.text == P[0]][0]
    alone = [i for i, line in enumerate(page.lines) if line.text == P[2]][0]
    assert shape.value[glued] == pytest.approx(DEFAULT.core_block_weight * shape.value[alone] * len(P[0]) / len(P[2]), rel=0.2)
    page2 = page_of([block, P[2], P[3]])
    flat = page_shape(page2, replace(DEFAULT, paragraph_page_share=1.0))
    assert flat.value[glued] == pytest.approx(len(P[0]), rel=0.01)


def test_extension_takes_plain_lists_beside_the_core_but_not_menus():
    terms = ["awl", "a small pointed tool for piercing holes in leather", "celt", "a small axe-like tool of stone used in the hand"]
    lenient = replace(DEFAULT, extend_near_weight=0.3)
    result = kept(labelled(P + terms + MENU, lenient, sep="\n"))
    assert "a small axe-like tool of stone used in the hand" in result and "Contact Us" not in result
    strict = replace(lenient, extend_bad_cost=DEFAULT.core_bad_cost, extend_bad_len_weight=DEFAULT.core_bad_len_weight)
    assert "a small axe-like tool of stone used in the hand" not in kept(labelled(P + terms + MENU, strict, sep="\n"))
    assert "a small axe-like tool of stone used in the hand" not in kept(labelled(P + terms + MENU, replace(lenient, extend_near_weight=0.0), sep="\n"))


ROWS = ["TREK 2300      22.5 CARBON FIBER   3500 RACING", "BURLEY          22 STEEL          2000 TANDEM",
        "GIANT           19 STEEL          1500 COMMUTER", "FUJI            20 STEEL           500 TOURING",
        "SPECIALIZED     16 STEEL           100 MOUNTAIN", "CANNONDALE    22.5 ALUMINUM       3000 RACING"]
ON_TOPIC = "The library will also extend its winter opening hours for students, the council said in its budget report."
OFF_TOPIC = "Stocks in Tokyo rallied sharply on Friday after the central bank announced a surprise cut in interest rates."


def test_prose_on_the_cores_topic_past_a_table_at_the_end_stays(cleaner):
    for tail in (ON_TOPIC, OFF_TOPIC):
        page = page_of(P + ["\n".join(ROWS), tail])
        (i,) = [i for i, line in enumerate(page.lines) if line.text == tail]
        assert page_shape(page).value[i] < 0.9 * len(tail)  # near the end of the page: the end weight applies
    assert ON_TOPIC in kept(labelled(P + ["\n".join(ROWS), ON_TOPIC]))
    assert OFF_TOPIC not in kept(labelled(P + ["\n".join(ROWS), OFF_TOPIC]))
    assert ON_TOPIC not in kept(labelled(P + ["\n".join(ROWS), ON_TOPIC], replace(DEFAULT, topic_min_share=0.0)))
    once = clean(cleaner, MENU + P + ["\n".join(ROWS), ON_TOPIC] + MENU)
    assert ON_TOPIC in once.text and cleaner.clean(Document("t", Kind.TEXT, once.article_file_text())).text == once.text


def test_prose_on_the_cores_topic_past_a_truncate_marker_is_a_teaser():
    page = page_of(P + ["\n".join(ROWS), "Related stories", ON_TOPIC])
    (marker,) = [i for i, line in enumerate(page.lines) if line.text == "Related stories"]
    (tail,) = [i for i, line in enumerate(page.lines) if line.text == ON_TOPIC]
    page.label(marker, Label.DROP, "web/teasers/related")
    values = line_values(page, replace(DEFAULT, topic_min_share=0.0), lenient=True)
    before = values[tail]
    restore_topical(page, values, 0, marker)
    assert values[tail] > before  # no marker: the topic restores its full value
    page.truncates.append((marker, "web/teasers/related"))
    values = line_values(page, DEFAULT, lenient=True)
    restore_topical(page, values, 0, marker)
    assert values[tail] == before


def test_topic_min_share_threshold():
    vocabulary = set(content_words(" ".join(P)))
    words = content_words(ON_TOPIC)
    share = len(words & vocabulary) / len(words)
    assert 0 < share < 1 and not content_words(OFF_TOPIC) & vocabulary
    assert on_topic(words, vocabulary, replace(DEFAULT, topic_min_share=share))
    assert not on_topic(words, vocabulary, replace(DEFAULT, topic_min_share=share + 0.01))
    assert "the" not in content_words("the library the council") and "library" in content_words("the library")


# --------------------------------------------------------------------------- named heuristics


def test_title_is_the_headline_above_the_core_that_shares_its_words():
    page = labelled(MENU + ["Council extends library hours"] + P)
    assert page.title == "Council extends library hours"
    assert reasons(page)["Council extends library hours"] == "heuristic/title"


def test_title_window_limits_how_far_up_the_title_is_sought():
    lines = ["Council extends library hours"] + [f"Menu entry {i} here" for i in range(5)] + P
    assert labelled(lines).title == "Council extends library hours"
    assert labelled(lines, replace(DEFAULT, title_window=2)).title != "Council extends library hours"


def test_title_repeat_and_site_suffix():
    page = labelled(["Council extends library hours - City News", "Council extends library hours"] + P)
    r = reasons(page)
    assert "heuristic/title" in r.values()
    assert {r["Council extends library hours - City News"], r["Council extends library hours"]} <= {
        "heuristic/title", "heuristic/title-repeat", "heuristic/site-suffix"}


def test_glued_tags_alt_text_and_short_head():
    page = labelled(["Council extends library hours", "IraqNorth AmericaQasem Suleimani", "library hours", "Home"] + P)
    r = reasons(page)
    assert r["IraqNorth AmericaQasem Suleimani"] == "heuristic/glued-tags"
    assert r["library hours"] == "heuristic/alt-text"
    assert r["Home"] == "heuristic/short-head"


def test_alt_max_words():
    alt = "council extends library hours"
    lines = ["Council extends library hours today", alt] + P
    assert reasons(labelled(lines))[alt] == "heuristic/alt-text"
    assert reasons(labelled(lines, replace(DEFAULT, alt_max_words=2)))[alt] != "heuristic/alt-text"


def test_outside_core_and_short_tail():
    teaser = "Another story about the mayor's plan to rebuild the old bridge across the river next spring."
    page = labelled(P + MENU * 3 + [teaser, "About"], sep="\n")
    r = reasons(page)
    assert r[teaser] == "heuristic/outside-core"
    assert r["About"] == "heuristic/short-tail"


def test_caption_above_a_credit(cleaner):
    caption = "The library at night, seen from the square"
    result = clean(cleaner, ["Council extends library hours", caption, "Photo by Jane Doe | Reuters"] + P)
    assert any(r.rule == "heuristic/caption" and r.text == caption for r in result.removed)


def test_caption_max_words():
    page = page_of(["A caption of five words", "credit line", P[0]])
    page.line_signals[2] = ("credit",)
    page.label(2, Label.DROP, "media/credits/photo-by")
    from cleaner.text import label_captions

    label_captions(page, replace(DEFAULT, caption_max_words=2))
    assert page.lines[0].label is Label.UNDECIDED
    label_captions(page)
    assert page.lines[0].reason == "heuristic/caption"


def test_dateline_residue_is_stripped(cleaner):
    result = clean(cleaner, ["Council extends library hours", "( – " + P[0]] + P[1:])
    assert P[0] in result.text and "( –" not in result.text
    assert any(r.rule == "heuristic/dateline-residue" for r in result.removed)


def test_truncate_resume_thresholds(cleaner):
    lines = ["Council extends library hours", P[0], P[1], "Related", "Library budget vote delayed", P[2], P[3], P[0] + " Again."]
    result = clean(cleaner, lines)
    assert P[3] in result.text and "Library budget vote delayed" not in result.text
    assert "web/teasers/you-may-like" in result.meta.get("held_back", [])


def test_max_truncate_share_holds_back_a_cut_of_most_of_the_article():
    from cleaner.text import apply_truncate

    page = page_of(["Council extends library hours", P[0], "Related"] + P[1:] * 2)
    at = [i for i, line in enumerate(page.lines) if line.text == "Related"][0]
    page.label(at, Label.DROP, "web/teasers/you-may-like")
    page.truncates.append((at, "web/teasers/you-may-like"))
    stop = len(page.lines)
    assert apply_truncate(page, 0, stop, replace(DEFAULT, truncate_resume_chars=10**6)) == stop
    assert page.held_back == ["web/teasers/you-may-like"]


def test_corpus_template_lines_leave_but_template_prose_inside_the_article_stays():
    lines = ["Sign in to your account", P[0], P[1], P[2], "About the council: it meets every week in the town hall for people.", "Footer"]
    page = page_of(lines, sep="\n")
    page.template = {0, 2, 4, 5}
    label_template(page)
    assert page.lines[0].reason == "heuristic/corpus-template" and page.lines[5].reason == "heuristic/corpus-template"
    heuristics(page, DEFAULT)
    assert page.lines[2].label is Label.KEEP  # template prose with article prose on both sides
    assert page.lines[4].reason == "heuristic/corpus-template"  # template prose at the end


def test_settle_makes_cleaning_idempotent(cleaner):
    from cleaner.model import Document as Doc

    text = "\n".join(MENU + ["Council extends library hours"] + P + ["Tags:", "library", "council"] + [P[0][:60] + "!"])
    once = cleaner.clean(Doc("a", Kind.TEXT, text)).article_file_text()
    twice = cleaner.clean(Doc("a", Kind.TEXT, once)).article_file_text()
    assert once == twice


def test_settle_takes_over_what_a_second_pass_drops():
    page = labelled(P)
    second = labelled(P[:1])
    settle(page, lambda _text: second)  # a fake second pass that sees fewer lines than were kept: left alone
    assert kept(page) == P
