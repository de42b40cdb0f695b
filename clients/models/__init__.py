from .casework import CaseNote, ClientDocument, RevocationProposal, WarningLetter
from .clients import Client, normalise_name
from .contacts import (
    ATTENDED_OUTCOMES,
    VISIT_KINDS,
    Contact,
    ContactKind,
    ContactPhoto,
    Outcome,
    ReportingInterval,
)
from .orders import (
    InstitutionType,
    OrderStatus,
    OrderStatusChange,
    Program,
    RiskLevel,
    Stage,
    SupervisionOrder,
)
from .regions import District, Province, Regency, Village

__all__ = [
    "ATTENDED_OUTCOMES", "VISIT_KINDS", "CaseNote", "Client", "ClientDocument", "Contact",
    "ContactKind", "ContactPhoto", "District", "InstitutionType", "OrderStatus",
    "OrderStatusChange", "Outcome", "Program", "Province", "Regency", "ReportingInterval",
    "RevocationProposal", "RiskLevel", "Stage", "SupervisionOrder", "Village", "WarningLetter",
    "normalise_name",
]
