"""Staff upload of past editions' responses (an XLSX in the export's layout)."""

import tempfile

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from barometre.roles import staff_required
from exports.services.importer import ImportFailed, import_responses
from surveys.models import Edition

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


class ImportForm(forms.Form):
    edition = forms.ModelChoiceField(
        label="Édition", queryset=Edition.objects.order_by("-year"), empty_label=None
    )
    file = forms.FileField(
        label="Fichier XLSX",
        help_text="Au format de l'export (feuilles Réponses et, s'il y a lieu, Dispositifs).",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("Choisissez un fichier .xlsx.")
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("Le fichier dépasse 50 Mo.")
        return upload


@staff_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    import_errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as stream:
            for chunk in form.cleaned_data["file"].chunks():
                stream.write(chunk)
            stream.flush()
            try:
                result = import_responses(form.cleaned_data["edition"], stream.name)
            except ImportFailed as exc:
                import_errors = exc.errors
            except (OSError, ValueError, KeyError):
                import_errors = ["Fichier illisible : ce n'est pas un classeur XLSX valide."]
        if not import_errors:
            messages.success(
                request,
                f"{result.responses} réponses importées ({result.answers} réponses aux "
                f"questions, {result.items} éléments de listes).",
            )
            return redirect("exports:import")
    return render(
        request,
        "exports/export_import.html",
        {"form": form, "import_errors": import_errors},
        status=400 if import_errors else 200,
    )
