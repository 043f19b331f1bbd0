"""H-1B evidence from the Department of Labor's Labor Condition Application (LCA) data.

Curated (written by the importer from public-domain OFLC disclosure files, and by curators):
LcaFile (one uploaded or imported file and how its import went), Employer (an employer as
the files name it: normalised name + state), LcaCase (one kept case: an H-1B application
for a physician resident or fellow position, any status; one row per CASE_NUMBER across
all files), EmployerYear (certified and kept cases per employer and fiscal year, recomputed
by every import) and EmployerLink (a curator's decision that an employer is, or is not, a
catalogue institution; nothing is ever linked without one).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from catalogue.models import Institution


class FileStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class LcaFile(models.Model):
    """One LCA disclosure file and its import (all or nothing)."""

    Status = FileStatus

    original_name = models.CharField("file name", max_length=200)
    file_date = models.DateField(
        help_text="The file's date as published by the Department of Labor (members see "
        '"file of <date>"); taken from the file name when it holds one.'
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The curator who uploaded it (empty for the management command).",
    )
    status = models.CharField(max_length=10, choices=FileStatus, default=FileStatus.QUEUED)
    # Where an upload waits for the worker (emptied once the import ends: the data is then
    # in the database, and a 100 MB file is not kept twice).
    stored_path = models.CharField(max_length=500, blank=True, editable=False)
    size_bytes = models.BigIntegerField("size (bytes)", default=0)
    rows_read = models.PositiveIntegerField(default=0)
    rows_kept = models.PositiveIntegerField(
        default=0, help_text="H-1B, physician SOC code, resident or fellow job title (any status)."
    )
    rows_certified = models.PositiveIntegerField(default=0)
    cases_new = models.PositiveIntegerField(
        default=0, help_text="Kept cases whose CASE_NUMBER no earlier file had."
    )
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    peak_memory_kb = models.PositiveIntegerField(
        "peak memory (KiB)",
        null=True,
        blank=True,
        help_text="The importing process's peak resident set size (ru_maxrss) at the end.",
    )

    class Meta:
        verbose_name = "LCA file"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=FileStatus.values), name="lca_file_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} (file of {self.file_date:%Y-%m-%d})"

    @property
    def seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return round((self.finished_at - self.started_at).total_seconds(), 1)
        return None


class Employer(models.Model):
    """An employer as the LCA files name it. Two spellings that normalise alike in the same
    state are one employer (lca.matching.normalise_name)."""

    name = models.CharField(max_length=200, help_text="As first read from a file.")
    normalised_name = models.CharField(max_length=200, db_index=True)
    state = models.CharField(max_length=50, blank=True, help_text="EMPLOYER_STATE, as a code.")
    city = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["normalised_name", "state"]
        constraints = [
            models.UniqueConstraint(fields=["normalised_name", "state"], name="lca_employer_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.state})" if self.state else self.name


class LcaCase(models.Model):
    """One kept case, once across all files (CASE_NUMBER is unique): the row of the file
    with the latest file date wins, so a later file's withdrawal replaces an earlier
    certification and overlapping quarterly files never count a case twice."""

    case_number = models.CharField(max_length=40, unique=True)
    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(max_length=40, help_text="CASE_STATUS as written in the file.")
    certified = models.BooleanField()
    fiscal_year = models.PositiveSmallIntegerField(
        help_text="The federal fiscal year of BEGIN_DATE."
    )
    begin_date = models.DateField()
    job_title = models.CharField(max_length=200)
    soc_code = models.CharField("SOC code", max_length=20)
    worksite_state = models.CharField(max_length=50, blank=True)
    file = models.ForeignKey(LcaFile, on_delete=models.PROTECT, related_name="cases")
    file_date = models.DateField()

    class Meta:
        verbose_name = "LCA case"
        ordering = ["-begin_date", "case_number"]
        indexes = [models.Index(fields=["employer", "fiscal_year"], name="lca_case_employer_fy")]

    def __str__(self) -> str:
        return self.case_number


class EmployerYear(models.Model):
    """Cases per employer and fiscal year: what members are shown (recomputed from LcaCase
    at the end of every import, in its transaction)."""

    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="years")
    fiscal_year = models.PositiveSmallIntegerField()
    certified = models.PositiveIntegerField(default=0)
    kept = models.PositiveIntegerField(default=0, help_text="Kept cases of any status.")

    class Meta:
        ordering = ["employer", "-fiscal_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["employer", "fiscal_year"], name="lca_employeryear_unique"
            ),
            models.CheckConstraint(
                condition=Q(certified__lte=models.F("kept")), name="lca_employeryear_counts"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employer}: FY{self.fiscal_year} {self.certified} certified"


class LinkDecision(models.TextChoices):
    CONFIRMED = "confirmed", "Confirmed: this employer is this institution"
    REJECTED = "rejected", "Rejected: not this institution"


class EmployerLink(models.Model):
    """A curator's decision about one employer and one institution. Only a confirmed link
    makes the employer's counts evidence for the institution; a rejection keeps the
    suggestion from coming back."""

    Decision = LinkDecision

    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="links")
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="lca_links")
    decision = models.CharField(max_length=10, choices=LinkDecision)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The curator who decided.",
    )
    decided_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["employer", "institution"]
        constraints = [
            models.UniqueConstraint(fields=["employer", "institution"], name="lca_link_unique"),
            # An employer is at most one institution (an institution may have several
            # employers: a health system files under more than one name).
            models.UniqueConstraint(
                fields=["employer"],
                condition=Q(decision="confirmed"),
                name="lca_link_one_confirmed",
                violation_error_message="This employer is already linked to an institution.",
            ),
            models.CheckConstraint(
                condition=Q(decision__in=LinkDecision.values), name="lca_link_decision_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employer} → {self.institution}: {self.decision}"
