"""Forms of the rules editor and of the series breaks; the loader, not these forms, judges the
rules (`change_definition`), so a field here only parses what staff typed."""

from __future__ import annotations

from django import forms

from surveys.backoffice.editor.diff import VERDICTS, QuestionDiff

UNCONFIRMED = ""


class BreaksForm(forms.Form):
    """One radio group per possible series break: comparable, not comparable, or not yet said."""

    def __init__(self, *args, questions: list[QuestionDiff], **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[question.code] = forms.ChoiceField(
                label=f"« {question.text} » ({question.code})",
                choices=[(UNCONFIRMED, "À confirmer"), *VERDICTS.items()],
                required=False,
                initial=question.verdict,
                widget=forms.RadioSelect,
            )

    def rows(self):
        return [(question, self[question.code]) for question in self.questions]
