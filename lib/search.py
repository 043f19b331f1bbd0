"""Search words for PostgreSQL full-text search, shared by the resource directory and the
program catalogue: plain words only, the last one as a prefix (search as you type)."""

import re

# The longest query we turn into search terms; the rest is ignored.
MAX_SEARCH_TERMS = 8
# Letters and digits only: what remains can never carry tsquery operators (& | ! : * ( ) ').
SEARCH_TERM = re.compile(r"\w+")


def search_terms(q: str) -> list[str]:
    return SEARCH_TERM.findall(q.replace("_", " "))[:MAX_SEARCH_TERMS]


def prefix_tsquery(terms: list[str]) -> str:
    """`visa & spons:*`: every term must match, the last one as a prefix (search as you type).

    Terms are plain \\w+ words, so the result is a safe to_tsquery() string; it is still
    passed to the database as a parameter, never interpolated into SQL.
    """
    return " & ".join([*terms[:-1], f"{terms[-1]}:*"])
