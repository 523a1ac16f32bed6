"""The staff screens for a contact's personal data (RGPD): list, export, erasure."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from barometre.roles import staff_required
from respondents.models import Contact, normalise_name
from respondents.services import rgpd

CONTACTS_PAGE_SIZE = 50


@staff_required
def contact_list(request):
    """Find a contact (by name, e-mail or collectivité) to export or erase its data."""
    query = request.GET.get("q", "").strip()[:100]
    contacts = Contact.objects.select_related("collectivite").order_by("last_name", "pk")
    if query:
        normalised = normalise_name(query)
        contacts = contacts.filter(
            Q(email__icontains=query)
            | Q(last_name__icontains=query)
            | Q(first_name__icontains=query)
            | Q(collectivite__search_name__contains=normalised)
        )
    page = Paginator(contacts, CONTACTS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "respondents/privacy_contact_list.html", {"page": page, "query": query})


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
