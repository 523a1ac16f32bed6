"""The questionnaire's models: its definition (editions, sections, questions, choices, matrix
rows) and the responses with their answers. Django registers them from here."""

from surveys.models.definition import (
    Choice,
    Edition,
    MatrixRow,
    ProtectedChangeError,
    Question,
    Section,
)
from surveys.models.responses import Answer, Response, ResponseQuerySet, SectionActivity

__all__ = [
    "Answer",
    "Choice",
    "Edition",
    "MatrixRow",
    "ProtectedChangeError",
    "Question",
    "Response",
    "ResponseQuerySet",
    "Section",
    "SectionActivity",
]
