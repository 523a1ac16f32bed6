"""Staff screens of responses: list, read, validate, flag, reopen, correct, enter from paper."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from barometre.roles import staff_required
from respondents.models import Collectivite
from respondents.services import listing
from respondents.services.search import search_collectivites
from surveys import filling
from surveys.backoffice import conversation, review
from surveys.backoffice.models import ResponseComment, StaffEntry
from surveys.filling import receipt
from surveys.filling.forms import SectionForm
from surveys.models import Edition, Question, Response, Section

RESPONSES_PAGE_SIZE = 50
SEARCH_RESULTS = 30
STATUS_FILTERS = {
    "draft": "Brouillons",
    "submitted": "Envoyées, à valider",
    "validated": "Validées",
    "flagged": "Avec une incohérence signalée",
    "corrected": "Corrigées depuis un signalement, à revoir",
    "staff": "Saisies par l'équipe",
}


def _response(pk: int) -> Response:
    return get_object_or_404(Response.objects.select_related("edition", "collectivite"), pk=pk)


def _errors(error: ValidationError | filling.FillingError) -> str:
    if isinstance(error, filling.FillingError):
        return error.message
    return " ".join(error.messages)


RESPONSE_COLUMNS = {
    "collectivite": ("collectivite__search_name",),
    "type": (listing.type_order("collectivite__"), "collectivite__search_name"),
    "population": ("collectivite__population",),
    "statut": ("status", "collectivite__search_name"),
    "envoi": ("submitted_at",),
    "signalements": ("open_flags",),
}


@staff_required
def response_list(request, year: int):
    edition = get_object_or_404(Edition, year=year)
    responses: QuerySet = edition.responses.select_related("collectivite", "staff_entry").annotate(
        open_flags=Count(
            "staff_comments",
            filter=Q(
                staff_comments__kind=ResponseComment.Kind.FLAG,
                staff_comments__resolved_at__isnull=True,
            ),
        )
    )
    filters = listing.ListFilterForm(request.GET, statuses=STATUS_FILTERS)
    responses = listing.filter_collectivites(responses, filters, prefix="collectivite__")
    status = filters.value("statut")
    if status in Response.Status.values:
        responses = responses.filter(status=status)
    elif status == "flagged":
        responses = responses.filter(open_flags__gt=0)
    elif status == "corrected":
        responses = review.corrected_since_flagged(responses)
    elif status == "staff":
        responses = responses.filter(staff_entry__isnull=False)
    responses, sort = listing.sort(
        responses, request.GET.get(listing.SORT_PARAMETER), RESPONSE_COLUMNS, "collectivite"
    )
    page = Paginator(responses, RESPONSES_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "backoffice/responses.html",
        {"edition": edition, "page": page, "filters": filters, "sort": sort},
    )


@staff_required
def response_detail(request, pk: int):
    response = _response(pk)
    data = filling.review(response)
    threads = conversation.threads_of(response)
    conversation.mark_read(response)
    return render(
        request,
        "backoffice/response.html",
        {
            "response": response,
            "edition": response.edition,
            "collectivite": response.collectivite,
            "sheet": filling.answer_sheet(response, data),
            "has_receipt": receipt.has_receipt(response),
            "sections": data.sections,
            "missing": data.missing,
            "threads": threads,
            "message_max_length": conversation.MESSAGE_MAX_LENGTH,
            "events": response.review_events.select_related("by"),
            "audits": review.audit_trail(response),
            "staff_entry": StaffEntry.objects.filter(response=response).first(),
            "questions": response.edition.questions.filter(roster__isnull=True)
            .select_related("section")
            .order_by("section__order", "order"),
        },
    )


@staff_required
@never_cache
def response_receipt(request, pk: int):
    response = _response(pk)
    if not receipt.has_receipt(response):
        messages.error(request, "Pas d'accusé de réception : la réponse n'est pas encore envoyée.")
        return redirect("backoffice:response", pk=pk)
    download = receipt.download(response)
    if download is None:
        messages.error(request, "L'accusé de réception n'a pas pu être produit (voir le journal).")
        return redirect("backoffice:response", pk=pk)
    return download


@staff_required
@require_POST
def response_validate(request, pk: int):
    response = _response(pk)
    try:
        review.validate(response, request.user)
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, "La réponse est validée.")
    return redirect("backoffice:response", pk=pk)


@staff_required
@require_POST
def response_flag(request, pk: int):
    response = _response(pk)
    try:
        thread = conversation.flag(
            response, request.user, request.POST.get("body", ""), request.POST.get("question", "")
        )
    except ValidationError as error:
        messages.error(request, _errors(error))
        return redirect("backoffice:response", pk=pk)
    messages.success(
        request,
        "L'incohérence est signalée : la collectivité la voit à côté de la question et reçoit "
        "un courriel.",
    )
    return redirect(_thread_url(response, thread.pk))


def _thread_url(response: Response, thread: int) -> str:
    return reverse("backoffice:response", args=[response.pk]) + f"#echange-{thread}"


@staff_required
@require_POST
def response_thread_reply(request, pk: int, comment: int):
    response = _response(pk)
    thread = get_object_or_404(conversation.flags(response), pk=comment)
    try:
        conversation.reply_as_staff(thread, request.user, request.POST.get("body", ""))
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, "Votre réponse est envoyée à la collectivité.")
    return redirect(_thread_url(response, thread.pk))


@staff_required
@require_POST
def response_resolve_flag(request, pk: int, comment: int):
    response = _response(pk)
    conversation.resolve(get_object_or_404(conversation.flags(response), pk=comment), request.user)
    messages.success(request, "Le signalement est levé : la collectivité ne le voit plus.")
    return redirect(_thread_url(response, comment))


@staff_required
@require_POST
def response_reopen(request, pk: int):
    response = _response(pk)
    try:
        review.reopen(response, request.user)
    except filling.FillingError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, "La réponse est rouverte : les agents peuvent la modifier.")
    return redirect("backoffice:response", pk=pk)


@staff_required
@require_POST
def response_submit(request, pk: int):
    response = _response(pk)
    try:
        review.submit_as_staff(response, request.user)
    except ValidationError as error:
        messages.error(request, _errors(error))
    except filling.IncompleteResponse as error:
        missing = "; ".join(m.label for m in error.missing[:10])
        messages.error(request, f"Il manque des réponses obligatoires : {missing}.")
    else:
        messages.success(request, "La réponse est enregistrée comme envoyée.")
    return redirect("backoffice:response", pk=pk)


def _section(response: Response, code: str) -> Section:
    return get_object_or_404(response.edition.sections, code=code)


def _version(request) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1


@staff_required
def response_section(request, pk: int, section: str):
    """Correct or enter a section on the collectivité's behalf, with the agents' form."""
    response = _response(pk)
    section_obj = _section(response, section)
    conflict = ""
    prefill_context: dict = {}
    reason = request.POST.get("motif", "")
    reason_error = ""
    if request.method == "POST":
        form = SectionForm(response, section_obj, request.POST)
        valid = form.is_valid()
        try:
            review.save_as_staff(response, form, _version(request), request.user, reason)
        except filling.StaleVersion as error:
            conflict = error.message
            form = SectionForm(response, section_obj)
        except ValidationError as error:
            reason_error = _errors(error)
        else:
            if valid:
                messages.success(request, f"La section « {section_obj.title} » est enregistrée.")
                return redirect("backoffice:response", pk=pk)
    else:
        prefill = filling.prefill_for(response, section_obj)
        form = SectionForm(
            response, section_obj, prefill=prefill.answers, prefill_year=prefill.year
        )
        left_out = filling.left_out_shown(form, prefill)
        prefill_context = {"prefill_year": prefill.year, "prefill_left_out": left_out}
    form.roster_offers = filling.roster_offers(response, section_obj)
    response.refresh_from_db(fields=["version"])
    errors = form.error_list() if form.is_bound else []
    if reason_error:
        errors = [("motif", f"Motif de la correction : {reason_error}"), *errors]
    invalid = bool(reason_error) or (form.is_bound and bool(form.errors))
    status = 409 if conflict else (400 if invalid else 200)
    return render(
        request,
        "backoffice/response_section.html",
        {
            "response": response,
            "edition": response.edition,
            "section": section_obj,
            "collectivite": response.collectivite,
            "form": form,
            "blocks": form.rendered_blocks(),
            "errors": errors,
            "conflict": conflict,
            "version": response.version,
            "shown": " ".join(entry.name for entry in form.entries if entry.visible),
            "needs_reason": review.needs_reason(response),
            "reason": reason,
            "reason_error": reason_error,
            "reason_max_length": review.REASON_MAX_LENGTH,
            **prefill_context,
        },
        status=status,
    )


def _roster(response: Response, section: Section, code: str) -> Question:
    roster = section.questions.filter(code=code, type=Question.Type.ROSTER).first()
    if roster is None:
        raise Http404("Liste inconnue.")
    return roster


@staff_required
@require_POST
def response_roster_add(request, pk: int, section: str, roster: str):
    response = _response(pk)
    section_obj = _section(response, section)
    try:
        with review.audited(response, request.user):
            filling.add_roster_item(
                response, _roster(response, section_obj, roster), _version(request), by_staff=True
            )
    except filling.FillingError as error:
        messages.error(request, error.message)
    return redirect("backoffice:response-section", pk=pk, section=section)


@staff_required
@require_POST
def response_roster_copy(request, pk: int, section: str, roster: str):
    """Take over last edition's sheets of an empty roster, as the agents may."""
    response = _response(pk)
    section_obj = _section(response, section)
    try:
        with review.audited(response, request.user):
            count = filling.copy_previous_roster(
                response, _roster(response, section_obj, roster), _version(request), by_staff=True
            )
    except filling.FillingError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"{count} fiche{pluralize(count)} reprise{pluralize(count)} de l'édition précédente : "
            "vérifiez-les et mettez-les à jour.",
        )
    return redirect("backoffice:response-section", pk=pk, section=section)


@staff_required
@require_POST
def response_roster_remove(request, pk: int, section: str, roster: str, item: int):
    response = _response(pk)
    section_obj = _section(response, section)
    try:
        with review.audited(response, request.user):
            filling.remove_roster_item(
                response,
                _roster(response, section_obj, roster),
                item,
                _version(request),
                by_staff=True,
            )
    except filling.FillingError as error:
        messages.error(request, error.message)
    return redirect("backoffice:response-section", pk=pk, section=section)


@staff_required
def entry_search(request, year: int):
    """Find a collectivité of the referential to enter its response from paper or phone."""
    edition = get_object_or_404(Edition, year=year)
    query = request.GET.get("q", "").strip()[:100]
    results = []
    if query:
        results = search_collectivites(query, limit=SEARCH_RESULTS)
        existing = dict(
            edition.responses.filter(collectivite__in=results).values_list("collectivite", "pk")
        )
        for collectivite in results:
            collectivite.response_pk = existing.get(collectivite.pk)
    return render(
        request,
        "backoffice/entry_search.html",
        {
            "edition": edition,
            "query": query,
            "results": results,
            "channels": StaffEntry.Channel.choices,
        },
    )


@staff_required
@require_POST
def entry_start(request, year: int, collectivite: int):
    edition = get_object_or_404(Edition, year=year)
    target = get_object_or_404(Collectivite, pk=collectivite, is_active=True)
    try:
        response = review.start_staff_entry(
            edition, target, request.user, request.POST.get("channel", "")
        )
    except ValidationError as error:
        messages.error(request, _errors(error))
        return redirect("backoffice:entry-search", year=year)
    return redirect("backoffice:response", pk=response.pk)
