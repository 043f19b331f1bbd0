"""`{% inline_stylesheet "css/site.css" %}`: the stylesheet inside the page, under the CSP nonce.

A `<link rel="stylesheet">` in the head blocks the first paint until the file has arrived: on a
phone that is one more round trip before anything shows (Lighthouse's "render-blocking
resources"; docs/performance.md). The stylesheet is small (about 16 KB minified, 3.6 KB
compressed), so every page carries it in a `<style>` element instead, with the response's CSP
nonce: the policy stays `style-src 'self' 'nonce-…'`, no 'unsafe-inline'.

The file is read from the static folders (the same source collectstatic copies), comments and
runs of whitespace removed, once per process in production; in development on every request, so
that an edited stylesheet shows at once.
"""

import re
from functools import cache

from django import template
from django.conf import settings
from django.contrib.staticfiles import finders
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# A CSS string ("..." or '...') is kept as written; comments and whitespace elsewhere go.
TOKENS = re.compile(r"""("(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')|/\*.*?\*/""", re.S)
AROUND = re.compile(r"\s*([{};])\s*")
AFTER = re.compile(r"([:,])\s+")


def minify(css: str) -> str:
    """Comments and runs of whitespace removed; strings untouched; no rule is rewritten."""
    parts, code, position = [], "", 0
    for token in TOKENS.finditer(css):
        code += css[position : token.start()]
        position = token.end()
        if token.group(1):  # a string: kept as written
            parts += [squeeze(code), token.group(1)]
            code = ""
        else:  # a comment
            code += " "
    parts.append(squeeze(code + css[position:]))
    return "".join(parts).strip()


def squeeze(code: str) -> str:
    code = AFTER.sub(r"\1", AROUND.sub(r"\1", re.sub(r"\s+", " ", code)))
    return code.replace(";}", "}")


def read(path: str) -> str:
    found = finders.find(path)
    if found is None:
        raise template.TemplateSyntaxError(f"inline_stylesheet: no static file {path!r}")
    with open(found, encoding="utf-8") as stylesheet:
        css = minify(stylesheet.read())
    if "</" in css:  # would end the <style> element early
        raise template.TemplateSyntaxError(f"inline_stylesheet: {path!r} contains '</'")
    return css


cached_read = cache(read)


@register.simple_tag(takes_context=True)
def inline_stylesheet(context, path: str) -> SafeString:
    css = read(path) if settings.DEBUG else cached_read(path)
    # Our own stylesheet from the repository, checked above to hold no "</": no user input.
    return format_html(
        '<style nonce="{}">{}</style>',
        context.get("csp_nonce", ""),
        mark_safe(css),  # noqa: S308  # nosec B308 B703  # nosemgrep: mark-safe
    )
