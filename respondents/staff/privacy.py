"""The staff screens for a contact's personal data (RGPD): list, export, erasure."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from barometre.roles import staff_required
from respondents.models import Contact
from respondents.services import listing, rgpd

CONTACTS_PAGE_SIZE = 50
CONTACT_COLUMNS = {
    "contact": ("last_name", "first_name", "email"),
    "adresse": ("email",),
    "collectivite": ("collectivite__search_name", "last_name"),
}


@staff_required
def contact_list(request):
    """Find a contact (by name, e-mail or collectivité) to export or erase its data."""
    filters = listing.ListFilterForm(
        request.GET,
        search_help="Nom ou adresse de la personne ; nom, code INSEE ou SIREN de la collectivité.",
    )
    contacts = listing.filter_collectivites(
        Contact.objects.select_related("collectivite"),
        filters,
        prefix="collectivite__",
        search_also=listing.person_matches,
    )
    contacts, sort = listing.sort(
        contacts, request.GET.get(listing.SORT_PARAMETER), CONTACT_COLUMNS, "contact"
    )
    page = Paginator(contacts, CONTACTS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "respondents/privacy_contact_list.html",
        {"page": page, "filters": filters, "sort": sort},
    )


@staff_required
def contact_detail(request, pk: int):
    contact = get_object_or_404(Contact.objects.select_related("collectivite"), pk=pk)
    return render(
        request,
        "respondents/privacy_contact_detail.html",
        {
            "contact": contact,
            "data": rgpd.export_contact(contact),
            "erased": rgpd.is_erased(contact),
        },
    )


@staff_required
def contact_export(request, pk: int):
    contact = get_object_or_404(Contact.objects.select_related("collectivite"), pk=pk)
    response = JsonResponse(
        rgpd.export_contact(contact), json_dumps_params={"ensure_ascii": False, "indent": 2}
    )
    response["Content-Disposition"] = f'attachment; filename="contact-{contact.pk}.json"'
    return response


@staff_required
@require_http_methods(["GET", "POST"])
def contact_erase(request, pk: int):
    contact = get_object_or_404(Contact.objects.select_related("collectivite"), pk=pk)
    if request.method == "POST":
        rgpd.erase_contact(contact, request.user)
        messages.success(
            request,
            "Les données personnelles du contact ont été effacées ; ses liens sont révoqués. "
            "Les réponses de la collectivité sont conservées.",
        )
        return redirect("backoffice:contact-privacy", pk=contact.pk)
    return render(request, "respondents/privacy_contact_erase.html", {"contact": contact})
