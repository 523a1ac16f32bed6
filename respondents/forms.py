from django import forms

from respondents.models import Contact, ReminderSchedule, normalise_email


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


def _text(label: str, *, required: bool = True, max_length: int = 100, autocomplete: str = ""):
    attrs = {"class": "form-control"}
    if autocomplete:
        attrs["autocomplete"] = autocomplete
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        error_messages={"required": f"Indiquez votre {label.lower()}."},
        widget=forms.TextInput(attrs=attrs),
    )


class AccessRequestForm(forms.Form):
    """The public request of a collectivité that was not invited; choices come from a search."""

    collectivite = forms.TypedChoiceField(
        label="Votre collectivité",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choisissez votre collectivité dans la liste.",
            "invalid_choice": "Choisissez votre collectivité dans la liste.",
        },
    )
    first_name = _text("Prénom", autocomplete="given-name")
    last_name = _text("Nom", autocomplete="family-name")
    role = _text("Fonction", required=False, max_length=200, autocomplete="organization-title")
    email = forms.EmailField(
        label="Adresse électronique professionnelle",
        help_text="Une adresse de votre collectivité : l'invitation y sera envoyée.",
        error_messages={
            "required": "Indiquez votre adresse électronique professionnelle.",
            "invalid": "Indiquez une adresse électronique valide, par exemple nom@mairie.fr.",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "class": "form-control"}),
    )

    def __init__(self, *args, collectivites=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.collectivites = {c.pk: c for c in collectivites}
        self.fields["collectivite"].choices = [
            (c.pk, f"{c.name} ({c.get_kind_display()}, {c.code})") for c in collectivites
        ]

    def clean_email(self) -> str:
        return normalise_email(self.cleaned_data["email"])


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["first_name", "last_name", "role", "email", "opted_out_of_reminders"]
        error_messages = {
            "email": {
                "required": "Indiquez l'adresse électronique du contact.",
                "invalid": "Indiquez une adresse électronique valide.",
            }
        }

    def __init__(self, *args, collectivite=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.collectivite = collectivite or self.instance.collectivite
        for name, field in self.fields.items():
            if name != "opted_out_of_reminders":
                field.widget.attrs["class"] = "form-control"

    def clean_email(self) -> str:
        email = normalise_email(self.cleaned_data["email"])
        duplicate = Contact.objects.filter(collectivite=self.collectivite, email=email).exclude(
            pk=self.instance.pk
        )
        if duplicate.exists():
            raise forms.ValidationError("Cette collectivité a déjà un contact avec cette adresse.")
        return email


class ContactsUploadForm(forms.Form):
    file = forms.FileField(
        label="Fichier des contacts (XLSX ou CSV)",
        help_text=(
            "Première ligne : les noms de colonnes code (INSEE ou SIREN) et email, "
            "et au choix type, prenom, nom, fonction."
        ),
        error_messages={"required": "Choisissez un fichier .xlsx ou .csv."},
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".xlsx,.csv"}),
    )


class ReminderScheduleForm(forms.ModelForm):
    days_before_closing = forms.CharField(
        label="Relancer avant la clôture (jours)",
        help_text=(
            "Nombres de jours avant la date de clôture, séparés par des virgules, "
            "par exemple 14, 3, 1. Laisser vide : pas de relance avant la clôture."
        ),
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "numeric"}),
    )

    class Meta:
        model = ReminderSchedule
        fields = ["enabled", "days_before_closing", "interval_days", "max_per_contact"]
        labels = {
            "interval_days": "Relancer aussi tous les (jours)",
            "max_per_contact": "Relances au plus par contact et par édition",
        }
        help_texts = {
            "interval_days": "Laisser vide : seulement les relances avant la clôture.",
            "max_per_contact": "Relances manuelles comprises.",
        }
        widgets = {
            "interval_days": forms.NumberInput(attrs={"class": "form-control", "min": 1}),
            "max_per_contact": forms.NumberInput(attrs={"class": "form-control", "min": 1}),
        }
        error_messages = {
            "interval_days": {"invalid": "Indiquez un nombre entier de jours."},
            "max_per_contact": {
                "required": "Indiquez le nombre maximal de relances par contact.",
                "invalid": "Indiquez un nombre entier de relances.",
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["days_before_closing"] = ", ".join(
                str(n) for n in self.instance.days_before_closing
            )

    def clean_days_before_closing(self) -> list[int]:
        text = self.cleaned_data["days_before_closing"]
        days = []
        for part in text.replace(";", ",").split(","):
            part = part.strip().upper().removeprefix("J-").strip()
            if not part:
                continue
            if not (part.isascii() and part.isdigit()) or not 1 <= int(part) <= 365:
                raise forms.ValidationError(
                    "Indiquez des nombres de jours entre 1 et 365, séparés par des virgules "
                    "(par exemple 14, 3, 1)."
                )
            days.append(int(part))
        return sorted(set(days), reverse=True)

    def clean_interval_days(self) -> int | None:
        value = self.cleaned_data["interval_days"]
        if value is not None and value < 1:
            raise forms.ValidationError("L'intervalle est d'au moins un jour.")
        return value

    def clean_max_per_contact(self) -> int:
        value = self.cleaned_data["max_per_contact"]
        if not 1 <= value <= 20:
            raise forms.ValidationError("Indiquez entre 1 et 20 relances par contact.")
        return value


def _email_field(label: str, *, required: bool = True, help_text: str = "") -> forms.EmailField:
    return forms.EmailField(
        label=label,
        required=required,
        help_text=help_text,
        error_messages={
            "required": "Indiquez l'adresse électronique professionnelle.",
            "invalid": "Indiquez une adresse électronique valide, par exemple nom@mairie.fr.",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off", "class": "form-control"}),
    )


class ColleagueForm(forms.Form):
    """An agent invites a colleague of the same collectivité ("Mon équipe")."""

    first_name = _text("Prénom", required=False)
    last_name = _text("Nom", required=False)
    role = _text("Fonction", required=False, max_length=200)
    email = _email_field(
        "Adresse électronique professionnelle",
        help_text="Votre collègue recevra son propre lien pour répondre.",
    )

    def __init__(self, *args, collectivite=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.collectivite = collectivite
        for name in ("first_name", "last_name", "role"):
            self.fields[name].widget.attrs["autocomplete"] = "off"

    def clean_email(self) -> str:
        email = normalise_email(self.cleaned_data["email"])
        team = Contact.objects.filter(collectivite=self.collectivite, email=email).exclude(
            confirmation=Contact.Confirmation.LEFT
        )
        if team.exists():
            raise forms.ValidationError(
                "Cette personne est déjà contact de votre collectivité : elle peut demander "
                "un nouveau lien sur la page « Recevoir mon lien »."
            )
        return email


class ConfirmationForm(forms.Form):
    """A contact says whether they are still the right person (after municipal elections)."""

    still_in_post = forms.TypedChoiceField(
        label="Êtes-vous toujours la bonne personne ?",
        choices=[
            ("oui", "Je suis toujours la bonne personne"),
            ("non", "Je ne suis plus en poste"),
        ],
        coerce=lambda value: value == "oui",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choisissez une réponse.",
            "invalid_choice": "Choisissez une réponse.",
        },
    )
    successor_email = _email_field(
        "Adresse de la personne qui vous succède (facultatif)",
        required=False,
        help_text="Si vous n'êtes plus en poste : nous l'inviterons à votre place.",
    )

    def __init__(self, *args, contact=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.contact = contact

    def clean_successor_email(self) -> str:
        email = normalise_email(self.cleaned_data.get("successor_email") or "")
        if email and self.contact is not None and email == self.contact.email:
            raise forms.ValidationError("Indiquez l'adresse de la personne qui vous succède.")
        return email

    def clean(self):
        data = super().clean()
        if data.get("still_in_post") and data.get("successor_email"):
            self.add_error(
                "successor_email",
                "Indiquez une adresse de successeur seulement si vous n'êtes plus en poste.",
            )
        return data
