from django import forms

from api.models import Webhook
from api.webhooks import check_url


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Nom du jeton",
        max_length=100,
        help_text="Pour le reconnaître plus tard, par exemple « Script R du tableau de bord ».",
    )


class WebhookForm(forms.ModelForm):
    url = forms.URLField(
        label="Adresse de réception",
        max_length=500,
        assume_scheme="https",
        help_text="Adresse publique en https:// qui recevra les événements (POST).",
    )
    events = forms.MultipleChoiceField(
        label="Événements envoyés",
        choices=Webhook.Event.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Cochez au moins un événement.",
    )

    class Meta:
        model = Webhook
        fields = ["url", "description", "events"]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        check_url(url)
        return url
