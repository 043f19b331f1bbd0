import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django_countries.fields import CountryField


class UserManager(BaseUserManager):
    """Users log in with their email address; there is no username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    username = None
    email = models.EmailField("email address", unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                models.functions.Lower("email"), name="accounts_user_email_ci_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.email


# Bounds checked in forms too; these are the database's last line.
MIN_GRADUATION_YEAR = 1960
MIN_MATCH_YEAR = 2024
MAX_MATCH_YEAR = 2100


# How a specialty named in the profile is recognised as one that applies through
# ResidencyCAS (2027-season review, section B: Emergency Medicine and OB/GYN).
RESIDENCYCAS_SPECIALTIES = ["emergency", "obstetric", "ob gyn", "obgyn", "gynaecolog", "gynecolog"]


def uses_residencycas(specialty: str) -> bool:
    """Whether a specialty, as a member names it, applies through ResidencyCAS."""
    words = specialty.lower().replace("-", " ").replace("/", " ")
    return any(name in words for name in RESIDENCYCAS_SPECIALTIES)


# Step 2 CS was suspended in March 2020 (and discontinued in 2021): every pass is older.
LAST_STEP2CS_MONTH = datetime.date(2020, 3, 1)


class Visa(models.TextChoices):
    NONE = "none", "No visa needed (US citizen or permanent resident)"
    J1 = "j1", "J-1 (ECFMG-sponsored exchange visitor)"
    H1B = "h1b", "H-1B (temporary worker)"
    UNDECIDED = "undecided", "Needs a visa, route not decided yet"


class Profile(models.Model):
    """What the roadmap needs to know about a member, asked at onboarding."""

    Visa = Visa

    MIN_GRADUATION_YEAR = MIN_GRADUATION_YEAR
    MIN_MATCH_YEAR = MIN_MATCH_YEAR
    MAX_MATCH_YEAR = MAX_MATCH_YEAR

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    school_country = models.CharField("country of your medical school", max_length=100, blank=True)
    school_name = models.CharField("medical school", max_length=200, blank=True)
    graduation_year = models.PositiveSmallIntegerField(
        "graduation year (or expected)",
        null=True,
        blank=True,
        validators=[MinValueValidator(MIN_GRADUATION_YEAR)],
    )
    specialty = models.CharField("target specialty", max_length=100, blank=True)
    match_year = models.PositiveSmallIntegerField(
        "target Match year",
        null=True,
        blank=True,
        validators=[MinValueValidator(MIN_MATCH_YEAR), MaxValueValidator(MAX_MATCH_YEAR)],
        help_text="The year of the Match Day you aim for (residency starts 1 July that year).",
    )
    visa = models.CharField(
        "US visa for residency", max_length=10, choices=Visa, default=Visa.UNDECIDED
    )
    has_step2cs = models.BooleanField(
        "I passed the former USMLE Step 2 CS",
        default=False,
        help_text="While it still counts for ECFMG you need no Pathway and no OET.",
    )
    step2cs_passed_on = models.DateField(
        "month of your Step 2 CS pass",
        null=True,
        blank=True,
        help_text="Stored as the first day of the month you passed.",
    )
    citizenship = CountryField(
        "country of citizenship",
        blank=True,
        help_text="Optional and private: used only to tell you of US entry or visa "
        "restrictions on your nationality. Never shown to anyone else.",
    )
    time_zone = models.CharField(
        "your time zone",
        max_length=64,
        blank=True,
        help_text="A canonical IANA name such as Africa/Cairo or Asia/Kolkata (lib/dates.py). "
        "Your 'today', days left, reminders and deadline times follow it; empty: US Eastern.",
    )
    onboarded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(visa__in=Visa.values), name="accounts_profile_visa_valid"
            ),
            models.CheckConstraint(
                condition=Q(step2cs_passed_on__isnull=True)
                | Q(step2cs_passed_on__lte=LAST_STEP2CS_MONTH, step2cs_passed_on__day=1),
                name="accounts_profile_step2cs_month",
            ),
            models.CheckConstraint(
                condition=Q(graduation_year__isnull=True)
                | Q(graduation_year__gte=MIN_GRADUATION_YEAR),
                name="accounts_profile_graduation_year_range",
            ),
            models.CheckConstraint(
                condition=Q(match_year__isnull=True)
                | Q(match_year__gte=MIN_MATCH_YEAR, match_year__lte=MAX_MATCH_YEAR),
                name="accounts_profile_match_year_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Profile of {self.user}"

    def get_absolute_url(self) -> str:
        return reverse("accounts:settings")

    @property
    def is_onboarded(self) -> bool:
        return self.onboarded_at is not None

    # The visa routes a member's answer leaves open: the one place the visa values are read.
    @property
    def needs_visa(self) -> bool:
        return self.visa != Visa.NONE

    @property
    def may_take_j1(self) -> bool:
        """On the J-1 route, or undecided (the J-1's lead times and clocks concern them)."""
        return self.visa in {Visa.J1, Visa.UNDECIDED}

    @property
    def may_take_h1b(self) -> bool:
        return self.visa in {Visa.H1B, Visa.UNDECIDED}

    @property
    def uses_residencycas(self) -> bool:
        """Emergency Medicine and OB/GYN applications go through ResidencyCAS, not ERAS."""
        return uses_residencycas(self.specialty)


class NoticeQuerySet(models.QuerySet):
    def open(self):
        """Not dismissed yet: what the dashboard shows."""
        return self.filter(dismissed_at__isnull=True)

    def for_dashboard(self, user):
        """The member's open notices, newest first, at most Notice.DASHBOARD_LIMIT."""
        return self.open().filter(user=user)[: Notice.DASHBOARD_LIMIT]


class Notice(models.Model):
    """A message to one member on their dashboard until they dismiss it (today: a fact of a
    catalogue program they keep changed; written by the reminders app's fan-out).

    Member-owned: exported and deleted with the account, never readable by curators. `key`
    names what it is about (`catalogue-change:<FactChange pk>`): unique per member, so a
    retried or repeated fan-out never shows the same notice twice."""

    DASHBOARD_LIMIT = 10  # the dashboard shows the newest ones, no more

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices"
    )
    key = models.CharField(
        max_length=120, help_text="What the notice is about (unique per member)."
    )
    message = models.TextField(help_text="What the member reads (plain text).")
    url = models.CharField(max_length=500, blank=True, help_text="A page of the site (a path).")
    source_url = models.URLField("source", max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["user", "dismissed_at", "-created_at"], name="accounts_notice_open"
            )
        ]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="accounts_notice_once"),
            models.CheckConstraint(
                condition=Q(url="") | Q(url__startswith="/"), name="accounts_notice_url_local"
            ),
            models.CheckConstraint(
                condition=Q(source_url="")
                | Q(source_url__startswith="https://")
                | Q(source_url__startswith="http://"),
                name="accounts_notice_source_scheme",
            ),
        ]

    def __str__(self) -> str:
        return f"Notice {self.key} for {self.user}"

    def get_absolute_url(self) -> str:
        return reverse("accounts:dismiss_notice", args=[self.pk])
