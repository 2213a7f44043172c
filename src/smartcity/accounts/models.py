from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from . import second_factor


class TrustLevel(models.TextChoices):
    """eIDAS-style levels as BundID names them; ordered from weakest to strongest."""

    NONE = "", _("keine")
    BASIC = "basisregistrierung", _("Basisregistrierung")
    SUBSTANTIAL = "substantiell", _("substantiell")
    HIGH = "hoch", _("hoch")

    @classmethod
    def rank(cls, level: str) -> int:
        return [c.value for c in cls].index(level) if level in cls.values else 0


class Department(models.Model):
    """A Fachbereich (e.g. Amt für Verkehrsmanagement). Staff act only on their department's cases."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("Fachbereich")
        verbose_name_plural = _("Fachbereiche")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    email = models.EmailField(_("E-Mail-Adresse"), unique=True, null=True, blank=True)
    email_verified = models.BooleanField(default=False)
    birth_date = models.DateField(_("Geburtsdatum"), null=True, blank=True)
    street = models.CharField(_("Straße"), max_length=120, blank=True)
    house_number = models.CharField(_("Hausnummer"), max_length=12, blank=True)
    postcode = models.CharField(_("Postleitzahl"), max_length=5, blank=True)
    city = models.CharField(_("Ort"), max_length=80, blank=True)
    trust_level = models.CharField(max_length=20, choices=TrustLevel.choices, blank=True, default="")
    login_provider = models.CharField(max_length=40, blank=True)
    # Stable pseudonymous identifier from an identity provider (BundID bPK2 or simulator id).
    external_id = models.CharField(max_length=120, blank=True, db_index=True)
    # Profile fields whose values an identity provider confirmed; the citizen cannot edit them.
    verified_fields = models.JSONField(default=list, blank=True)
    # Language of mailbox messages and e-mails, which are written when no request tells the language.
    language = models.CharField(_("Sprache für Nachrichten"), max_length=8, choices=settings.LANGUAGES,
                                default=settings.LANGUAGE_CODE)

    VERIFIABLE_FIELDS = ("first_name", "last_name", "birth_date", "street", "house_number", "postcode", "city")

    @cached_property
    def role_list(self) -> list[tuple[int, str, str]]:
        """(department id, department code, role) of each staff role, read once per user object: the
        navigation, the staff check and the department scoping all ask on every back-office page, and a
        request's user object lives one request."""
        if not self.pk:
            return []
        return list(self.staff_roles.values_list("department_id", "department__code", "role"))

    @property
    def is_staff_member(self) -> bool:
        return bool(self.role_list)

    @property
    def needs_two_factor(self) -> bool:
        """Staff members, anyone with admin access and whom an app's rule names (second_factor) must log in
        with a second factor."""
        return self.is_staff or self.is_superuser or self.is_staff_member or second_factor.required_by_an_app(self)

    def has_trust(self, level: str) -> bool:
        return TrustLevel.rank(self.trust_level) >= TrustLevel.rank(level)


class StaffRole(models.Model):
    class Role(models.TextChoices):
        CASEWORKER = "caseworker", _("Sachbearbeitung")
        TEAMLEAD = "teamlead", _("Teamleitung")
        ADMIN = "admin", _("Administration")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="staff_roles")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="staff_roles")
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "department", "role"], name="uniq_staff_role")]
        verbose_name = _("Rolle")
        verbose_name_plural = _("Rollen")

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} ({self.department.code})"
