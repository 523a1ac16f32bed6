"""Small forms of the staff back-office (the answer forms themselves are the agents' ones)."""

from django import forms


class DeadlineForm(forms.Form):
    closes_at = forms.DateTimeField(
        label="Nouvelle date de clôture",
        help_text="Heure de Paris. Une collecte close rouvre si la date est dans le futur.",
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "class": "form-control w-auto"},
            format="%Y-%m-%dT%H:%M",
        ),
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M"],
        error_messages={
            "required": "Indiquez la nouvelle date de clôture.",
            "invalid": "Saisissez une date et une heure valides (jj/mm/aaaa hh:mm).",
        },
    )
