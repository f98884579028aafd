"""The domain model (docs/spec.md §3), one module per concern."""

from .catalogue import Module, Track
from .enrolments import (
    AssessmentAttempt,
    AttemptOutcome,
    Enrolment,
    EnrolmentStatus,
    EvidenceFile,
    EvidenceKind,
    Level,
    ModuleCompletion,
    StateLog,
    TrainingBatch,
)
from .history import ScoreChange, ScoreField, VettingDecision
from .institutions import Institution, InstitutionStatus, TrackQuota
from .people import ActivationCode, ConflictDeclaration, ConflictKind, Education, Gender, IdType, Role, Trainee, User
from .statistics import DerivedFiguresUpTo, EnrolmentFigures, FiguresByMonth, StageDuration, StageDurationsByMonth

__all__ = [
    "ActivationCode",
    "AssessmentAttempt",
    "AttemptOutcome",
    "ConflictDeclaration",
    "ConflictKind",
    "DerivedFiguresUpTo",
    "Education",
    "Enrolment",
    "EnrolmentFigures",
    "EnrolmentStatus",
    "EvidenceFile",
    "EvidenceKind",
    "FiguresByMonth",
    "Gender",
    "IdType",
    "Institution",
    "InstitutionStatus",
    "Level",
    "Module",
    "ModuleCompletion",
    "Role",
    "ScoreChange",
    "ScoreField",
    "StageDuration",
    "StageDurationsByMonth",
    "StateLog",
    "Track",
    "TrackQuota",
    "Trainee",
    "TrainingBatch",
    "User",
    "VettingDecision",
]
