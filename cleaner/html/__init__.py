"""The HTML stages: parse a page once, prune it by selector rules and tree heuristics, extract its body and comments.

Each module returns data and knows nothing of the pipeline, which orders these stages and runs the
line stages over what they extract. This package and its metadata.py are the only modules that import
trafilatura (apart from evaluation's baseline).

- parse.py      the per-document time limit, and parsing a page once with lxml;
- tree.py       element helpers the stages share (an element's text, removing one, normalised words);
- selectors.py  the rulebook's selector rules compiled, pruning by them, and cutting out comment threads;
- prune.py      tree heuristics before extraction (teaser lists, hidden copies, layout tables, loose text);
- opinions.py   second opinions on trafilatura's body (jusText, tables kept, precision mode);
- blocks.py     the learned block scorer: the page cut into text blocks, those the body left out put back
                where a model trained on gold pages says they are content;
- metadata.py   title, author, date, site name, URL and the declared language;
- extract.py    one page to an Extracted record: body and comments apart, metadata, what was removed.
"""
