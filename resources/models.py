"""The resource directory: curated resources, members' saved resources, problem reports.

Curated (edited by curators in the admin, shipped in resources/content/): Resource, Tag.
Member data: SavedResource, ProblemReport.
"""

import datetime

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.core.validators import URLValidator
from django.db import connections, models
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from lib.search import MAX_SEARCH_TERMS, prefix_tsquery, search_terms  # noqa: F401 (re-exported)
from pathways.models import Category as MilestoneCategory
from pathways.models import curated_values_field

SEARCH_CONFIG = "english"
# The directory ranks at most this many matches of a search (the first found; it says so).
# Ranking reads each match's stored vector: a one-letter search as you type matched 97,000 of
# 100,000 benchmark resources and took 0.7 s to count and rank; bounded, 16 ms.
RANK_AT_MOST = 1000
# Slugs that would clash with the directory's own URLs (/resources/saved/).
RESERVED_SLUGS = ["saved"]
# Days without review after which a resource counts as stale.
STALE_AFTER_DAYS = 365
# The columns a directory card shows: not the description, nor the search document (about
# 1.5 KB a row, stored out of line), which ranking reads in the database and no card needs.
CARD_FIELDS = [
    "title", "slug", "organisation", "category", "summary", "cost", "location", "needs_review"
]  # fmt: skip


class Category(models.TextChoices):
    """The roadmap's five categories (same values as pathways.models.Category), plus four."""

    ECFMG = MilestoneCategory.ECFMG.value, "ECFMG and certification"
    EXAMS = MilestoneCategory.EXAMS.value, "Exams and exam preparation"
    MATCH = MilestoneCategory.MATCH.value, "Application and Match"
    OBSERVERSHIPS = "observerships", "Observerships and clinical experience"
    VISA = MilestoneCategory.VISA.value, "Visas and immigration"
    LICENSURE = MilestoneCategory.LICENSURE.value, "Licensure"
    SUPPORT = "support", "Transition programmes and support organisations"
    CONFERENCES = "conferences", "Conferences and networking"
    SCHOLARSHIPS = "scholarships", "Scholarships and financial help"


class Cost(models.TextChoices):
    FREE = "free", "Free"
    PAID = "paid", "Paid"
    VARIES = "varies", "Varies"


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)
    slug = models.SlugField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ResourceQuerySet(models.QuerySet):
    def published(self) -> "ResourceQuerySet":
        return self.filter(published=True)

    def stale(self, today: datetime.date | None = None) -> "ResourceQuerySet":
        today = today or timezone.localdate()
        return self.filter(last_reviewed__lt=today - datetime.timedelta(days=STALE_AFTER_DAYS))

    def for_directory(self, user=None) -> "ResourceQuerySet":
        """What a directory card shows: tags, and whether this member saved it."""
        qs = self.prefetch_related("tags")
        if user is not None and user.is_authenticated:
            saved = SavedResource.objects.filter(user=user, resource=OuterRef("pk"))
            qs = qs.annotate(is_saved=Exists(saved))
        return qs

    def for_cards(self) -> "ResourceQuerySet":
        """What a directory card shows, for everyone: its own columns and its tags."""
        return self.only(*CARD_FIELDS).prefetch_related("tags")

    def search(self, q: str, *, rank_at_most: int | None = None) -> "ResourceQuerySet":
        """Resources matching every word of `q`, best first (the last word as a prefix).

        With `rank_at_most`, only that many matches are ranked: the first the database finds
        (in no meaningful order), so the caller must say the list is not the best of all."""
        terms = search_terms(q)
        if not terms:
            return self
        if connections[self.db].vendor == "postgresql":
            matches, rank = self._search_postgresql(terms)
        else:
            matches, rank = self._search_fallback(terms)
        if rank_at_most is not None:
            matches = self.filter(pk__in=matches.order_by().values("pk")[:rank_at_most])
        return matches.annotate(rank=rank).order_by("-rank", "title", "pk")

    def _search_postgresql(self, terms: list[str]) -> tuple["ResourceQuerySet", SearchRank]:
        query = SearchQuery(prefix_tsquery(terms), search_type="raw", config=SEARCH_CONFIG)
        return self.filter(search_document=query), SearchRank(F("search_document"), query)

    def _search_fallback(self, terms: list[str]) -> tuple["ResourceQuerySet", Case]:
        """SQLite (development): every word in some field; title matches first."""
        qs = self
        for term in terms:
            qs = qs.filter(
                Q(title__icontains=term)
                | Q(organisation__icontains=term)
                | Q(summary__icontains=term)
                | Q(description__icontains=term)
            )
        phrase = " ".join(terms)
        rank = Case(
            When(title__icontains=phrase, then=Value(4)),
            When(organisation__icontains=phrase, then=Value(3)),
            When(summary__icontains=phrase, then=Value(2)),
            default=Value(1),
            output_field=IntegerField(),
        )
        return qs, rank


class Resource(models.Model):
    Category = Category
    Cost = Cost

    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=100, unique=True, help_text="Stable identifier used in the page's URL."
    )
    organisation = models.CharField(
        max_length=200, help_text="Who runs it, as the organisation names itself."
    )
    category = models.CharField(max_length=20, choices=Category)
    summary = models.CharField(max_length=300, help_text="One or two sentences shown in the list.")
    description = models.TextField(
        blank=True,
        help_text="Markdown. Rendered with a sanitiser: no raw HTML survives; links may only "
        "use http, https or mailto.",
    )
    url = models.URLField(
        "official URL",
        max_length=500,
        blank=True,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="The official page (http or https). Leave empty only if none is known.",
    )
    cost = models.CharField(max_length=10, choices=Cost, default=Cost.VARIES)
    eligibility = models.CharField(
        "who it is for", max_length=300, blank=True, help_text="Eligibility notes."
    )
    location = models.CharField(
        max_length=100,
        blank=True,
        help_text='Where it applies: "Online", a country, or a US state.',
    )
    tags = models.ManyToManyField(Tag, related_name="resources", blank=True)
    milestones = models.ManyToManyField(
        "pathways.Milestone",
        related_name="resources",
        blank=True,
        help_text="The roadmap milestones this resource helps with.",
    )
    published = models.BooleanField(default=False, help_text="Shown in the public directory.")
    last_reviewed = models.DateField(help_text="When a curator last checked it against the source.")
    needs_review = models.BooleanField(
        default=False,
        help_text="Set when a fact or the URL is from secondary sources or may be out of date.",
    )
    curated_values = curated_values_field()
    # PostgreSQL only: title (weight A), organisation (B), summary (C), description (D),
    # kept up to date by a database trigger (migration 0002) on every insert and update,
    # whatever wrote the row. Unused (NULL) on SQLite, where search() falls back to icontains.
    search_document = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        indexes = [
            # The directory's first page and its count at 100,000 resources.
            models.Index(
                fields=["title"], condition=Q(published=True), name="resources_published_title"
            ),
            models.Index(
                fields=["location"],
                condition=Q(published=True),
                name="resources_published_location",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=Category.values), name="resources_resource_category_valid"
            ),
            models.CheckConstraint(
                condition=Q(cost__in=Cost.values), name="resources_resource_cost_valid"
            ),
            models.CheckConstraint(
                condition=~Q(slug__in=RESERVED_SLUGS),
                name="resources_resource_slug_not_reserved",
                violation_error_message="This slug is taken by a page of the directory.",
            ),
            models.CheckConstraint(
                condition=Q(url="") | Q(url__startswith="https://") | Q(url__startswith="http://"),
                name="resources_resource_url_scheme",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("resources:detail", args=[self.slug])

    @cached_property
    def save_url(self) -> str:
        return reverse("resources:save", args=[self.slug])

    @property
    def is_stale(self) -> bool:
        return self.last_reviewed < timezone.localdate() - datetime.timedelta(days=STALE_AFTER_DAYS)


class SavedResource(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_resources"
    )
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="saves")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "resource"], name="resources_savedresource_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} saved {self.resource}"


class ProblemReportQuerySet(models.QuerySet):
    def open(self) -> "ProblemReportQuerySet":
        return self.filter(resolved=False)

    def recent(self, user, hours: int = 1) -> "ProblemReportQuerySet":
        """Reports this member filed in the last `hours` (the rate limit counts them)."""
        since = timezone.now() - datetime.timedelta(hours=hours)
        return self.filter(user=user, created_at__gte=since)


class ReportKind(models.TextChoices):
    BROKEN_LINK = "broken_link", "The link is broken"
    OUTDATED = "outdated", "It is out of date"
    WRONG = "wrong", "Something is wrong"
    OTHER = "other", "Other"


class ProblemReport(models.Model):
    Kind = ReportKind

    # A member may file this many reports per hour, across all resources.
    MAX_PER_HOUR = 5

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="reports")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="problem_reports"
    )
    kind = models.CharField("what is wrong", max_length=20, choices=Kind)
    message = models.TextField(
        "details", max_length=1000, blank=True, help_text="Optional, up to 1,000 characters."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved = models.BooleanField(default=False)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ProblemReportQuerySet.as_manager()

    class Meta:
        ordering = ["resolved", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "resource"],
                condition=Q(resolved=False),
                name="resources_problemreport_one_open_per_member",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ReportKind.values), name="resources_problemreport_kind_valid"
            ),
        ]
        indexes = [models.Index(fields=["user", "created_at"], name="resources_report_user_recent")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.resource}"

    def record_resolution(self, curator) -> None:
        """Record who resolved the report and when, or clear both when it is re-opened."""
        if self.resolved and self.resolved_at is None:
            self.resolved_at = timezone.now()
            self.resolved_by = curator
        elif not self.resolved:
            self.resolved_at = None
            self.resolved_by = None
