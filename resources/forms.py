from django import forms
from django.core.cache import cache
from django.utils.functional import cached_property

from pathways import curated_cache
from resources.models import Category, Cost, ProblemReport, Resource, ResourceQuerySet, Tag

# The places published resources are for change only when a curator saves a resource: cached,
# dropped by any save or delete of a resource (ResourcesConfig.ready), by the admin's bulk
# actions and by the content loader. The timeout bounds a change made behind their backs.
LOCATIONS_KEY = "resources:locations"
LOCATIONS_TIMEOUT = 60 * 60


def location_choices() -> list[tuple[str, str]]:
    """The places published resources are for (evaluated only when rendered or checked)."""
    places = cache.get(LOCATIONS_KEY)
    if places is None:
        places = list(
            Resource.objects.published()
            .exclude(location="")
            .order_by("location")
            .values_list("location", flat=True)
            .distinct()
        )
        cache.set(LOCATIONS_KEY, places, timeout=LOCATIONS_TIMEOUT)
    return [("", "Anywhere"), *((place, place) for place in places)]


def forget_locations(**kwargs) -> None:
    """A resource changed (every path that changes one calls this: signals, the admin's bulk
    actions, the loader): the directory's location choices are read afresh, and the curated
    content's version moves, since a member's dashboard lists published resources with its
    next steps (pathways/dashboard_cache.py)."""
    cache.delete(LOCATIONS_KEY)
    curated_cache.forget()


class ResourceFilterForm(forms.Form):
    """The directory's query string: search words and filters, all optional."""

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    category = forms.ChoiceField(
        choices=[("", "All categories"), *Category.choices], required=False
    )
    cost = forms.ChoiceField(choices=[("", "Any cost"), *Cost.choices], required=False)
    location = forms.ChoiceField(required=False)
    tag = forms.ModelChoiceField(
        queryset=Tag.objects.filter(resources__published=True).distinct(),
        to_field_name="slug",
        required=False,
        empty_label="Any tag",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Lazy and asked once: only when the select is rendered or a location is given.
        self.fields["location"].choices = self.location_choices

    @cached_property
    def _location_choices(self) -> list[tuple[str, str]]:
        return location_choices()

    def location_choices(self) -> list[tuple[str, str]]:
        return self._location_choices

    def filter(self, queryset: ResourceQuerySet) -> ResourceQuerySet:
        """Apply the cleaned filters, then the search (which sets the order)."""
        data = self.cleaned_data
        if data["category"]:
            queryset = queryset.filter(category=data["category"])
        if data["cost"]:
            queryset = queryset.filter(cost=data["cost"])
        if data["location"]:
            queryset = queryset.filter(location=data["location"])
        if data["tag"]:
            queryset = queryset.filter(tags=data["tag"])
        return queryset.search(data["q"])

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
