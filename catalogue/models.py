"""The shared program catalogue: programs any member can pick, with sourced IMG facts.

Curated (edited by curators in the admin, or imported by them): Institution,
CatalogueProgram, Fact, and the history of facts, FactChange (written by the code that
changes a fact, never by hand). Member data: Proposal (a member's proposed program or
correction, reviewed by curators; never shown to other members).

Every fact is a row of its own with its source (URL), the date it was checked and the
curator who checked it. "unknown" is a value of its own: a known value without a source
and a date cannot be stored (a database constraint), so nothing is ever a guess.
"""

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.core.exceptions import ValidationError
from django.db import connection, connections, models
from django.db.models import Case, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.urls import reverse

from lib.search import prefix_tsquery, search_terms

UNKNOWN = "unknown"
YES, NO = "yes", "no"

# Names, codes and places are not English words: no stemming, no stop words.
SEARCH_CONFIG = "simple"
# A search ranks at most this many matches (the first the database finds; the page says so).
# A one-letter search as you type matches most of 13,000 programs: ranking reads each
# match's stored vector, so it is bounded as the resource directory's is.
RANK_AT_MOST = 1000
# The columns a search result shows: never the search document, nor any fact.
CARD_FIELDS = ["name", "specialty", "city", "state", "institution__name"]


def url_scheme_ok(field: str) -> Q:
    return (
        Q(**{field: ""})
        | Q(**{f"{field}__startswith": "https://"})
        | Q(**{f"{field}__startswith": "http://"})
    )


class FactKind(models.TextChoices):
    J1 = "sponsors_j1", "J-1 sponsorship"
    H1B = "sponsors_h1b", "H-1B sponsorship"
    GRADUATION_CUTOFF_YEARS = "graduation_cutoff_years", "Year-of-graduation cut-off (years)"
    STEP1_MINIMUM = "step1_minimum", "Step 1 minimum score"
    STEP2CK_MINIMUM = "step2ck_minimum", "Step 2 CK minimum score"
    ATTEMPTS_ACCEPTED = "attempts_accepted", "USMLE attempts accepted per Step"
    USCE_MONTHS = "usce_months", "US clinical experience required (months)"
    IMG_SHARE = "img_share", "Share of IMG residents (%)"
    NOTE = "note", "Note"


# What a known value of each kind may be: yes/no, a whole number in a range, or text.
YES_NO = (YES, NO)
NUMBER_RANGES = {
    FactKind.GRADUATION_CUTOFF_YEARS: (0, 60),
    FactKind.STEP1_MINIMUM: (1, 300),
    FactKind.STEP2CK_MINIMUM: (1, 300),
    FactKind.ATTEMPTS_ACCEPTED: (1, 6),
    FactKind.USCE_MONTHS: (0, 120),
    FactKind.IMG_SHARE: (0, 100),
}
BOOLEAN_KINDS = (FactKind.J1, FactKind.H1B)
NOTE_MAX = 2000


def clean_value(kind: str, raw: str) -> str:
    """The stored form of a fact's value ("unknown", "yes"/"no", digits or text), or a
    ValidationError saying what the kind accepts. The one parser: admin, import, proposals."""
    value = (raw or "").strip()
    if value.lower() == UNKNOWN:
        return UNKNOWN
    if kind in BOOLEAN_KINDS:
        if value.lower() in YES_NO:
            return value.lower()
        raise ValidationError('Enter "yes", "no" or "unknown".')
    if kind in NUMBER_RANGES:
        low, high = NUMBER_RANGES[kind]
        if not value.isdigit() or not low <= int(value) <= high:
            raise ValidationError(f'Enter a whole number from {low} to {high}, or "unknown".')
        return str(int(value))
    if kind == FactKind.NOTE:
        if not value:
            raise ValidationError('Enter the note, or "unknown".')
        if len(value) > NOTE_MAX:
            raise ValidationError(f"Keep the note under {NOTE_MAX} characters.")
        return value
    raise ValidationError("Unknown kind of fact.")


class Origin(models.TextChoices):
    CURATOR = "curator", "Curator's edit"
    IMPORT = "import", "Import"
    PROPOSAL = "proposal", "Accepted proposal"


class Institution(models.Model):
    """A sponsoring institution (a hospital or health system): what the Department of
    Labor's LCA data names as the employer, once a curator confirms the link."""

    name = models.CharField(max_length=200)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "state"]
        constraints = [
            models.UniqueConstraint(fields=["name", "state"], name="catalogue_institution_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.state})" if self.state else self.name


class CatalogueProgramQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)

    def for_cards(self) -> "CatalogueProgramQuerySet":
        """What a search result shows: its own identity and its institution's name."""
        return self.select_related("institution").only(*CARD_FIELDS)

    def with_kept(self, user) -> "CatalogueProgramQuerySet":
        """`kept_pk`: the pk of the member's own program linked to each entry, or None (a
        subquery in the same query; the applications app's Program is reached through the
        reverse relation, so the catalogue imports nothing above it)."""
        kept = self.model._meta.get_field("kept_by").related_model
        own = kept.objects.filter(user=user, catalogue=OuterRef("pk")).values("pk")[:1]
        return self.annotate(kept_pk=Subquery(own))

    def kept_pks(self, user, ids: list[int]) -> dict[int, int]:
        """{catalogue program pk: the pk of the member's own program linked to it} for the
        given programs the member keeps (1 query; the applications app's Program through the
        reverse relation, as in with_kept)."""
        if not ids:
            return {}
        # Written out: the ORM took longer to build this query than the database to run it
        # (a third of a cached search page's work, docs/performance.md).
        table = self.model._meta.get_field("kept_by").related_model._meta.db_table
        marks = ", ".join(["%s"] * len(ids))
        sql = (
            f"SELECT catalogue_id, id FROM {table} WHERE user_id = %s AND catalogue_id IN ({marks})"  # noqa: S608  # nosec B608 - model table, placeholders
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [user.pk, *ids])
            return dict(cursor.fetchall())

    def search(self, q: str, *, rank_at_most: int | None = None) -> "CatalogueProgramQuerySet":
        """Programs matching every word of `q`, best first (the last word as a prefix).

        With `rank_at_most`, only that many matches are ranked: the first the database finds,
        so the caller must say the list is not the best of all."""
        terms = search_terms(q)
        if not terms:
            return self
        if connections[self.db].vendor == "postgresql":
            query = SearchQuery(prefix_tsquery(terms), search_type="raw", config=SEARCH_CONFIG)
            matches = self.filter(search_document=query)
            rank = SearchRank(F("search_document"), query)
        else:
            matches, rank = self._search_fallback(terms)
        if rank_at_most is not None:
            matches = self.filter(pk__in=matches.order_by().values("pk")[:rank_at_most])
        return matches.annotate(rank=rank).order_by("-rank", "name", "specialty", "pk")

    def _search_fallback(self, terms: list[str]) -> tuple["CatalogueProgramQuerySet", Case]:
        """SQLite (development): every word in some field; name matches first."""
        qs = self
        for term in terms:
            qs = qs.filter(
                Q(name__icontains=term)
                | Q(institution__name__icontains=term)
                | Q(specialty__icontains=term)
                | Q(city__icontains=term)
                | Q(state__icontains=term)
                | Q(acgme_id__icontains=term)
                | Q(nrmp_code__icontains=term)
            )
        phrase = " ".join(terms)
        rank = Case(
            When(name__icontains=phrase, then=Value(3)),
            When(institution__name__icontains=phrase, then=Value(2)),
            default=Value(1),
            output_field=IntegerField(),
        )
        return qs, rank


class CatalogueProgram(models.Model):
    """A residency program in the shared catalogue, keyed by its ACGME program ID and NRMP
    program code where known (what curators import on)."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="programs")
    name = models.CharField(max_length=200)
    specialty = models.CharField(max_length=100)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=50, blank=True)
    acgme_id = models.CharField("ACGME program ID", max_length=20, blank=True)
    nrmp_code = models.CharField("NRMP program code", max_length=20, blank=True)
    program_url = models.URLField("program website", max_length=500, blank=True)
    published = models.BooleanField(
        default=True, help_text="Unpublished programs are hidden from members' search."
    )
    # PostgreSQL only: name (A), institution's name (B), specialty (B), city and state (C),
    # ACGME ID and NRMP code (A), kept up to date by a trigger (migration 0002); NULL on
    # SQLite, where search falls back to icontains.
    search_document = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CatalogueProgramQuerySet.as_manager()

    class Meta:
        ordering = ["name", "specialty"]
        constraints = [
            models.UniqueConstraint(
                fields=["acgme_id"],
                condition=~Q(acgme_id=""),
                name="catalogue_program_acgme_id_unique",
                violation_error_message="Another catalogue program has this ACGME program ID.",
            ),
            models.UniqueConstraint(
                fields=["nrmp_code"],
                condition=~Q(nrmp_code=""),
                name="catalogue_program_nrmp_code_unique",
                violation_error_message="Another catalogue program has this NRMP program code.",
            ),
            models.CheckConstraint(
                condition=url_scheme_ok("program_url"), name="catalogue_program_url_scheme"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.specialty})"

    def get_absolute_url(self) -> str:
        return reverse("catalogue:program", args=[self.pk])

    @property
    def location(self) -> str:
        return ", ".join(part for part in [self.city, self.state] if part)


class Fact(models.Model):
    """One sourced fact of a catalogue program: its current value. The history of its
    values is in FactChange."""

    program = models.ForeignKey(CatalogueProgram, on_delete=models.CASCADE, related_name="facts")
    kind = models.CharField(max_length=30, choices=FactKind)
    value = models.CharField(
        max_length=NOTE_MAX,
        default=UNKNOWN,
        help_text='"unknown", "yes"/"no" for sponsorship, a whole number, or the note\'s text.',
    )
    source_url = models.URLField("source", max_length=500, blank=True)
    checked_on = models.DateField("checked on", null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The curator who checked it (empty for an import without one).",
    )
    origin = models.CharField(max_length=10, choices=Origin, default=Origin.CURATOR)
    # A curator's manual edit is kept over a later import unless the import is told to
    # replace manual edits (catalogue import, "replace curators' edits").
    manual = models.BooleanField(
        default=False, help_text="Edited by hand: an import leaves it alone unless told not to."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["program", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["program", "kind"], name="catalogue_fact_unique"),
            models.CheckConstraint(
                condition=Q(kind__in=FactKind.values), name="catalogue_fact_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(origin__in=Origin.values), name="catalogue_fact_origin_valid"
            ),
            # A known value carries its source and the date it was checked: never a guess.
            models.CheckConstraint(
                condition=Q(value=UNKNOWN) | (~Q(source_url="") & Q(checked_on__isnull=False)),
                name="catalogue_fact_known_is_sourced",
                violation_error_message="A known value needs its source and the date checked.",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=BOOLEAN_KINDS) | Q(value__in=[UNKNOWN, YES, NO]),
                name="catalogue_fact_yes_no",
            ),
            models.CheckConstraint(
                condition=url_scheme_ok("source_url"), name="catalogue_fact_source_scheme"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program}: {self.get_kind_display()} = {self.value}"

    def clean(self) -> None:
        try:
            self.value = clean_value(self.kind, self.value)
        except ValidationError as error:
            raise ValidationError({"value": error.messages}) from None
        if self.source_url and not self.source_url.startswith(("https://", "http://")):
            raise ValidationError({"source_url": "Enter a web address starting with https://."})
        if self.value != UNKNOWN:
            missing = {}
            if not self.source_url:
                missing["source_url"] = "A known value needs the page it comes from."
            if self.checked_on is None:
                missing["checked_on"] = "A known value needs the date it was checked."
            if missing:
                raise ValidationError(missing)

    @property
    def is_known(self) -> bool:
        return self.value != UNKNOWN


class FactChange(models.Model):
    """One change of one fact's value: the program page's history and the notices to the
    members who keep that program come from these rows."""

    program = models.ForeignKey(
        CatalogueProgram, on_delete=models.CASCADE, related_name="fact_changes"
    )
    kind = models.CharField(max_length=30, choices=FactKind)
    old_value = models.CharField(max_length=NOTE_MAX, blank=True)
    new_value = models.CharField(max_length=NOTE_MAX)
    source_url = models.URLField(max_length=500, blank=True)
    checked_on = models.DateField(null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    origin = models.CharField(max_length=10, choices=Origin, default=Origin.CURATOR)
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["program", "-changed_at"], name="catalogue_change_recent")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=FactKind.values), name="catalogue_factchange_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program}: {self.get_kind_display()} {self.old_value} → {self.new_value}"


class ProposalStatus(models.TextChoices):
    OPEN = "open", "Waiting for review"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class Proposal(models.Model):
    """A member's proposed new program, or correction of one fact, with its source.

    Written by members *to* curators (like a problem report): it never changes the
    catalogue by itself; a curator accepts, edits or rejects it. Its author is never shown
    to other members."""

    Status = ProposalStatus

    # The member who proposed it (named `user`: the owner, for export and deletion).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="catalogue_proposals"
    )
    # A correction names the program and the fact; a new program leaves `program` empty.
    program = models.ForeignKey(
        CatalogueProgram,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="proposals",
    )
    kind = models.CharField("fact", max_length=30, choices=FactKind, blank=True)
    value = models.CharField("proposed value", max_length=NOTE_MAX, blank=True)
    source_url = models.URLField("source", max_length=500)
    institution_name = models.CharField("institution", max_length=200, blank=True)
    name = models.CharField("program name", max_length=200, blank=True)
    specialty = models.CharField(max_length=100, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=50, blank=True)
    acgme_id = models.CharField("ACGME program ID", max_length=20, blank=True)
    nrmp_code = models.CharField("NRMP program code", max_length=20, blank=True)
    comment = models.TextField(blank=True, max_length=1000)
    status = models.CharField(max_length=10, choices=ProposalStatus, default=ProposalStatus.OPEN)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    curator_note = models.TextField(blank=True, max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "created_at"], name="catalogue_proposal_recent")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ProposalStatus.values),
                name="catalogue_proposal_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(kind="") | Q(kind__in=FactKind.values),
                name="catalogue_proposal_kind_valid",
            ),
            # A correction: a program and a fact. A new program: its name and specialty.
            models.CheckConstraint(
                condition=(Q(program__isnull=False) & ~Q(kind=""))
                | (Q(program__isnull=True) & ~Q(name="") & ~Q(specialty="")),
                name="catalogue_proposal_correction_or_new",
            ),
            models.CheckConstraint(
                condition=url_scheme_ok("source_url") & ~Q(source_url=""),
                name="catalogue_proposal_source_scheme",
            ),
        ]

    def __str__(self) -> str:
        if self.program_id:
            return f"Correction: {self.program} — {self.get_kind_display()}"
        return f"New program: {self.name} ({self.specialty})"

    def get_absolute_url(self) -> str:
        """The member's own page of it (catalogue.views.proposal)."""
        return reverse("catalogue:proposal", args=[self.pk])

    @property
    def is_correction(self) -> bool:
        return self.program_id is not None

    def get_admin_url(self) -> str:
        return reverse("admin:catalogue_proposal_change", args=[self.pk])
