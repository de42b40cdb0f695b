from .bapas import OfficeFactory, PartnerFactory, RegionalOfficeFactory, UserFactory

__all__ = ["OfficeFactory", "PartnerFactory", "RegionalOfficeFactory", "UserFactory"]
