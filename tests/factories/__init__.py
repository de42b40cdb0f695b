from .bapas import OfficeFactory, PartnerFactory, RegionalOfficeFactory, UserFactory
from .clients import ClientFactory, ContactFactory, OrderFactory

__all__ = [
    "ClientFactory",
    "ContactFactory",
    "OfficeFactory",
    "OrderFactory",
    "PartnerFactory",
    "RegionalOfficeFactory",
    "UserFactory",
]
