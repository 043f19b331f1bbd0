"""Email addresses: one canonical form, and no look-alikes of other addresses.

`Lower(email)` uniqueness alone let full-width (U+FF41), Cyrillic (U+0430) and
dotless (U+0131) letters make second accounts that read like an existing one;
a full-width domain even sent its confirmation to the existing member after
IDNA encoding. So every address entered (sign-up, email change, reset) goes
through `canonical_email` before any uniqueness check.

The domain is checked again after IDNA decoding (an address typed as `xn--...` punycode
is the same domain), and a domain letter that is an ASCII letter under a mark (`ā`, `á`,
`ü`) counts as a look-alike too: `carol@māilprobe.org` made a second account beside
`carol@mailprobe.org`. This refuses internationalised domains with accented letters; the
addresses are ASCII-only already (no SMTPUTF8), and a look-alike account costs more.
"""

import unicodedata

from confusable_homoglyphs import categories, confusables
from django import forms
from django.core.exceptions import ValidationError
from email_validator import EmailNotValidError, validate_email

LOOKALIKE_MESSAGE = (
    "This address contains letters that look like other letters (for example a Cyrillic "
    "\u201ca\u201d or a dotless \u201ci\u201d). Type it with the letters your email provider uses."
)


def looks_like_ascii(char: str) -> bool:
    """A non-ASCII character that Unicode lists as confusable with an ASCII one."""
    if char.isascii():
        return False
    homoglyphs = confusables.confusables_data.get(char) or []
    return any(glyph["c"].isascii() for glyph in homoglyphs)


def is_marked_ascii(char: str) -> bool:
    """A non-ASCII letter that is an ASCII letter plus marks (macron, acute, diaeresis...)."""
    if char.isascii():
        return False
    base = unicodedata.normalize("NFD", char)
    return base[0].isascii() and all(unicodedata.category(c) == "Mn" for c in base[1:])


def is_lookalike(part: str) -> bool:
    """Mixed scripts (Latin with Cyrillic, Greek...) or a letter that mimics ASCII."""
    letters = [c for c in part if c.isalpha()]
    scripts = {categories.alias(c) for c in letters}
    return len(scripts) > 1 or any(looks_like_ascii(c) for c in part)


def is_lookalike_domain(domain: str) -> bool:
    """Any label of the (IDNA-decoded) domain a look-alike, or with a marked ASCII letter."""
    return any(
        is_lookalike(label) or any(is_marked_ascii(c) for c in label) for label in domain.split(".")
    )


def canonical_email(value: str) -> str:
    """NFKC, lower case, IDNA (ASCII) domain; refuse malformed and look-alike addresses."""
    value = unicodedata.normalize("NFKC", value).strip()
    local, _, domain = value.rpartition("@")
    if is_lookalike(local) or is_lookalike_domain(domain):
        raise ValidationError(LOOKALIKE_MESSAGE, code="lookalike")
    try:
        result = validate_email(value, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as error:
        raise ValidationError(f"Enter a valid email address: {error}", code="invalid") from None
    if is_lookalike_domain(result.domain):  # the domain as IDNA decodes it (`xn--` typed)
        raise ValidationError(LOOKALIKE_MESSAGE, code="lookalike")
    return f"{result.local_part}@{result.ascii_domain}".lower()


class CanonicalEmailField(forms.EmailField):
    """An email field validated by `canonical_email` (email-validator) instead of
    Django's ASCII regex, so look-alikes get a message that says what is wrong."""

    default_validators: list = []

    def to_python(self, value):
        value = super().to_python(value)
        return canonical_email(value) if value else value


def use_canonical_email(form: forms.Form, name: str = "email") -> None:
    field = form.fields[name]
    form.fields[name] = CanonicalEmailField(
        label=field.label, required=field.required, widget=field.widget, help_text=field.help_text
    )
