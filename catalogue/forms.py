from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import cached_property

from lib.search import search_terms

from .models import CatalogueProgram, CatalogueProgramQuerySet, FactKind, Proposal, clean_value
from .search_cache import SEARCH


def distinct_values(field: str, token: str | None = None) -> list[str]:
    """The published programs' values of `field`, from the search cache (a DISTINCT over
    13,000 rows costs several ms)."""

    def compute() -> list[str]:
        return list(
            CatalogueProgram.objects.published()
            .exclude(**{field: ""})
            .order_by(field)
            .values_list(field, flat=True)
            .distinct()
        )

    return SEARCH.cached(("choices", field), compute, token)


class CatalogueSearchForm(forms.Form):
    """The catalogue's query string: search words and two filters, all optional."""

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        help_text="A program, hospital, city, or ACGME / NRMP code.",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    specialty = forms.ChoiceField(required=False)
    state = forms.ChoiceField(required=False)

    def __init__(self, *args, token: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.token = token  # the search cache's token, read once per request by the view
        # Lazy: read only when a select is rendered or a chosen value is checked.
        self.fields["specialty"].choices = lambda: [("", "Any specialty"), *self._specialties]
        self.fields["state"].choices = lambda: [("", "Any state"), *self._states]

    @cached_property
    def _specialties(self) -> list[tuple[str, str]]:
        return [(value, value) for value in distinct_values("specialty", self.token)]

    @cached_property
    def _states(self) -> list[tuple[str, str]]:
        return [(value, value) for value in distinct_values("state", self.token)]

    def cache_parts(self) -> tuple[str, str, str]:
        """What the results depend on (a valid form): the words and the two filters."""
        data = self.cleaned_data
        return (" ".join(search_terms(data["q"])).lower(), data["specialty"], data["state"])

    @property
    def searches(self) -> bool:
        return self.is_valid() and bool(search_terms(self.cleaned_data["q"]))

    @property
    def is_filtered(self) -> bool:
        return self.is_valid() and any(self.cleaned_data.values())

    def filter(
        self, queryset: CatalogueProgramQuerySet, *, rank_at_most: int | None = None
    ) -> CatalogueProgramQuerySet:
        data = self.cleaned_data
        if data["specialty"]:
            queryset = queryset.filter(specialty=data["specialty"])
        if data["state"]:
            queryset = queryset.filter(state=data["state"])
        return queryset.search(data["q"], rank_at_most=rank_at_most)


def http_url(value: str) -> str:
    if not value.lower().startswith(("https://", "http://")):
        raise ValidationError("Enter the address of a web page (starting with https://).")
    return value


class CorrectionForm(forms.ModelForm):
    """A member's correction of one fact of a catalogue program, with its source."""

    class Meta:
        model = Proposal
        fields = ["kind", "value", "source_url", "comment"]
        labels = {
            "kind": "Fact",
            "value": "Correct value",
            "source_url": "Source (the page that says so)",
            "comment": "Comment for the curators (optional)",
        }
        help_texts = {
            "value": 'Yes or no for visas, a whole number for the others, or "unknown".',
        }
        widgets = {"value": forms.TextInput(), "comment": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, program: CatalogueProgram, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.user = user
        self.instance.program = program
        self.fields["kind"].choices = [("", "Choose a fact"), *FactKind.choices]
        self.fields["kind"].required = True
        self.fields["value"].required = True

    def clean_source_url(self) -> str:
        return http_url(self.cleaned_data["source_url"])

    def clean(self):
        cleaned = super().clean()
        kind, value = cleaned.get("kind"), cleaned.get("value")
        if kind and value is not None and "value" not in self.errors:
            try:
                cleaned["value"] = clean_value(kind, value)
            except ValidationError as error:
                self.add_error("value", error)
        return cleaned


class NewProgramForm(forms.ModelForm):
    """A member's proposed new catalogue program, with its source."""

    class Meta:
        model = Proposal
        fields = [
            "institution_name",
            "name",
            "specialty",
            "city",
            "state",
            "acgme_id",
            "nrmp_code",
            "source_url",
            "comment",
        ]
        labels = {
            "institution_name": "Institution (hospital or health system)",
            "acgme_id": "ACGME program ID (optional)",
            "nrmp_code": "NRMP program code (optional)",
            "source_url": "Source (the program's page)",
            "comment": "Comment for the curators (optional)",
        }
        widgets = {"comment": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.user = user
        for name in ("institution_name", "name", "specialty", "city", "state"):
            self.fields[name].required = True

    def clean_source_url(self) -> str:
        return http_url(self.cleaned_data["source_url"])
