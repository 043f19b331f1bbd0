"""The stylesheet is inlined in every page under the response's CSP nonce (no render-blocking
request, no 'unsafe-inline'), minified without losing a rule (imgportal/templatetags/stylesheet.py).
"""

import re
from pathlib import Path

import pytest
from django.template import Context, Template, TemplateSyntaxError

from imgportal.templatetags import stylesheet
from imgportal.templatetags.stylesheet import minify

SOURCE = Path(__file__).resolve().parent.parent / "static" / "css" / "site.css"
STYLE = re.compile(r'<style nonce="([^"]+)">(.*?)</style>', re.S)


def style_src_nonces(response) -> list[str]:
    directives = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    return re.findall(r"'nonce-([^']+)'", directives["style-src"])


@pytest.mark.parametrize("path", ["/", "/resources/", "/roadmap/", "/accounts/login/"])
def test_pages_carry_the_stylesheet_inline_under_their_style_nonce(member, client, path):
    if path == "/roadmap/":
        client.force_login(member)
    response = client.get(path)
    html = response.content.decode()
    assert response.status_code == 200
    styles = STYLE.findall(html)
    assert len(styles) == 1, path
    nonce, css = styles[0]
    assert style_src_nonces(response) == [nonce]
    assert css == minify(SOURCE.read_text())
    assert 'rel="stylesheet"' not in html  # nothing left to block the first paint
    assert "unsafe-" not in response["Content-Security-Policy"]


def test_each_response_has_its_own_style_nonce(client):
    first, second = (STYLE.search(client.get("/").content.decode()).group(1) for _ in range(2))
    assert first != second


def without_whitespace(css: str) -> str:
    return re.sub(r"\s+", "", css)


def test_minifying_the_stylesheet_removes_only_comments_whitespace_and_last_semicolons():
    source = SOURCE.read_text()
    minified = minify(source)
    assert len(minified) < len(source) - 1000
    assert "/*" not in minified and "\n" not in minified
    without_comments = re.sub(r"/\*.*?\*/", "", source, flags=re.S)
    expected = without_whitespace(without_comments).replace(";}", "}")
    assert without_whitespace(minified) == expected


@pytest.mark.parametrize(
    ("css", "expected"),
    [
        ("a  ,  b {\n  color : red ;\n}\n", "a ,b{color :red}"),
        ('.x::before { content: " · "; }', '.x::before{content:" · "}'),
        (".x { content: ' /* kept */  ;} '; }", ".x{content:' /* kept */  ;} '}"),
        ("/* a ' quote */ .y :hover { margin: 0 auto }", ".y :hover{margin:0 auto}"),
        ("@media (min-width: 40em) and (hover: hover) { .z { gap: 1rem } }",
         "@media (min-width:40em) and (hover:hover){.z{gap:1rem}}"),
    ],
)  # fmt: skip
def test_minify_keeps_strings_and_the_spaces_that_mean_something(css, expected):
    assert minify(css) == expected


def test_a_stylesheet_that_would_close_the_style_element_is_refused(tmp_path, settings):
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "bad.css").write_text('.x::after { content: "</style>"; }')
    settings.STATICFILES_DIRS = [tmp_path]
    stylesheet.cached_read.cache_clear()
    template = Template('{% load stylesheet %}{% inline_stylesheet "css/bad.css" %}')
    with pytest.raises(TemplateSyntaxError, match="contains '</'"):
        template.render(Context({"csp_nonce": "n"}))
