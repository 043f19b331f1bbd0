"""The roadmap's data: curated milestones and cycles, and each member's progress.

Curated (edited by curators in the admin, shipped in pathways/content/):
Milestone, Prerequisite, MatchCycle, Rule; DateChange (their history). Member data: Progress.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django_countries.fields import CountryField

from pathways.cycles import DEFAULT_RULES, NOT_COMPUTED, default_date


class Category(models.TextChoices):
    EXAMS = "exams", "Exams"
    ECFMG = "ecfmg", "ECFMG certification"
    MATCH = "match", "Application and Match"
    VISA = "visa", "Visa"
    LICENSURE = "licensure", "Licensure"


class CycleDate(models.TextChoices):
    """The MatchCycle date fields a milestone's deadline can point at."""

    ERAS_OPENS = "eras_opens", "ERAS season opens"
    APPLICANTS_MAY_SUBMIT = "applicants_may_submit", "Applicants may submit on ERAS"
    PROGRAMS_REVIEW_STARTS = "programs_review_starts", "Programs start reviewing applications"
    NRMP_REGISTRATION_OPENS = "nrmp_registration_opens", "NRMP registration opens"
    NRMP_EARLY_REGISTRATION_DEADLINE = (
        "nrmp_early_registration_deadline",
        "NRMP regular-registration deadline (late fee after)",
    )
    RANKING_OPENS = "ranking_opens", "Ranking opens"
    ROL_DEADLINE = "rol_deadline", "Rank order list deadline"
    MATCH_WEEK_STARTS = "match_week_starts", "Match Week and SOAP begin"
    MATCH_DAY = "match_day", "Match Day"
    TRAINING_STARTS = "training_starts", "Residency training starts"
    OET_RECOMMENDED_BY = "oet_recommended_by", "Take the OET by (ECFMG's advice)"
    PATHWAY_APPLICATION_DEADLINE = (
        "pathway_application_deadline",
        "ECFMG Pathway application deadline",
    )


# Their labels, once: TextChoices' `values` and `label` rebuild their lists on every access
# (MatchCycle.info runs for each date of a cycle on every roadmap built).
CYCLE_DATE_LABELS = dict(CycleDate.choices)


class RuleKey(models.TextChoices):
    STEP2CK_PASSING_SCORE = "step2ck_passing_score", "Step 2 CK passing score"
    STEP3_PASSING_SCORE = "step3_passing_score", "Step 3 passing score"
    USMLE_ATTEMPT_LIMIT = "usmle_attempt_limit", "USMLE attempts allowed per Step"
    OET_MIN_LISTENING = "oet_min_listening", "OET minimum, listening"
    OET_MIN_READING = "oet_min_reading", "OET minimum, reading"
    OET_MIN_SPEAKING = "oet_min_speaking", "OET minimum, speaking"
    OET_MIN_WRITING = "oet_min_writing", "OET minimum, writing"
    ECFMG_EXAM_WINDOW_YEARS = "ecfmg_exam_window_years", "ECFMG exam window (years)"
    J1_MAX_YEARS = "j1_max_years", "J-1 maximum for clinical training (years)"
    USMLE_RESULTS_DAYS = "usmle_results_days", "Days until USMLE results are reported"
    EVSP_PROCESSING_DAYS = "evsp_processing_days", "Days ECFMG's J-1 sponsorship (EVSP) takes"
    NRMP_PRIMARY_PROGRAMS_COVERED = (
        "nrmp_primary_programs_covered",
        "NRMP: program codes on the primary rank list before extra-rank fees",
    )
    NRMP_SUPPLEMENTAL_PROGRAMS_COVERED = (
        "nrmp_supplemental_programs_covered",
        "NRMP: program codes on all supplemental lists before extra-rank fees",
    )
    NRMP_MAX_RANKS_PER_LIST = "nrmp_max_ranks_per_list", "NRMP: most ranks on any one list"


# The rules a score milestone's passing score can come from.
PASSING_SCORE_RULES = [RuleKey.STEP2CK_PASSING_SCORE, RuleKey.STEP3_PASSING_SCORE]
# The rules a lead time (days before a deadline) can come from.
LEAD_TIME_RULES = [RuleKey.USMLE_RESULTS_DAYS, RuleKey.EVSP_PROCESSING_DAYS]


def curated_values_field() -> models.JSONField:
    """What the content loader last wrote to a curated row (see pathways/curated.py).

    Empty for a row a curator created in the admin. A field whose current value differs
    from the one recorded here has been edited by a curator since the last load.
    """
    return models.JSONField(default=dict, blank=True, editable=False)


def find_cycle(edges) -> list[int] | None:
    """A cycle in the prerequisite graph given as (milestone_id, required_id) pairs, or None.

    The one cycle detector: the admin (Prerequisite.clean) and the content loader use it.
    """
    graph: dict[int, list[int]] = {}
    for milestone_id, required_id in edges:
        graph.setdefault(milestone_id, []).append(required_id)
    done: set[int] = set()
    for start in graph:
        path: list[int] = []
        on_path: set[int] = set()
        stack: list[tuple[int, bool]] = [(start, False)]
        while stack:
            node, leaving = stack.pop()
            if leaving:
                path.pop()
                on_path.discard(node)
                done.add(node)
                continue
            if node in on_path:
                return [*path[path.index(node) :], node]
            if node in done:
                continue
            path.append(node)
            on_path.add(node)
            stack.append((node, True))
            stack.extend((child, False) for child in graph.get(node, ()))
    return None


class Slugs:
    """Slugs of the shipped milestones that code is about: the one place they are written.

    Slugs are stable identifiers of the curated content (pathways/content/milestones.toml),
    read-only in the admin once a milestone exists. What a milestone records or counts for
    (an expiry, a passing score, the ECFMG exam window, NRMP reporting) is a field of the
    milestone, not a slug; a slug is named here only where a rule is about that one
    milestone (the visa clocks, the OET, the Match check's exams, the fit check).
    """

    STEP1 = "step-1"
    STEP2CK = "step-2-ck"
    STEP3 = "step-3"
    # Not a milestone: the former Step 2 CS, recorded as a profile answer (its month).
    STEP2CS = "step-2-cs"
    OET = "oet"
    PATHWAY = "pathway"
    CREDENTIALS_VERIFIED = "credentials-verified"
    SOAP_READY = "soap-ready"
    MATCH = "match"
    ECFMG_CERTIFICATE = "ecfmg-certificate"
    GME_YEARS = "gme-years"
    J1_EVSP = "j1-evsp"
    H1B = "h1b"
    CONRAD30 = "conrad-30"


class MilestoneQuerySet(models.QuerySet):
    def for_roadmap(self):
        return self.order_by("order", "title")


class Records(models.TextChoices):
    NOTHING = "nothing", "Nothing beyond status"
    DATES = "dates", "Dates"
    PASS_FAIL = "pass_fail", "Pass / fail"
    SCORE = "score", "3-digit score"
    OET = "oet", "OET sub-scores (listening, reading, writing, speaking)"


class Applies(models.TextChoices):
    ALWAYS = "always", "Always"
    VISA = "visa", "Only if a US visa is needed"
    J1 = "j1", "Only on the J-1 route"
    H1B = "h1b", "Only on the H-1B route"
    NO_STEP2CS = "no_step2cs", "Only without a Step 2 CS pass that still counts"
    ERAS = "eras", "Only for specialties that apply through ERAS"
    RESIDENCYCAS = "residencycas", "Only for specialties that apply through ResidencyCAS"
    OPTIONAL = "optional", "Optional"


def applies(rule: str, profile, *, step2cs_counts: bool) -> bool:
    """Whether a member with this profile is concerned by an `Applies` rule."""
    match rule:
        case Applies.VISA:
            return profile.needs_visa
        case Applies.J1:
            return profile.may_take_j1
        case Applies.H1B:
            return profile.may_take_h1b
        case Applies.NO_STEP2CS:
            return not step2cs_counts
        case Applies.ERAS:
            return not profile.uses_residencycas
        case Applies.RESIDENCYCAS:
            return profile.uses_residencycas
    return True  # always, optional


class Milestone(models.Model):
    Records = Records

    Applies = Applies

    slug = models.SlugField(unique=True, help_text="Stable identifier used in URLs and content.")
    title = models.CharField(max_length=120)
    category = models.CharField(max_length=20, choices=Category)
    summary = models.CharField(max_length=300, help_text="One sentence shown on the dashboard.")
    explanation = models.TextField(
        blank=True, help_text="Markdown. Rendered with a sanitiser: no raw HTML survives."
    )
    source_url = models.URLField(
        max_length=500, help_text="The official page this milestone's facts come from."
    )
    last_reviewed = models.DateField(help_text="When a curator last checked it against the source.")
    needs_review = models.BooleanField(
        default=False,
        help_text="Set when a fact is only from secondary sources or may be out of date.",
    )
    order = models.PositiveSmallIntegerField(default=0, help_text="Display order on the roadmap.")
    records = models.CharField(
        max_length=20,
        choices=Records,
        default=Records.DATES,
        help_text="What a member records for this milestone besides status and dates.",
    )
    counts_attempts = models.BooleanField(
        default=False, help_text="Track attempts against the USMLE attempt limit."
    )
    applies = models.CharField(
        max_length=20,
        choices=Applies,
        default=Applies.ALWAYS,
        help_text="Which members see this milestone on their roadmap.",
    )
    deadline = models.CharField(
        max_length=40,
        choices=CycleDate,
        blank=True,
        help_text="The date of the member's Match cycle this milestone is due by.",
    )
    deadline_note = models.CharField(max_length=150, blank=True)
    records_expiry = models.BooleanField(
        default=False,
        help_text="Members record a valid-through date (e.g. a Pathway-based certificate).",
    )
    passing_score_rule = models.CharField(
        max_length=40,
        blank=True,
        choices=[(key.value, key.label) for key in PASSING_SCORE_RULES],
        help_text="For a score milestone: the rule holding its passing score by test date.",
    )
    ecfmg_exam = models.BooleanField(
        "counts for ECFMG's exam window",
        default=False,
        help_text="A pass starts (or must fall within) ECFMG's seven-year exam window.",
    )
    reported_to_nrmp = models.BooleanField(
        "must be reported to NRMP by the ROL deadline",
        default=False,
        help_text="ECFMG must report it to NRMP by the rank order list deadline, or the "
        "member is withdrawn from the Match.",
    )
    lead_time_rule = models.CharField(
        max_length=40,
        blank=True,
        choices=[(key.value, key.label) for key in LEAD_TIME_RULES],
        help_text="A target ahead of the deadline: the rule holding how many days before. "
        "Shown beside the deadline, never instead of it.",
    )
    lead_time_applies = models.CharField(
        max_length=20,
        blank=True,
        choices=Applies,
        help_text="Which members the target concerns (empty: everyone with this milestone).",
    )
    lead_time_note = models.CharField(
        max_length=200, blank=True, help_text="Why the target comes before the deadline."
    )
    requires = models.ManyToManyField(
        "self",
        through="Prerequisite",
        through_fields=("milestone", "required"),
        symmetrical=False,
        related_name="unlocks",
        blank=True,
    )
    updated_at = models.DateTimeField(auto_now=True)
    curated_values = curated_values_field()

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        ordering = ["order", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=Category.values), name="pathways_milestone_category_valid"
            ),
            models.CheckConstraint(
                condition=Q(records__in=Records.values), name="pathways_milestone_records_valid"
            ),
            models.CheckConstraint(
                condition=Q(applies__in=Applies.values), name="pathways_milestone_applies_valid"
            ),
            models.CheckConstraint(
                condition=Q(passing_score_rule="") | Q(passing_score_rule__in=PASSING_SCORE_RULES),
                name="pathways_milestone_passing_score_rule_valid",
            ),
            models.CheckConstraint(
                condition=Q(lead_time_rule="") | Q(lead_time_rule__in=LEAD_TIME_RULES),
                name="pathways_milestone_lead_time_rule_valid",
            ),
            models.CheckConstraint(
                condition=Q(lead_time_applies="") | Q(lead_time_applies__in=Applies.values),
                name="pathways_milestone_lead_time_applies_valid",
            ),
            models.CheckConstraint(
                condition=Q(deadline="") | Q(deadline__in=CycleDate.values),
                name="pathways_milestone_deadline_valid",
            ),
            models.CheckConstraint(
                condition=Q(source_url__startswith="https://")
                | Q(source_url__startswith="http://"),
                name="pathways_milestone_source_url_scheme",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("pathways:milestone", args=[self.slug])

    @cached_property
    def progress_url(self) -> str:
        """Where a member records their progress on it (once per instance: the dashboard
        links every row, and the curated cache shares instances between requests)."""
        return reverse("pathways:progress", args=[self.slug])

    def applies_to(self, profile, *, step2cs_counts: bool) -> bool:
        """Whether this milestone belongs on the roadmap of a member with this profile.

        `step2cs_counts`: the member holds a Step 2 CS pass that still counts for ECFMG
        (it stops counting seven years after the pass unless the exams are complete).
        """
        return applies(self.applies, profile, step2cs_counts=step2cs_counts)

    def target_applies_to(self, profile) -> bool:
        """Whether this milestone's lead-time target concerns a member with this profile."""
        if not self.lead_time_rule:
            return False
        return applies(self.lead_time_applies or Applies.ALWAYS, profile, step2cs_counts=False)

    @property
    def is_optional(self) -> bool:
        return self.applies == self.Applies.OPTIONAL


class Kind(models.TextChoices):
    HARD = "hard", "Hard: cannot be done before"
    SOFT = "soft", "Soft: should be done before"


class Prerequisite(models.Model):
    Kind = Kind

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="prerequisites")
    required = models.ForeignKey(
        Milestone,
        on_delete=models.CASCADE,
        related_name="required_by",
        help_text="The milestone that comes first.",
    )
    kind = models.CharField(max_length=4, choices=Kind, default=Kind.HARD)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["milestone", "required"], name="pathways_prerequisite_unique"
            ),
            models.CheckConstraint(
                condition=~Q(milestone=models.F("required")),
                name="pathways_prerequisite_not_self",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=Kind.values), name="pathways_prerequisite_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.milestone} needs {self.required} ({self.kind})"

    def clean(self) -> None:
        """Refuse a prerequisite that would close a cycle in the graph."""
        if not (self.milestone_id and self.required_id):
            return
        if self.milestone_id == self.required_id:
            raise ValidationError({"required": "A milestone cannot require itself."})
        edges = list(
            Prerequisite.objects.exclude(pk=self.pk).values_list("milestone_id", "required_id")
        )
        if find_cycle([*edges, (self.milestone_id, self.required_id)]):
            message = "This would create a cycle: that milestone already depends on this one."
            raise ValidationError({"required": message})


class MatchCycle(models.Model):
    """The key dates of one NRMP Main Residency Match (year = Match Day's year)."""

    # Every date field of a cycle: the ones a milestone's deadline can point at, plus the
    # OET cut-off (a condition, not a deadline). Forms, the admin and the loader use this.
    DATE_FIELDS = [*CycleDate.values, "oet_valid_from"]

    year = models.PositiveSmallIntegerField(
        unique=True, validators=[MinValueValidator(2020), MaxValueValidator(2100)]
    )
    eras_opens = models.DateField("ERAS season opens", help_text="Early June of the year before.")
    applicants_may_submit = models.DateField(help_text="First week of September, year before.")
    programs_review_starts = models.DateField(help_text="About three weeks after submission opens.")
    nrmp_registration_opens = models.DateField(help_text="15 September, year before.")
    # The field keeps its historical name; it holds the regular-registration deadline.
    nrmp_early_registration_deadline = models.DateField(
        "NRMP regular-registration deadline (late fee after)",
        help_text="About 30-31 January (the last weekday before ranking opens); a late fee "
        "applies afterwards, until late registration closes at the ROL deadline.",
    )
    ranking_opens = models.DateField(help_text="The first weekday of February.")
    rol_deadline = models.DateField(
        "rank order list deadline",
        help_text="The Wednesday 16 days before Match Day, 9 pm ET (every year since 2021).",
    )
    match_week_starts = models.DateField(
        "Match Week and SOAP begin",
        null=True,
        blank=True,
        help_text="The Monday of Match Week: applicants learn whether they matched, and SOAP "
        "runs Monday to Thursday.",
    )
    match_day = models.DateField(help_text="Third Friday of March.")
    training_starts = models.DateField(help_text="1 July.")
    oet_recommended_by = models.DateField(
        "take the OET by",
        null=True,
        blank=True,
        help_text="ECFMG advises the last December OET date before the Match.",
    )
    pathway_application_deadline = models.DateField(
        null=True, blank=True, help_text="The deadline of the ECFMG Pathway season for this Match."
    )
    oet_valid_from = models.DateField(
        "OET accepted if taken on or after",
        null=True,
        blank=True,
        help_text="Earliest OET test date the Pathway season for this Match accepts.",
    )
    verified = models.JSONField(
        default=dict,
        blank=True,
        help_text="Per date: the official page it was checked against and when "
        '({"match_day": {"date": ..., "source_url": ..., "checked_on": ...}}). A date without '
        "an entry, or whose value changed since, is proposed.",
    )
    source_url = models.URLField(max_length=500, blank=True)
    last_reviewed = models.DateField(null=True, blank=True)
    needs_review = models.BooleanField(
        default=False, help_text="Curators' flag: some dates of this cycle still need checking."
    )
    notes = models.TextField(blank=True, help_text="Curator notes on the dates.")
    curated_values = curated_values_field()

    class Meta:
        ordering = ["year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rol_deadline__lt=models.F("match_day")),
                name="pathways_cycle_rol_before_match",
            ),
            models.CheckConstraint(
                condition=Q(match_day__lt=models.F("training_starts")),
                name="pathways_cycle_match_before_training",
            ),
        ]

    def __str__(self) -> str:
        return f"Match {self.year}"

    def date_for(self, field: str) -> datetime.date | None:
        if field not in self.DATE_FIELDS:
            return None
        return getattr(self, field)

    def freeze(self) -> None:
        """Keep each date's info once computed: for an instance nobody changes any more (the
        curated content's, pathways/curated_cache.py), read by every roadmap of a process."""
        self._infos = {}

    def info(self, field: str) -> "CycleDateInfo":
        """A date of this cycle with its provenance: verified (source, day checked) or proposed."""
        frozen = self.__dict__.get("_infos")
        if frozen is None:
            return self._info(field)
        if field not in frozen:
            frozen[field] = self._info(field)
        return frozen[field]

    def _info(self, field: str) -> "CycleDateInfo":
        date = self.date_for(field)
        check = (self.verified or {}).get(field) or {}
        verified = date is not None and check.get("date") == date.isoformat()
        if verified:
            basis = f"checked on {check.get('checked_on', '?')} against {check.get('source_url')}"
        elif date is None:
            basis = "not published here yet"
        elif date == default_date(self.year, field):
            basis = "computed: " + DEFAULT_RULES.get(field, NOT_COMPUTED)
        else:
            basis = "entered by a curator, not yet verified against an official page"
        label = CYCLE_DATE_LABELS.get(field, "OET taken on or after")
        return CycleDateInfo(
            field=field,
            label=label,
            date=date,
            verified=verified,
            source_url=check.get("source_url", "") if verified else "",
            checked_on=check.get("checked_on", "") if verified else "",
            basis=basis,
        )

    def dates(self) -> list["CycleDateInfo"]:
        """Every deadline date this cycle has, with its provenance, in date order."""
        found = [self.info(field) for field in CYCLE_DATE_LABELS]
        return sorted((info for info in found if info.date), key=lambda info: info.date)

    def verify(self, field: str, source_url: str, checked_on: datetime.date) -> None:
        """Record that a date was checked against an official page (the caller saves)."""
        self.verified = {
            **(self.verified or {}),
            field: {
                "date": self.date_for(field).isoformat(),
                "source_url": source_url,
                "checked_on": checked_on.isoformat(),
            },
        }


@dataclass(frozen=True)
class CycleDateInfo:
    """One date of a Match cycle and where it comes from."""

    field: str
    label: str
    date: datetime.date | None
    verified: bool
    source_url: str
    checked_on: str
    basis: str  # the rule that computed it, or where and when it was checked

    @property
    def proposed(self) -> bool:
        return not self.verified


class Rule(models.Model):
    """A rule that changes over time, e.g. the Step 2 CK passing score by test date."""

    Key = RuleKey

    key = models.CharField(max_length=40, choices=Key)
    value = models.IntegerField()
    effective_from = models.DateField(
        null=True, blank=True, help_text="Leave empty for the value in force before any change."
    )
    note = models.CharField(max_length=300, blank=True)
    source_url = models.URLField(max_length=500, blank=True)
    last_reviewed = models.DateField(null=True, blank=True)
    needs_review = models.BooleanField(default=False)
    curated_values = curated_values_field()

    class Meta:
        ordering = ["key", "effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "effective_from"], name="pathways_rule_key_date_unique"
            ),
            # Only one undated ("before any change") value per rule.
            models.UniqueConstraint(
                fields=["key"],
                condition=Q(effective_from__isnull=True),
                name="pathways_rule_key_undated_unique",
            ),
            models.CheckConstraint(
                condition=Q(key__in=RuleKey.values), name="pathways_rule_key_valid"
            ),
        ]

    def __str__(self) -> str:
        since = f" from {self.effective_from:%d %b %Y}" if self.effective_from else ""
        return f"{self.get_key_display()}: {self.value}{since}"


class Status(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class Outcome(models.TextChoices):
    UNKNOWN = "", "No result yet"
    PASSED = "passed", "Passed"
    FAILED = "failed", "Failed"


class Progress(models.Model):
    """One member's record of one milestone. Rows survive profile changes."""

    Status = Status

    Outcome = Outcome

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="progress"
    )
    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="progress")
    status = models.CharField(max_length=20, choices=Status, default=Status.NOT_STARTED)
    planned_date = models.DateField(null=True, blank=True)
    completed_date = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=6, choices=Outcome, blank=True, default="")
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    oet_listening = models.PositiveSmallIntegerField(null=True, blank=True)
    oet_reading = models.PositiveSmallIntegerField(null=True, blank=True)
    oet_writing = models.PositiveSmallIntegerField(null=True, blank=True)
    oet_speaking = models.PositiveSmallIntegerField(null=True, blank=True)
    oet_single_sitting = models.BooleanField(default=True)
    expires_on = models.DateField(
        null=True, blank=True, help_text="For a Pathway-based certificate: its valid-through date."
    )
    notes = models.TextField(blank=True, max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "progress"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "milestone"], name="pathways_progress_user_milestone_unique"
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="pathways_progress_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=Outcome.values), name="pathways_progress_outcome_valid"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=300),
                name="pathways_progress_score_range",
            ),
            models.CheckConstraint(
                condition=Q(attempts__lte=10), name="pathways_progress_attempts_range"
            ),
            models.CheckConstraint(
                condition=(
                    (Q(oet_listening__isnull=True) | Q(oet_listening__lte=500))
                    & (Q(oet_reading__isnull=True) | Q(oet_reading__lte=500))
                    & (Q(oet_writing__isnull=True) | Q(oet_writing__lte=500))
                    & (Q(oet_speaking__isnull=True) | Q(oet_speaking__lte=500))
                ),
                name="pathways_progress_oet_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.milestone}: {self.get_status_display()}"

    def get_absolute_url(self) -> str:
        return self.milestone.progress_url

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE

    @property
    def is_started(self) -> bool:
        return self.status != self.Status.NOT_STARTED

    @property
    def is_settled(self) -> bool:
        """Done or not applicable: no longer blocks what depends on it."""
        return self.status in {self.Status.DONE, self.Status.NOT_APPLICABLE}


class DateChangeQuerySet(models.QuerySet):
    def since(self, when: datetime.datetime):
        return self.filter(changed_at__gte=when).order_by("changed_at", "pk")


class ContentVersion(models.Model):
    """The curated content's version token (pathways/curated_cache.py): one row, id 1.

    In the database rather than the shared cache: it changes in the transaction of the
    change it marks, so it becomes visible exactly when that change does, and the query that
    reads a member's profile reads it too (no separate read on their pages)."""

    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="pathways_contentversion_one_row")
        ]

    def __str__(self) -> str:
        return f"Curated content {self.token} ({self.changed_at:%Y-%m-%d %H:%M})"


class DateChangeKind(models.TextChoices):
    CYCLE = "cycle", "Match-cycle date"
    RULE = "rule", "Rule"
    MILESTONE = "milestone", "Milestone deadline"


class DateChange(models.Model):
    """History of curated dates: one row per changed value, written by pathways/history.py
    for a curator's edit in the admin and for a content release the loader applies.

    Reminders (the `reminders` app) read it to tell the members a change affects.
    """

    Kind = DateChangeKind

    kind = models.CharField(max_length=10, choices=Kind)
    cycle = models.ForeignKey(
        MatchCycle, null=True, blank=True, on_delete=models.SET_NULL, related_name="changes"
    )
    milestone = models.ForeignKey(
        Milestone, null=True, blank=True, on_delete=models.SET_NULL, related_name="changes"
    )
    rule_key = models.CharField(max_length=40, blank=True)
    field = models.CharField(max_length=40, help_text="The changed field's name.")
    label = models.CharField(max_length=200, help_text="What changed, in words.")
    old_value = models.CharField(max_length=200, blank=True)
    new_value = models.CharField(max_length=200, blank=True)
    # The curator's account may be deleted later: the history stays, without the name.
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changed_at = models.DateTimeField(default=timezone.now)
    source_url = models.URLField(max_length=500, blank=True)
    reason = models.CharField(
        max_length=200,
        blank=True,
        help_text='Why it changed, as members read it (e.g. "corrected: NRMP\'s calendar").',
    )

    objects = DateChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-changed_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=DateChangeKind.values),
                name="pathways_datechange_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.old_value or '—'} → {self.new_value or '—'}"

    @property
    def summary(self) -> str:
        before, after = self.old_value or "unset", self.new_value or "unset"
        text = f"{self.label} changed from {before} to {after}"
        return f"{text} ({self.reason})" if self.reason else text


class RestrictionKind(models.TextChoices):
    FULL = "full", "Full suspension: immigrant and nonimmigrant visas"
    PARTIAL = "partial", "Partial suspension: immigrant and some nonimmigrant visas"


# A restriction reviewed longer ago than this is shown with "may be out of date".
RESTRICTION_STALE_DAYS = 90


class EntryRestrictionQuerySet(models.QuerySet):
    def in_force(self, on: datetime.date):
        return self.filter(Q(ends_on__isnull=True) | Q(ends_on__gt=on), effective_from__lte=on)


class EntryRestriction(models.Model):
    """A suspension of US entry or visas for the nationals of one country (curated).

    Shipped in pathways/content/entry_restrictions.toml with its source and the day it was
    last reviewed; nothing about a country is written in code. A member who recorded that
    citizenship sees it where it matters (dashboard, visa milestones, fit check, Match check).
    """

    Kind = RestrictionKind

    country = CountryField(help_text="The nationality concerned.")
    kind = models.CharField(max_length=10, choices=RestrictionKind)
    j_visas_suspended = models.BooleanField(help_text="J visas (the J-1 for residency).")
    h_visas_suspended = models.BooleanField(help_text="H visas (the H-1B).")
    measure = models.CharField(
        max_length=200, help_text="The measure, e.g. 'Presidential proclamation of 16 Dec 2025'."
    )
    note = models.CharField(max_length=300, blank=True, help_text="Shown to members as is.")
    effective_from = models.DateField()
    ends_on = models.DateField(
        null=True, blank=True, help_text="The first day it no longer applies; empty: open-ended."
    )
    source_url = models.URLField(max_length=500)
    last_reviewed = models.DateField(help_text="When a curator last checked it.")
    needs_review = models.BooleanField(
        default=True, help_text="Set while only secondary sources were seen."
    )
    curated_values = curated_values_field()

    objects = EntryRestrictionQuerySet.as_manager()

    class Meta:
        ordering = ["country", "effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "effective_from"], name="pathways_restriction_country_unique"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=RestrictionKind.values),
                name="pathways_restriction_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gt=models.F("effective_from")),
                name="pathways_restriction_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(source_url__startswith="https://")
                | Q(source_url__startswith="http://"),
                name="pathways_restriction_source_url_scheme",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.country.name}: {self.get_kind_display()}"

    def applies_on(self, on: datetime.date) -> bool:
        return self.effective_from <= on and (self.ends_on is None or on < self.ends_on)

    def is_stale(self, on: datetime.date) -> bool:
        return (on - self.last_reviewed).days > RESTRICTION_STALE_DAYS

    def blocks(self, *, j1: bool, h1b: bool) -> bool:
        """Whether it suspends every visa route a member has open."""
        open_routes = [j1 and not self.j_visas_suspended, h1b and not self.h_visas_suspended]
        return (j1 or h1b) and not any(open_routes)
