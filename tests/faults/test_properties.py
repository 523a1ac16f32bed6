"""Property-based: arbitrary payloads get a result or a validation error, never a crash."""

import io
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils.exceptions import IllegalCharacterError

from respondents.staff.upload import UploadError, read_table
from surveys.conditions import ConditionError, compile_condition
from surveys.models import Question
from surveys.validation import CleanAnswer, clean_answer
from tests.surveys.factories import build_edition

QUICK = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.text(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.sampled_from(["oui", "non", "autre", "nsp", "12 000", "1,5", "-0", "1e999", "\x00"]),
)
payloads = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=8,
)
codes = st.sampled_from(
    ["fonction_repondant", "service_dedie", "type_collectivite", "budget_participation", "x"]
)
condition_text = st.one_of(
    st.text(max_size=60),
    st.lists(
        st.sampled_from(
            [
                "service_dedie",
                "=",
                "!=",
                "<",
                ">=",
                "oui",
                "(",
                ")",
                "et",
                "ou",
                "non",
                "in",
                "contient",
                "[",
                "]",
                ",",
                "12",
                "'a'",
                "type_collectivite",
                "commune",
            ]
        ),  # fmt: skip
        max_size=10,
    ).map(" ".join),
)


@pytest.fixture
def questions(db):
    edition = build_edition(2030)
    return list(
        Question.objects.filter(edition=edition).prefetch_related("choices", "rows", "roster")
    )


@QUICK
@given(
    index=st.integers(min_value=0),
    raw=payloads,
    other=payloads,
    context=st.none() | st.dictionaries(codes, payloads, max_size=3),
)
def test_clean_answer_returns_a_value_or_a_french_validation_error(
    questions, index, raw, other, context
):
    question = questions[index % len(questions)]
    try:
        result = clean_answer(question, raw, other_text=other, context=context)
    except ValidationError as error:
        assert error.messages and all(isinstance(m, str) and m for m in error.messages)
        return
    assert result is None or isinstance(result, CleanAnswer)
    if result is not None and isinstance(result.value, str):
        assert "\x00" not in result.value and "\r" not in result.value
    if result is not None and result.number is not None:
        assert isinstance(result.number, Decimal) and result.number.is_finite()


@QUICK
@given(expr=condition_text, values=st.dictionaries(codes, payloads, max_size=4))
def test_the_conditions_parser_compiles_or_refuses_and_evaluation_never_crashes(expr, values):
    try:
        condition = compile_condition(expr)
    except ConditionError as error:
        assert str(error)
        return
    assert condition.evaluate(values) in (True, False)


def xlsx_with(cells: list[list]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    for row in cells:
        workbook.active.append(row)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


@QUICK
@given(raw=st.binary(max_size=2048), name=st.sampled_from(["f.csv", "f.xlsx", "f.txt"]))
def test_the_upload_reader_reads_or_refuses_arbitrary_bytes(raw, name):
    try:
        table = read_table(SimpleUploadedFile(name, raw))
    except UploadError as error:
        assert str(error)
        return
    assert all(isinstance(cell, str) for row in table for cell in row)


@settings(max_examples=40, deadline=None)
@given(
    cells=st.lists(
        st.lists(
            st.one_of(st.text(max_size=20), st.integers(), st.floats(allow_nan=False)), max_size=4
        ),
        max_size=5,
    ),
    cut=st.integers(min_value=0, max_value=4000),
)
def test_the_upload_reader_reads_or_refuses_real_and_truncated_workbooks(cells, cut):
    cells = [[c.replace("\x00", "") if isinstance(c, str) else c for c in row] for row in cells]
    try:
        content = xlsx_with(cells)
    except IllegalCharacterError:  # openpyxl refuses control characters when writing
        return
    for raw in (content, content[:cut]):
        try:
            read_table(SimpleUploadedFile("f.xlsx", raw))
        except UploadError as error:
            assert str(error)
    assert zipfile.is_zipfile(io.BytesIO(content))
