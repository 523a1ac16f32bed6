"""What every back-office list shares: a search box, the same filters, sortable columns.

A list builds a `ListFilterForm` from the query string, applies it with `filter_collectivites`
(through `prefix` when the rows reach their collectivité by a relation) and orders the rows with
`sort`; the templates `includes/list_filters.html`, `includes/sort_header.html` and
`includes/pagination.html` render them, keeping the other parameters in every link.

The search matches the name (accent-, case- and punctuation-insensitive, anywhere in the name),
the INSEE code and the SIREN, with the same lookups on SQLite and PostgreSQL: `search_name`
holds the normalised name, so a plain `contains` on it needs no database-specific collation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from django import forms
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When

from respondents.classification import (
    TRANCHES_POPULATION,
    TYPES_COLLECTIVITE,
    tranche_filter,
    type_filter,
)
from respondents.models import PostalCode, normalise_name
from respondents.regions import REGIONS_BY_NAME

SORT_PARAMETER = "tri"
POSTCODE = re.compile(r"\d{5}")
MAX_QUERY_LENGTH = 100


class ListFilterForm(forms.Form):
    """The filters of a back-office list; every field is optional, a wrong value is reported."""

    q = forms.CharField(
        label="Rechercher",
        required=False,
        max_length=MAX_QUERY_LENGTH,
        help_text="Nom, code INSEE, SIREN ou code postal ; accents et majuscules indifférents.",
    )
    type = forms.ChoiceField(
        label="Type de collectivité",
        required=False,
        choices=[("", "Tous les types"), *TYPES_COLLECTIVITE.items()],
    )
    tranche = forms.ChoiceField(
        label="Population",
        required=False,
        choices=[("", "Toutes les tailles")]
        + [(code, label) for code, label, _low, _high in TRANCHES_POPULATION],
    )
    region = forms.ChoiceField(
        label="Région",
        required=False,
        choices=[("", "Toutes les régions"), *REGIONS_BY_NAME],
    )
    statut = forms.ChoiceField(label="Statut", required=False)

    def __init__(
        self,
        data: Mapping[str, str] | None = None,
        *,
        statuses: Mapping[str, str] | None = None,
        status_label: str = "Statut",
        all_statuses: str = "Tous les statuts",
        collectivite_fields: bool = True,
        search: bool = True,
        search_help: str | None = None,
    ) -> None:
        super().__init__(data or {}, auto_id="filtre-%s")
        status = self.fields["statut"]
        assert isinstance(status, forms.ChoiceField)
        if statuses is None:
            del self.fields["statut"]
        else:
            status.label = status_label
            status.choices = [("", all_statuses), *statuses.items()]
        if not collectivite_fields:
            for name in ("type", "tranche", "region"):
                del self.fields[name]
        if not search:
            del self.fields["q"]
        elif search_help is not None:
            self.fields["q"].help_text = search_help
        if "q" in self.fields:
            self.fields["q"].widget.input_type = "search"
        for field in self.fields.values():
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs["class"] = css

    def value(self, name: str) -> str:
        """A filter's valid value, or "" (a wrong value filters nothing and is reported)."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return str(self.cleaned_data.get(name) or "").strip()

    @property
    def is_filtered(self) -> bool:
        return any(self.value(name) for name in self.fields)


def search_collectivite(text: str, prefix: str = "") -> Q:
    """Collectivités whose name contains `text`, or whose INSEE code, SIREN or postcode is it."""
    compact = re.sub(r"\s", "", text).upper()
    matches = Q(**{f"{prefix}code": compact}) | Q(**{f"{prefix}siren": compact})
    if POSTCODE.fullmatch(compact):
        owners = PostalCode.objects.filter(code=compact).values("collectivite_id")
        matches |= Q(**{f"{prefix}pk__in": owners})
    name = normalise_name(text)
    if name:
        matches |= Q(**{f"{prefix}search_name__contains": name})
    return matches


def person_matches(text: str) -> Q:
    """A person (contact, requester) by e-mail address or name, for `search_also`."""
    return Q(email__icontains=text) | Q(last_name__icontains=text) | Q(first_name__icontains=text)


def filter_collectivites(
    queryset: QuerySet,
    form: ListFilterForm,
    prefix: str = "",
    search_also: Callable[[str], Q] | None = None,
) -> QuerySet:
    """The rows whose collectivité (reached through `prefix`) matches the form's filters.

    `search_also` gives, for the searched text, what else a row may match (a contact's name).
    """
    if "q" in form.fields and (text := form.value("q")):
        matches = search_collectivite(text, prefix)
        if search_also is not None:
            matches |= search_also(text)
        queryset = queryset.filter(matches)
    if "type" in form.fields and (code := form.value("type")):
        queryset = queryset.filter(type_filter(code, prefix))
    if "tranche" in form.fields and (code := form.value("tranche")):
        queryset = queryset.filter(tranche_filter(code, prefix))
    if "region" in form.fields and (code := form.value("region")):
        queryset = queryset.filter(**{f"{prefix}region_code": code})
    return queryset


def type_order(prefix: str = "") -> Case:
    """The rank of a collectivité's type in the survey's order (Commune … Région), to sort on."""
    return Case(
        *(
            When(type_filter(code, prefix), then=Value(rank))
            for rank, code in enumerate(TYPES_COLLECTIVITE)
        ),
        default=Value(len(TYPES_COLLECTIVITE)),
        output_field=IntegerField(),
    )


def sort(
    queryset: QuerySet,
    requested: str | None,
    columns: Mapping[str, Sequence[str | Case]],
    default: str,
) -> tuple[QuerySet, str]:
    """Order by the column `requested` ("nom", or "-nom" for descending), else by `default`.

    `columns` maps each sortable column's key to the fields (or expressions) it orders by;
    empty values come last in both directions. Returns the rows and the sort applied, for the
    column headers.
    """
    key = requested if requested and requested.lstrip("-") in columns else default
    descending = key.startswith("-")
    ordering = []
    for field in columns[key.lstrip("-")]:
        expression = F(field) if isinstance(field, str) else field
        ordering.append(
            expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
        )
    return queryset.order_by(*ordering, "pk"), key
