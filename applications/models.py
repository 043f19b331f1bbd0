"""A member's application season: programs they keep, with the facts they found.

Member data only (every row belongs to one user and goes with the account). The portal
ships no program data of its own: every fact is entered by the member, with where and
when they found it, and "unknown" is a value of its own (an empty number, or the
"unknown" choice), never a guess.
"""

import functools

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from catalogue.models import url_scheme_ok
from pathways.models import curated_values_field


class Visas(models.TextChoices):
    UNKNOWN = "unknown", "Unknown"
    NONE = "none", "Sponsors no visas"
    J1 = "j1", "J-1 only"
    H1B = "h1b", "H-1B only"
    BOTH = "both", "J-1 and H-1B"


class CertificateBy(models.TextChoices):
    UNKNOWN = "unknown", "Unknown"
    APPLICATION = "application", "At application"
    RANKING = "ranking", "By the rank order list deadline"
    START = "start", "By the start of training"


class InterviewFormat(models.TextChoices):
    UNKNOWN = "unknown", "Unknown"
    VIRTUAL = "virtual", "Virtual"
    IN_PERSON = "in_person", "In person"
    BOTH = "both", "Virtual or in person"


class ProgramQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user)


class Program(models.Model):
    """A residency program on a member's list, with the facts they found about it."""

    # The facts a member records, each with a source and the date it was found.
    FACTS = [
        "visas",
        "graduation_cutoff_years",
        "step2ck_minimum",
        "attempts_accepted",
        "usce_months",
        "certificate_by",
        "img_share",
        "interview_format",
    ]

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="programs"
    )
    # The shared catalogue's entry this program is, if the member picked it there: its
    # sourced facts are shown beside the member's own (which stay private and win where
    # set). Empty for a program the member keeps privately.
    catalogue = models.ForeignKey(
        "catalogue.CatalogueProgram",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="kept_by",
    )
    name = models.CharField(max_length=200)
    specialty = models.CharField(max_length=100)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=50, blank=True)
    program_url = models.URLField("program website", max_length=500, blank=True)
    freida_url = models.URLField("FREIDA page", max_length=500, blank=True)
    acgme_code = models.CharField("ACGME program code", max_length=20, blank=True)
    nrmp_code = models.CharField("NRMP program code", max_length=20, blank=True)

    visas = models.CharField("visas sponsored", max_length=10, choices=Visas, default=Visas.UNKNOWN)
    visas_source = models.CharField(max_length=300, blank=True)
    visas_found_on = models.DateField(null=True, blank=True)
    graduation_cutoff_years = models.PositiveSmallIntegerField(
        "year-of-graduation cut-off (years)",
        null=True,
        blank=True,
        validators=[MaxValueValidator(60)],
        help_text="Most years since graduation it accepts. Leave empty if unknown.",
    )
    graduation_cutoff_years_source = models.CharField(max_length=300, blank=True)
    graduation_cutoff_years_found_on = models.DateField(null=True, blank=True)
    step2ck_minimum = models.PositiveSmallIntegerField(
        "Step 2 CK minimum score",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(300)],
        help_text="Leave empty if unknown.",
    )
    step2ck_minimum_source = models.CharField(max_length=300, blank=True)
    step2ck_minimum_found_on = models.DateField(null=True, blank=True)
    attempts_accepted = models.PositiveSmallIntegerField(
        "USMLE attempts accepted per Step",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(6)],
        help_text="1 means first-attempt passes only. Leave empty if unknown.",
    )
    attempts_accepted_source = models.CharField(max_length=300, blank=True)
    attempts_accepted_found_on = models.DateField(null=True, blank=True)
    usce_months = models.PositiveSmallIntegerField(
        "US clinical experience required (months)",
        null=True,
        blank=True,
        validators=[MaxValueValidator(120)],
        help_text="0 if none is required. Leave empty if unknown.",
    )
    usce_months_source = models.CharField(max_length=300, blank=True)
    usce_months_found_on = models.DateField(null=True, blank=True)
    certificate_by = models.CharField(
        "ECFMG certificate required by",
        max_length=12,
        choices=CertificateBy,
        default=CertificateBy.UNKNOWN,
    )
    certificate_by_source = models.CharField(max_length=300, blank=True)
    certificate_by_found_on = models.DateField(null=True, blank=True)
    img_share = models.PositiveSmallIntegerField(
        "share of IMG residents (%)",
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text="Leave empty if unknown.",
    )
    img_share_source = models.CharField(max_length=300, blank=True)
    img_share_found_on = models.DateField(null=True, blank=True)
    interview_format = models.CharField(
        max_length=10, choices=InterviewFormat, default=InterviewFormat.UNKNOWN
    )
    interview_format_source = models.CharField(max_length=300, blank=True)
    interview_format_found_on = models.DateField(null=True, blank=True)

    notes = models.TextField(blank=True, max_length=5000)
    # Bumped on every edit through the member's form: an edit from a stale tab is refused
    # (pipeline.save_unless_stale).
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProgramQuerySet.as_manager()

    class Meta:
        ordering = ["name", "specialty"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "name", "specialty"], name="applications_program_unique"
            ),
            models.UniqueConstraint(
                fields=["user", "catalogue"],
                condition=Q(catalogue__isnull=False),
                name="applications_program_catalogue_once",
            ),
            models.CheckConstraint(
                condition=Q(visas__in=Visas.values), name="applications_program_visas_valid"
            ),
            models.CheckConstraint(
                condition=Q(certificate_by__in=CertificateBy.values),
                name="applications_program_certificate_by_valid",
            ),
            models.CheckConstraint(
                condition=Q(interview_format__in=InterviewFormat.values),
                name="applications_program_interview_format_valid",
            ),
            models.CheckConstraint(
                condition=Q(step2ck_minimum__isnull=True)
                | Q(step2ck_minimum__gte=1, step2ck_minimum__lte=300),
                name="applications_program_step2ck_minimum_range",
            ),
            models.CheckConstraint(
                condition=Q(img_share__isnull=True) | Q(img_share__lte=100),
                name="applications_program_img_share_range",
            ),
            models.CheckConstraint(
                condition=url_scheme_ok("program_url"),
                name="applications_program_url_scheme",
            ),
            models.CheckConstraint(
                condition=url_scheme_ok("freida_url"),
                name="applications_program_freida_url_scheme",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.specialty})"

    def get_absolute_url(self) -> str:
        return reverse("applications:program", args=[self.pk])

    @property
    def location(self) -> str:
        return ", ".join(part for part in [self.city, self.state] if part)

    def fact_rows(self) -> list[dict]:
        """(label, shown value, source, found on) of every fact, unknown included."""
        rows = []
        for name in self.FACTS:
            field = self._meta.get_field(name)
            value = getattr(self, name)
            if field.choices:
                shown = getattr(self, f"get_{name}_display")()
                known = value != "unknown"
            else:
                known = value is not None
                shown = value if known else "Unknown"
            rows.append(
                {
                    "name": name,
                    "label": field.verbose_name[:1].upper() + field.verbose_name[1:],
                    "value": shown,
                    "known": known,
                    "source": getattr(self, f"{name}_source"),
                    "found_on": getattr(self, f"{name}_found_on"),
                }
            )
        return rows


class Status(models.TextChoices):
    RESEARCHING = "researching", "Researching"
    APPLIED = "applied", "Applied"
    INTERVIEW_INVITED = "interview_invited", "Interview invited"
    INTERVIEW_SCHEDULED = "interview_scheduled", "Interview scheduled"
    INTERVIEWED = "interviewed", "Interviewed"
    RANKED = "ranked", "Ranked"
    MATCHED = "matched", "Matched"
    NOT_INVITED = "not_invited", "Not invited"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


@functools.cache
def status_options(selected: str) -> SafeString:
    """The <option>s of the status select, built once per status (150 cards, one page)."""
    options = (
        format_html('<option value="{}" selected>{}</option>', value, label)
        if value == selected
        else format_html('<option value="{}">{}</option>', value, label)
        for value, label in Status.choices
    )
    return format_html_join("", "{}", ((option,) for option in options))


# Statuses an application reaches only once it was submitted on ERAS (and paid for).
SUBMITTED = [s for s in Status.values if s != Status.RESEARCHING]
# Statuses that can go on a rank order list.
RANKABLE = [Status.INTERVIEWED, Status.RANKED, Status.MATCHED]


class Signal(models.TextChoices):
    NONE = "", "No signal"
    GOLD = "gold", "Gold signal"
    SILVER = "silver", "Silver signal"


class ApplicationQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user)

    def for_cycle(self, user, cycle: int):
        """The cycle's applications with their programs, in one query."""
        return (
            self.filter(user=user, cycle=cycle)
            .select_related("program")
            .order_by("program__name", "specialty", "pk")
        )


class Application(models.Model):
    """One application to one program, in one specialty, in one Match cycle."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="applications"
    )
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="applications")
    specialty = models.CharField(max_length=100)
    cycle = models.PositiveSmallIntegerField(
        "Match year",
        validators=[MinValueValidator(2024), MaxValueValidator(2100)],
        help_text="The year of the Match Day this application is for.",
    )
    status = models.CharField(max_length=20, choices=Status, default=Status.RESEARCHING)
    status_changed_on = models.DateField()
    # Bumped on every save: a form carries the version it was read at, so an edit made
    # from a stale tab is refused with both values shown instead of overwriting.
    version = models.PositiveIntegerField(default=1)
    notes = models.TextField(blank=True, max_length=5000)
    signal = models.CharField(max_length=6, choices=Signal, blank=True, default=Signal.NONE)
    rank = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Place on the member's rank order list (1 = first)."
    )
    rank_note = models.CharField(max_length=300, blank=True)
    supplemental = models.BooleanField(
        "on a supplemental list",
        default=False,
        help_text="Ranked on a supplemental list: a preliminary or transitional PGY-1 program "
        "ranked with an advanced one (NRMP counts supplemental lists apart from the primary).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["cycle", "program__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "specialty", "cycle"], name="applications_application_unique"
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="applications_application_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(cycle__gte=2024, cycle__lte=2100),
                name="applications_application_cycle_range",
            ),
            models.CheckConstraint(
                condition=Q(signal__in=Signal.values), name="applications_application_signal_valid"
            ),
            models.CheckConstraint(
                condition=Q(rank__isnull=True) | Q(rank__gte=1),
                name="applications_application_rank_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program.name} ({self.specialty}), Match {self.cycle}"

    def get_absolute_url(self) -> str:
        return reverse("applications:application", args=[self.pk])

    @property
    def status_options(self) -> SafeString:
        return status_options(self.status)


class StatusChange(models.Model):
    """One dated change of an application's status: the history is never rewritten."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=20, choices=Status, blank=True)
    to_status = models.CharField(max_length=20, choices=Status)
    changed_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_on", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(from_status="") | Q(from_status__in=Status.values),
                name="applications_statuschange_from_valid",
            ),
            models.CheckConstraint(
                condition=Q(to_status__in=Status.values),
                name="applications_statuschange_to_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.from_status or 'new'} -> {self.to_status}"


# --- Costs --------------------------------------------------------------------


class Confidence(models.TextChoices):
    VERIFIED = "V", "Seen on the official page"
    SECONDARY = "S", "Secondary sources only, not confirmed"


class FeeSystem(models.TextChoices):
    ERAS = "eras", "ERAS"


class FeeSchedule(models.Model):
    """A sourced per-program fee rule of one application season (curated, shipped in TOML).

    Fee for n programs in one specialty: first_fee for each of the first `tier_size`,
    later_fee for each one after.
    """

    System = FeeSystem

    system = models.CharField(max_length=10, choices=System, default=System.ERAS)
    season = models.PositiveSmallIntegerField(
        help_text="The ERAS season (= the year of its Match Day).",
        validators=[MinValueValidator(2020), MaxValueValidator(2100)],
    )
    tier_size = models.PositiveSmallIntegerField(help_text="Programs charged the first fee.")
    first_fee = models.PositiveIntegerField(help_text="US dollars per program, in the first tier.")
    later_fee = models.PositiveIntegerField(
        help_text="US dollars per program after the first tier."
    )
    per = models.CharField(max_length=100, default="program, per specialty")
    source_name = models.CharField(max_length=200)
    source_url = models.URLField(max_length=500)
    confidence = models.CharField(max_length=1, choices=Confidence)
    last_reviewed = models.DateField()
    notes = models.CharField(max_length=300, blank=True)
    curated_values = curated_values_field()

    class Meta:
        ordering = ["system", "season"]
        constraints = [
            models.UniqueConstraint(
                fields=["system", "season"], name="applications_feeschedule_unique"
            ),
            models.CheckConstraint(
                condition=Q(system__in=FeeSystem.values),
                name="applications_feeschedule_system_valid",
            ),
            models.CheckConstraint(
                condition=Q(confidence__in=Confidence.values),
                name="applications_feeschedule_confidence_valid",
            ),
            models.CheckConstraint(
                condition=Q(source_url__startswith="https://"),
                name="applications_feeschedule_source_url_scheme",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_system_display()} {self.season} season fees"


class CostCategory(models.TextChoices):
    EXAMS = "exams", "Exam fees"
    OET = "oet", "OET"
    PATHWAY = "pathway", "ECFMG Pathway"
    ECFMG = "ecfmg", "ECFMG and documents"
    ERAS = "eras", "ERAS applications"
    NRMP = "nrmp", "NRMP"
    INTERVIEWS = "interviews", "Interviews"
    TRAVEL = "travel", "Travel"
    VISA = "visa", "Visa"
    LICENSURE = "licensure", "Licensure"
    OTHER = "other", "Other"


class CostEstimate(models.Model):
    """A sourced typical fee offered as an estimate for the member's ledger (curated)."""

    slug = models.SlugField(unique=True)
    label = models.CharField(max_length=150)
    category = models.CharField(max_length=20, choices=CostCategory)
    amount = models.PositiveIntegerField(help_text="US dollars.")
    unit = models.CharField(max_length=60, blank=True, help_text="e.g. per season")
    as_of = models.CharField(
        max_length=60, help_text="The year the figure is for, as the source states it."
    )
    confidence = models.CharField(max_length=1, choices=Confidence)
    source_name = models.CharField(max_length=200)
    source_url = models.URLField(max_length=500, blank=True)
    curated_values = curated_values_field()

    class Meta:
        ordering = ["category", "label"]
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=CostCategory.values),
                name="applications_costestimate_category_valid",
            ),
            models.CheckConstraint(
                condition=Q(confidence__in=Confidence.values),
                name="applications_costestimate_confidence_valid",
            ),
            models.CheckConstraint(
                condition=url_scheme_ok("source_url"),
                name="applications_costestimate_source_url_scheme",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label}: ${self.amount}"

    @property
    def unconfirmed(self) -> bool:
        return self.confidence == Confidence.SECONDARY


class CostState(models.TextChoices):
    PLANNED = "planned", "Planned"
    PAID = "paid", "Paid"


class CostEntry(models.Model):
    """One planned or paid cost in a member's own ledger."""

    State = CostState

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cost_entries"
    )
    cycle = models.PositiveSmallIntegerField(
        "Match year", validators=[MinValueValidator(2024), MaxValueValidator(2100)]
    )
    category = models.CharField(max_length=20, choices=CostCategory)
    description = models.CharField(max_length=200)
    amount = models.DecimalField(
        "amount (US$)",
        max_digits=9,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(1_000_000)],
    )
    state = models.CharField(max_length=10, choices=State, default=State.PLANNED)
    date = models.DateField(null=True, blank=True)
    estimate = models.ForeignKey(
        CostEstimate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The sourced figure this entry started from, if any.",
    )
    # Bumped on every edit through the member's form: an edit from a stale tab is refused
    # (pipeline.save_unless_stale).
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["category", "date", "pk"]
        verbose_name_plural = "cost entries"
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=CostCategory.values),
                name="applications_costentry_category_valid",
            ),
            models.CheckConstraint(
                condition=Q(state__in=CostState.values),
                name="applications_costentry_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0, amount__lte=1_000_000),
                name="applications_costentry_amount_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description}: ${self.amount} ({self.state})"

    def get_absolute_url(self) -> str:
        return reverse("applications:cost", args=[self.pk])


# --- Signals, interviews, letters ----------------------------------------------


class SignalAllowance(models.Model):
    """How many gold and silver signals one specialty allows in one cycle (curated).

    None ship: no allowance figure is in the sourced content. Until one is recorded the
    pages say so and send the member to the ERAS signalling information.
    """

    cycle = models.PositiveSmallIntegerField(
        "Match year", validators=[MinValueValidator(2024), MaxValueValidator(2100)]
    )
    specialty = models.CharField(max_length=100)
    gold = models.PositiveSmallIntegerField()
    silver = models.PositiveSmallIntegerField()
    source_url = models.URLField(max_length=500)
    verified = models.BooleanField(
        default=False, help_text="Off while the figures are proposed, not seen on the source."
    )
    last_reviewed = models.DateField()
    curated_values = curated_values_field()

    class Meta:
        ordering = ["cycle", "specialty"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "specialty"], name="applications_signalallowance_unique"
            ),
            models.CheckConstraint(
                condition=Q(source_url__startswith="https://"),
                name="applications_signalallowance_source_url_scheme",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.specialty}, Match {self.cycle}: {self.gold} gold, {self.silver} silver"


class InterviewMode(models.TextChoices):
    VIRTUAL = "virtual", "Virtual"
    IN_PERSON = "in_person", "In person"


class Interview(models.Model):
    Format = InterviewMode

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="interviews"
    )
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="interviews"
    )
    date = models.DateField()
    start_time = models.TimeField()
    time_zone = models.CharField(
        max_length=64, help_text="IANA time zone of the start time, e.g. America/New_York."
    )
    # On the night clocks go back, a wall time such as 01:30 happens twice: True means the
    # second (later) one. Python's datetime `fold`; False for every other time.
    later_of_two = models.BooleanField(default=False)
    duration_minutes = models.PositiveSmallIntegerField(
        default=60, validators=[MinValueValidator(15), MaxValueValidator(720)]
    )
    format = models.CharField(max_length=10, choices=Format, default=Format.VIRTUAL)
    notes = models.TextField(blank=True, max_length=5000)
    thank_you_sent = models.BooleanField(default=False)
    # Bumped on every edit through the member's form: an edit from a stale tab is refused
    # (pipeline.save_unless_stale).
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["date", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(format__in=InterviewMode.values),
                name="applications_interview_format_valid",
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=15, duration_minutes__lte=720),
                name="applications_interview_duration_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Interview {self.date} {self.start_time} {self.time_zone}"

    def get_absolute_url(self) -> str:
        return reverse("applications:interview", args=[self.pk])


class Letter(models.Model):
    """A letter of recommendation: its writer, dates, MyERAS Letter Request Form ID."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="letters"
    )
    writer = models.CharField(max_length=200)
    requested_on = models.DateField(null=True, blank=True)
    uploaded_on = models.DateField(null=True, blank=True)
    request_form_id = models.CharField(
        "Letter Request Form ID",
        max_length=40,
        blank=True,
        help_text="The ID of the Letter Request Form generated in MyERAS.",
    )
    applications = models.ManyToManyField(Application, related_name="letters", blank=True)
    notes = models.TextField(blank=True, max_length=5000)
    # Bumped on every edit through the member's form: an edit from a stale tab is refused
    # (pipeline.save_unless_stale).
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["writer", "pk"]

    def __str__(self) -> str:
        return f"Letter from {self.writer}"

    def get_absolute_url(self) -> str:
        return reverse("applications:letter", args=[self.pk])
