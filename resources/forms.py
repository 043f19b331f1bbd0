from django import forms
from django.forms.utils import flatatt
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join

from resources import directory_cache
from resources.models import (
    Category,
    Cost,
    ProblemReport,
    Resource,
    ResourceQuerySet,
    Tag,
    search_terms,
)

# This process's last read of the choices: (token, choices). Read them, never change them.
_last_choices: tuple[str, dict[str, list[tuple[str, str]]]] | None = None


def filter_choices(token: str | None = None) -> dict[str, list[tuple[str, str]]]:
    """The places and tags of published resources: one cache entry under the resources'
    token, kept by each process while the token stands (as pathways/curated_cache.py does)."""
    global _last_choices
    token = token or directory_cache.version()
    last = _last_choices
    if last is not None and last[0] == token:
        return last[1]

    def compute() -> dict[str, list[tuple[str, str]]]:
        places = (
            Resource.objects.published()
            .exclude(location="")
            .order_by("location")
            .values_list("location", flat=True)
            .distinct()
        )
        tags = (
            Tag.objects.filter(resources__published=True)
            .distinct()
            .order_by("name")
            .values_list("slug", "name")
        )
        return {"location": [(place, place) for place in places], "tag": list(tags)}

    choices = directory_cache.cached(("filter choices",), compute, token)
    _last_choices = (token, choices)
    return choices


class PlainSelect(forms.Select):
    """A select of plain (value, label) choices, written in Python: Django renders each option
    through two templates, which for the directory's four selects (about 60 options) cost more
    than the rest of the page. The same markup as forms.Select for choices without groups."""

    def render(self, name, value, attrs=None, renderer=None):
        selected = set(self.format_value(value))
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (key, " selected" if str(key) in selected else "", label)
                for key, label in self.choices
            ),
        )
        attrs = flatatt(self.build_attrs(self.attrs, attrs))
        return format_html('<select name="{}"{}>{}</select>', name, attrs, options)


class ResourceFilterForm(forms.Form):
    """The directory's query string: search words and filters, all optional."""

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    category = forms.ChoiceField(
        choices=[("", "All categories"), *Category.choices], required=False, widget=PlainSelect
    )
    cost = forms.ChoiceField(
        choices=[("", "Any cost"), *Cost.choices], required=False, widget=PlainSelect
    )
    location = forms.ChoiceField(required=False, widget=PlainSelect)
    tag = forms.ChoiceField(required=False, widget=PlainSelect)

    def __init__(self, *args, token: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.token = token  # the resources' cache token, when the caller has read it
        # Lazy and read once: only when a select is rendered or its value checked.
        self.fields["location"].choices = lambda: [("", "Anywhere"), *self._choices["location"]]
        self.fields["tag"].choices = lambda: [("", "Any tag"), *self._choices["tag"]]

    @cached_property
    def _choices(self) -> dict[str, list[tuple[str, str]]]:
        return filter_choices(self.token)

    def filter(
        self, queryset: ResourceQuerySet, *, rank_at_most: int | None = None
    ) -> ResourceQuerySet:
        """Apply the cleaned filters, then the search (which sets the order)."""
        data = self.cleaned_data
        if data["category"]:
            queryset = queryset.filter(category=data["category"])
        if data["cost"]:
            queryset = queryset.filter(cost=data["cost"])
        if data["location"]:
            queryset = queryset.filter(location=data["location"])
        if data["tag"]:
            queryset = queryset.filter(tags__slug=data["tag"])
        return queryset.search(data["q"], rank_at_most=rank_at_most)

    @property
    def searches(self) -> bool:
        return self.is_valid() and bool(search_terms(self.cleaned_data["q"]))

    def cache_parts(self) -> tuple:
        """What the results depend on, as the directory's cache keys them (a valid form)."""
        data = self.cleaned_data
        terms = tuple(search_terms(data["q"]))
        return (terms, data["category"], data["cost"], data["location"], data["tag"])

    @property
    def is_filtered(self) -> bool:
        return self.is_valid() and any(self.cleaned_data.values())


class ProblemReportForm(forms.ModelForm):
    class Meta:
        model = ProblemReport
        fields = ["kind", "message"]
        widgets = {"kind": forms.RadioSelect, "message": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user, resource: Resource, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.user = self.user = user
        self.instance.resource = self.resource = resource

    def clean(self):
        cleaned = super().clean()
        if ProblemReport.objects.open().filter(user=self.user, resource=self.resource).exists():
            raise forms.ValidationError(
                "You have already reported a problem with this resource. A curator will look "
                "at it soon."
            )
        if ProblemReport.objects.recent(self.user).count() >= ProblemReport.MAX_PER_HOUR:
            raise forms.ValidationError(
                "You have sent several reports in the last hour. Please try again later."
            )
        return cleaned
