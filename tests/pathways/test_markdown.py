"""Curator-written Markdown is rendered safely."""

from pathways.templatetags.markdown import render_markdown


def test_markdown_is_sanitised():
    html = render_markdown(
        "**bold** [ok](https://example.org) [bad](JaVaScRiPt:alert(1)) "
        "<iframe src=x></iframe><script>alert(1)</script> <img src=x onerror=alert(1)>"
    )
    assert "<strong>bold</strong>" in html
    assert 'href="https://example.org"' in html and 'rel="noopener noreferrer nofollow"' in html
    assert "javascript" not in html.lower()
    assert "<iframe" not in html and "<script" not in html and "onerror" not in html
