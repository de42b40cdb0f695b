from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .offices import Office, RegionalOffice, nip_validator


class Role(models.TextChoices):
    PK = "pk", _("Probation officer (PK)")
    OPERATOR = "operator", _("Operator")
    SUPERVISOR = "supervisor", _("Supervisor (Kasubsi/Kasie)")
    HEAD = "head", _("Head of office (Kepala Bapas)")
    PARTNER = "partner", _("Partner staff")
    REGIONAL = "regional", _("Regional viewer (Kanwil)")
    ADMIN = "admin", _("Administrator")


# Roles that work inside one office and see its case data.
OFFICE_ROLES = frozenset({Role.PK, Role.OPERATOR, Role.SUPERVISOR, Role.HEAD})
# Roles that see the whole office and manage it.
MANAGER_ROLES = frozenset({Role.SUPERVISOR, Role.HEAD})


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields):
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields):
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields):
        fields.update(is_staff=True, is_superuser=True, role=Role.ADMIN)
        return self._create(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in. The role decides what they may do; the office what they see."""

    email = models.EmailField(_("email"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    nip = models.CharField(
        _("NIP"),
        max_length=18,
        blank=True,
        validators=[nip_validator],
        help_text=_("18-digit civil-servant number, if the person has one."),
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.PK)
    office = models.ForeignKey(
        Office,
        verbose_name=_("office"),
        on_delete=models.PROTECT,
        related_name="users",
        null=True,
        blank=True,
    )
    regional_office = models.ForeignKey(
        RegionalOffice,
        verbose_name=_("regional office"),
        on_delete=models.PROTECT,
        related_name="users",
        null=True,
        blank=True,
        help_text=_("For regional viewers: the Kanwil whose offices they see."),
    )
    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("partner organisation"),
        on_delete=models.PROTECT,
        related_name="staff",
        null=True,
        blank=True,
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("Django admin access"), default=False, help_text=_("May open the technical admin site.")
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        from .. import roles

        super().clean()
        self.email = self.email.lower()
        roles.validate_user_placement(self)

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    # Facts about the role, used by templates and permission checks.
    @property
    def is_pk(self) -> bool:
        return self.role == Role.PK

    @property
    def is_operator(self) -> bool:
        return self.role == Role.OPERATOR

    @property
    def is_manager(self) -> bool:
        return self.role in MANAGER_ROLES

    @property
    def is_partner_staff(self) -> bool:
        return self.role == Role.PARTNER

    @property
    def is_regional(self) -> bool:
        return self.role == Role.REGIONAL

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser

    @property
    def works_in_office(self) -> bool:
        return self.role in OFFICE_ROLES
