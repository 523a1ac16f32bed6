from django import forms

from respondents.models import normalise_email


class ResendLinkForm(forms.Form):
    email = forms.EmailField(
        label="Votre adresse électronique professionnelle",
        help_text="Celle à laquelle vous avez reçu l'invitation.",
        error_messages={
            "required": "Indiquez votre adresse électronique.",
            "invalid": "Indiquez une adresse électronique valide, par exemple nom@mairie.fr.",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "class": "form-control"}),
    )

    def clean_email(self) -> str:
        return normalise_email(self.cleaned_data["email"])
