"""Answers of a page of responses as {code: value} and roster sheets, in two queries."""

from api.sources import Answer, Edition, Question


class AnswerShaper:
    """Turns stored answers into the API's shape; `labels` swaps choice codes for labels."""

    def __init__(self, edition: Edition, labels: bool = False):
        self.labels = labels
        self.questions: dict[int, Question] = {}
        self.choice_labels: dict[int, dict[str, str]] = {}
        self.row_labels: dict[int, dict[str, str]] = {}
        for question in edition.questions.select_related("roster").prefetch_related(
            "choices", "rows"
        ):
            self.questions[question.pk] = question
            self.choice_labels[question.pk] = {c.code: c.label for c in question.choices.all()}
            self.row_labels[question.pk] = {r.code: r.label for r in question.rows.all()}

    def _value(self, question: Question, value):
        if not self.labels:
            return value
        choices = self.choice_labels[question.pk]
        T = Question.Type
        if question.type == T.SINGLE:
            return choices.get(value, value)
        if question.type == T.MULTIPLE:
            return [choices.get(code, code) for code in value]
        if question.type == T.RANKING:
            return {choices.get(code, code): rank for code, rank in value.items()}
        if question.type == T.MATRIX:
            rows = self.row_labels[question.pk]
            return {rows.get(row, row): choices.get(cell, cell) for row, cell in value.items()}
        return value

    def shape(self, response_ids: list[int]) -> dict[int, tuple[dict, dict]]:
        shaped: dict[int, tuple[dict, dict]] = {pk: ({}, {}) for pk in response_ids}
        sheets: dict[tuple[int, str, int], dict] = {}
        rows = (
            Answer.objects.filter(response_id__in=response_ids)
            .order_by("response_id", "item", "question_id")
            .values_list("response_id", "question_id", "item", "value", "other_text")
        )
        for response_id, question_id, item, value, other_text in rows.iterator(chunk_size=5000):
            question = self.questions[question_id]
            answers, rosters = shaped[response_id]
            if question.type == Question.Type.ROSTER:
                rosters.setdefault(question.code, [])
                continue
            if question.roster_id:
                roster_code = self.questions[question.roster_id].code
                key = (response_id, roster_code, item)
                if key not in sheets:
                    sheets[key] = {"item": item, "answers": {}}
                    rosters.setdefault(roster_code, []).append(sheets[key])
                target = sheets[key]["answers"]
            else:
                target = answers
            target[question.code] = self._value(question, value)
            if other_text:
                target[f"{question.code}_autre"] = other_text
        return shaped
