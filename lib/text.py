"""Free text as members type or paste it: the one home of what is dropped from it.

Bidirectional controls (U+202A-U+202E embeddings and overrides, U+2066-U+2069 isolates) make
text display in an order other than the one stored: "gnp.exe" shown as "exe.png", a program
name that reorders the row it sits in. They are stripped from every free-text field of the
profile and the application season (forms and imports). Other invisible format characters
(zero-width joiners, soft hyphens) stay in long text, where Persian and emoji need them; short
names drop them all (`without_format_characters`).
"""

import unicodedata

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def without_bidi_controls(value: str) -> str:
    return "".join(c for c in value if c not in BIDI_CONTROLS)


def without_format_characters(value: str) -> str:
    """Every Unicode format character (category Cf) dropped: bidi controls included."""
    return "".join(c for c in value if unicodedata.category(c) != "Cf")
