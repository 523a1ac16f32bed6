"""Admin of the questionnaire: editions, sections, questions, choices and matrix rows.

Ordering is edited inline as plain integers. Changes that would betray answers already given
are refused by the forms with a message (the same rules as the model signals and the import).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from surveys.conditions import ConditionError, compile_condition
from surveys.definition.evolution import clone_edition, next_edition_title
from surveys.models import Choice, Edition, MatrixRow, Question, Section
from surveys.protection import has_answers, option_change_problems, option_deletion_problems


def _question_form_problems(question: Question, data: dict) -> dict[str, str]:
    """Field errors for changing the type or code of an answered question."""
    if question.pk is None or not has_answers(question):
        return {}
    errors = {}
    if "type" in data and data["type"] != question.type:
        errors["type"] = (
            f"La question « {question.code} » a déjà des réponses : son type "
            f"({question.get_type_display()}) ne peut plus changer."
        )
    if "code" in data and data["code"] != question.code:
        errors["code"] = (
            f"La question « {question.code} » a déjà des réponses : son code ne peut plus changer."
        )
    return errors


def _condition_error(expression: str, edition: Edition | None, extra=()) -> str | None:
    """The French message for a malformed condition or one naming an unknown code."""
    if not expression or edition is None or edition.pk is None:
        return None
    known = set(edition.questions.values_list("code", flat=True)) | set(extra)
    try:
        compile_condition(expression, known)
    except ConditionError as exc:
        return f"Condition « {expression} » : {exc}."
    return None


def _edition_of(instance) -> Edition | None:
    if isinstance(instance, Edition):
        return instance
    return getattr(instance, "edition", None)


class LabelledFormSet(forms.BaseInlineFormSet):
    """A tabular inline's inputs sit under column headers, with no label of their own: each one
    gets an accessible name saying its column and its row ("code — section profil")."""

    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        if form.instance.pk is not None:
            row = str(form.instance)
        elif index is None:
            row = "nouvelle ligne"
        else:
            row = f"nouvelle ligne {index + 1}"
        for name, field in form.fields.items():
            if not field.widget.is_hidden:
                column = "Supprimer" if name == "DELETE" else field.label or name
                field.widget.attrs["aria-label"] = f"{column} — {row}"


class ProtectedFormSet(LabelledFormSet):
    """Refuses deleting or recoding rows that answers rely on, with a message above the inline."""

    def clean(self) -> None:
        super().clean()
        problems = []
        for form in self.forms:
            instance = form.instance
            if instance.pk is None or not hasattr(form, "cleaned_data"):
                continue
            # _should_delete_form is Django's (BaseFormSet), missing from django-stubs.
            if self.can_delete and self._should_delete_form(form):  # type: ignore[attr-defined]
                problems += self.deletion_problems(instance)
            else:
                problems += self.change_problems(form, instance)
        if problems:
            raise ValidationError(problems)
        self.check_conditions()

    def check_conditions(self) -> None:
        edition = _edition_of(self.instance)
        new_codes = [
            form.cleaned_data.get("code")
            for form in self.forms
            if self.model is Question and hasattr(form, "cleaned_data")
        ]
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            # _should_delete_form is Django's (BaseFormSet), missing from django-stubs.
            deleted = self._should_delete_form(form)  # type: ignore[attr-defined]
            if not data or "condition" not in data or deleted:
                continue
            message = _condition_error(data["condition"], edition, filter(None, new_codes))
            if message:
                form.add_error("condition", message)

    def deletion_problems(self, instance) -> list[str]:
        # Sections and questions with answers are already refused by Django's own check of
        # protected objects (Answer.question is PROTECT); choices and rows need ours.
        if isinstance(instance, Choice | MatrixRow):
            return option_deletion_problems(instance)
        return []

    def change_problems(self, form, instance) -> list[str]:
        if isinstance(instance, Question):
            return list(_question_form_problems(instance, form.cleaned_data).values())
        if isinstance(instance, Choice | MatrixRow) and "code" in form.changed_data:
            stored = type(instance).objects.get(pk=instance.pk)
            stored.code = form.cleaned_data["code"]
            return option_change_problems(stored)
        return []


class SectionInline(admin.TabularInline):
    model = Section
    formset = ProtectedFormSet
    fields = ("order", "code", "title", "condition")
    extra = 0
    show_change_link = True


class QuestionInline(admin.TabularInline):
    model = Question
    formset = ProtectedFormSet
    fk_name = "section"
    fields = ("order", "code", "type", "text", "required", "condition")
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).filter(roster__isnull=True)


class ItemQuestionInline(admin.TabularInline):
    model = Question
    formset = ProtectedFormSet
    fk_name = "roster"
    fields = ("order", "code", "type", "text", "required", "condition")
    extra = 0
    show_change_link = True
    verbose_name = "question de chaque élément"
    verbose_name_plural = "questions de chaque élément (liste répétable)"


class ChoiceInline(admin.TabularInline):
    model = Choice
    formset = ProtectedFormSet
    fields = ("order", "code", "label", "exclusive", "other", "condition")
    extra = 0


class MatrixRowInline(admin.TabularInline):
    model = MatrixRow
    formset = ProtectedFormSet
    fields = ("order", "code", "label")
    extra = 0


def _preview_link(edition: Edition) -> str:
    url = reverse("backoffice:edition-preview", args=[edition.year])
    return format_html('<a href="{}">Aperçu du questionnaire</a>', url)


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = ("year", "title", "status", "opens_at", "closes_at", "preview")
    list_filter = ("status",)
    fields = (
        "year",
        "title",
        "introduction",
        "status",
        "opens_at",
        "closes_at",
        "preview",
        "choice_lists",
    )
    readonly_fields = ("preview", "choice_lists")
    inlines = [SectionInline]
    actions = ["prepare_next_edition"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # The admin splits a date-time in two inputs under one label (for the date): each is
        # named, so that the time input has a name too.
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and isinstance(field.widget, forms.MultiWidget):
            for part, widget in zip(("date", "heure"), field.widget.widgets, strict=False):
                widget.attrs["aria-label"] = f"{field.label} : {part}"
        return field

    @admin.display(description="aperçu")
    def preview(self, edition: Edition) -> str:
        return _preview_link(edition) if edition.pk else "—"

    @admin.action(description="Préparer l'édition suivante")
    def prepare_next_edition(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(
                request,
                "Choisissez une seule édition à reprendre pour préparer la suivante.",
                messages.ERROR,
            )
            return None
        source = queryset.get()
        year = source.year + 1
        try:
            clone = clone_edition(source, year, next_edition_title(source, year))
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return None
        self.message_user(
            request,
            f"Édition {clone.year} préparée en brouillon à partir de {source.year}, "
            "avec les mêmes codes.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:surveys_edition_change", args=[clone.pk]))


class SectionAdminForm(forms.ModelForm):
    class Meta:
        model = Section
        fields = ("edition", "order", "code", "title", "description", "condition")

    def clean(self):
        data = super().clean()
        message = _condition_error(data.get("condition", ""), data.get("edition"))
        if message:
            self.add_error("condition", message)
        return data


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    form = SectionAdminForm
    list_display = ("code", "title", "edition", "order")
    list_filter = ("edition",)
    search_fields = ("code", "title")
    fields = ("edition", "order", "code", "title", "description", "condition")
    inlines = [QuestionInline]

    def save_formset(self, request, form, formset, change):
        # New questions added inline belong to the section's edition.
        for question in formset.save(commit=False):
            question.edition = form.instance.edition
            question.save()
        for question in formset.deleted_objects:
            question.delete()


class QuestionAdminForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = (
            "edition",
            "section",
            "roster",
            "order",
            "code",
            "type",
            "text",
            "help_text",
            "required",
            "condition",
            "min_value",
            "max_value",
            "step",
            "allow_nsp",
            "rank_count",
            "min_items",
            "max_items",
        )
        labels = {"roster": "liste répétable (pour une question posée à chaque élément)"}

    def clean(self):
        data = super().clean()
        for field, message in _question_form_problems(self.instance, data).items():
            self.add_error(field, message)
        section, edition = data.get("section"), data.get("edition")
        if section and edition and section.edition_id != edition.pk:
            self.add_error("section", "Cette section appartient à une autre édition.")
        message = _condition_error(data.get("condition", ""), edition, [data.get("code")])
        if message:
            self.add_error("condition", message)
        roster = data.get("roster")
        if roster and (roster.type != Question.Type.ROSTER or roster.edition_id != edition.pk):
            self.add_error("roster", "Choisissez une liste répétable de la même édition.")
        return data


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    form = QuestionAdminForm
    list_display = ("code", "type", "edition", "section", "order", "required")
    list_filter = ("edition", "type", "required")
    search_fields = ("code", "text")
    list_select_related = ("edition", "section")
    fieldsets = (
        (None, {"fields": ("edition", "section", "roster", "order", "code", "type")}),
        ("Intitulé", {"fields": ("text", "help_text", "required", "condition")}),
        (
            "Nombres, classements et listes répétables",
            {
                "fields": (
                    ("min_value", "max_value", "step"),
                    "allow_nsp",
                    "rank_count",
                    ("min_items", "max_items"),
                )
            },
        ),
    )
    inlines = [ChoiceInline, MatrixRowInline, ItemQuestionInline]

    def save_formset(self, request, form, formset, change):
        # Roster item questions share the roster's edition and section.
        for instance in formset.save(commit=False):
            if isinstance(instance, Question):
                instance.edition = form.instance.edition
                instance.section = form.instance.section
            instance.save()
        for instance in formset.deleted_objects:
            instance.delete()
