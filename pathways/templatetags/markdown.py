"""`{{ text|markdown }}`: curator-written Markdown rendered to sanitised HTML.

Generic on purpose (the resources app uses it too). Raw HTML in the source does not
survive: nh3 keeps a small tag set, only http/https/mailto links, and adds
rel="noopener noreferrer nofollow" to every link.
"""

import markdown as markdown_lib
import nh3
from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

ALLOWED_TAGS = {
    "a", "blockquote", "br", "code", "em", "h2", "h3", "h4", "h5", "hr", "li", "ol", "p", "pre",
    "strong", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str) -> SafeString:
    html = markdown_lib.markdown(text or "", extensions=["sane_lists"], output_format="html")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    # Sanitised by nh3 just above (allow-listed tags, attributes and URL schemes).
    return mark_safe(clean)  # noqa: S308  # nosec B308 B703  # nosemgrep: mark-safe


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    return render_markdown(text)
