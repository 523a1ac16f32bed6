"""The respondent's pages: overview, one page per section, review, submission, copies.

Every URL is under `/repondre/<year>/` and guarded by `respondent_required` (the collectivité
comes from the session opened by the magic link, never from the URL; without that session, the
page "Votre session est terminée", 403; anything else in a URL is looked up within the
respondent's own response, 404 otherwise).

URLs (names in parentheses):
- `/repondre/<year>/` (respondent-home): introduction, sections with their state
  (`data-state` = not_started / in_progress / complete) and a `<progress>` bar.
- `/repondre/<year>/section/<section>/` (filling-section): the form `#filling-form`
  (`data-autosave-url`), hidden `version` and `shown` (names of the questions the agent saw:
  the script updates it on submit; without JavaScript, a save that reveals new questions stays
  on the page with a notice), fields named as `surveys/forms.py` says, buttons
  `name="action"` value `continue` ("Enregistrer et continuer") or `later` ("Enregistrer et
  continuer plus tard"). Each question is a `<div class="question" id="question-<name>"
  data-name data-code data-type data-item data-condition>`; hidden questions carry `hidden`.
  While last edition's answers are offered, the form `#rien-na-change` POSTs `version` and
  `action=unchanged` alone: the page is saved as prefilled (« Rien n'a changé depuis l'an
  dernier », see `surveys.filling.prefill`), then the next page.
- `/repondre/<year>/section/<section>/autosave/` (filling-autosave): POST the same form data
  (fetch, CSRF token in the form data or `X-CSRFToken`). 200 `{"ok": true, "version": 7,
  "saved_at": "14 h 32", "message": "Enregistré à 14 h 32", "errors": {field name: message}}`;
  errors are JSON too, `{"ok": false, "error": …, "message": …}` (the same French text): 409
  with `"conflict": true, "version": 8` when the version is stale; 403 when the wave is closed,
  the response already sent or the session ended (`"session_ended": true`); 400 without a
  readable `version`; 404 for an unknown section; 405 for anything but POST.
- `/repondre/<year>/section/<section>/<roster>/ajouter/`, `…/<roster>/<item>/supprimer/` and
  `…/<roster>/reprendre/` (filling-roster-add, filling-roster-remove, filling-roster-copy):
  POSTed by the section form's buttons (`formaction`); they save the page, then add or remove
  an item (numbering stays 1…n), or take over last edition's sheets into an empty roster.
- `/repondre/<year>/relecture/` (filling-review): answers per section, missing required answers
  (links), warnings to confirm (checkboxes `confirm` = warning code), submit button.
- `/repondre/<year>/echanges/<thread>/` (thread): an open flag of the staff (a point to check)
  with its replies and a reply form (`body`; `retour` = `answers` or `section:<code>`, where
  to go back after the reply). The flags also show next to their question on the section page
  (`#echange-<thread>`, reply forms `#echange-form-<thread>` outside the section's form) and on
  the answers page once the response is sent: a reply is not an answer change. The
  back-office provides the flags and keeps the replies (`surveys.hooks`).
- `/repondre/<year>/confirmation/` (filling-confirmation), `/repondre/<year>/mes-reponses/`
  (filling-answers, read-only) and `/repondre/<year>/impression/` (filling-print, print-styled).
- `/repondre/<year>/accuse-de-reception.pdf` (answering:receipt): the receipt's PDF of a sent
  response; for a draft, back to "Mes réponses" with a notice.

Staff reopen a sent response from the back-office (surveys.backoffice.views.responses).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from barometre.errors import json_error
from respondents.access import RespondentRequest, respondent_json_required, respondent_required
from surveys import filling, hooks
from surveys.filling import receipt
from surveys.filling.forms import Entry, SectionForm
from surveys.models import Answer, Question, Response, Section
from surveys.validation import CleanAnswer
from surveys.visibility import stored_answers, values_of_answers

SAVED_LATER = (
    "Vos réponses sont enregistrées. Vous pouvez fermer cette page : le lien reçu par courriel "
    "vous ramènera ici pour continuer."
)

NO_RECEIPT_YET = "L'accusé de réception sera disponible une fois la réponse envoyée."
RECEIPT_FAILED = (
    "L'accusé de réception n'a pas pu être produit pour le moment : réessayez plus tard, ou "
    "utilisez la version imprimable de vos réponses."
)


def _response(request: RespondentRequest) -> Response:
    access = request.respondent
    return filling.response_for(access.edition, access.collectivite)


def _page_state(response: Response) -> tuple[list[Answer], list[Section]]:
    """The stored answers and the visible sections, read once for a page."""
    stored = stored_answers(response)
    return stored, filling.visible_sections(response, values_of_answers(response, stored))


def _section(response: Response, code: str, sections: list[Section] | None = None) -> Section:
    """A section of the edition shown to this collectivité, else 404 (among `sections`, the
    visible sections when the page already computed them)."""
    if sections is None:
        sections = filling.visible_sections(response)
    for section in sections:
        if section.code == code:
            return section
    raise Http404("Section inconnue ou sans objet pour votre collectivité.")


def _version(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1


# The query parameter naming the section page the agent comes from (links and redirects out of
# a section page carry it), so that the next page can remind what it still lacks.
LEFT = "depuis"


def _base_context(
    request: RespondentRequest,
    response: Response,
    here: str = "",
    reviewed: filling.Review | None = None,
) -> dict:
    """`reviewed`: the response's review, when the page computed it."""
    left = request.GET.get(LEFT, "") if request.method == "GET" else ""
    return {
        "edition": response.edition,
        "response": response,
        "collectivite": response.collectivite,
        "wave_problem": filling.wave_problem(response.edition),
        "respondent": request.respondent,
        "left_incomplete": (
            filling.left_incomplete(response, left, reviewed)
            if left and left != here and response.status in filling.EDITABLE
            else None
        ),
    }


def _leaving(url: str, section: Section) -> str:
    return f"{url}?{urlencode({LEFT: section.code})}"


@respondent_required
def overview(request: RespondentRequest, year: int) -> HttpResponse:
    response = _response(request)
    data = filling.review(response)
    total = len(data.sections)
    first_open = next((s for s in data.sections if s.state != "complete"), None)
    context = {
        **_base_context(request, response, reviewed=data),
        "review": data,
        "total": total,
        "complete": data.complete_count,
        "next_section": first_open.section if first_open else None,
        "started": any(s.state != "not_started" for s in data.sections),
    }
    return render(request, "surveys/fill_overview.html", context)


def _section_context(
    request: RespondentRequest,
    response: Response,
    section: Section,
    form: SectionForm,
    sections: list[Section] | None = None,
    **extra: Any,
) -> dict:
    """The section page's context; `sections`: the visible sections, when the page computed
    them on the answers as they still are (not after a save)."""
    form.roster_offers = filling.roster_offers(response, section)
    if sections is None:
        sections = filling.visible_sections(response)
    position = next(i for i, s in enumerate(sections) if s.pk == section.pk)
    outside = {
        code: value
        for code, value in form.values.items()
        if code not in {q.code for q in form.top_questions}
    }
    threads = _threads_of(response, {q.code for q in form.top_questions})
    blocks = form.rendered_blocks()
    for block in blocks:
        code = block["roster"].code if "roster" in block else block["widget"]["question"].code
        block["threads"] = [thread for thread in threads if thread.question_code == code]
    return {
        **_base_context(request, response, here=section.code),
        "section": section,
        "form": form,
        "blocks": blocks,
        "errors": form.error_list() if form.is_bound else [],
        "position": position + 1,
        "total": len(sections),
        "previous_section": sections[position - 1] if position else None,
        "version": response.version,
        "shown": " ".join(entry.name for entry in form.entries if entry.visible),
        "outside_values": {k: _jsonable(v) for k, v in outside.items()},
        "threads": threads,
        "retour": f"section:{section.code}",
        **extra,
    }


def _threads_of(response: Response, codes: set[str] | None = None) -> list:
    """The staff's open flags on the response (all, or those of the questions `codes`)."""
    threads = hooks.agent_notices.collect(response)
    if codes is None:
        return threads
    return [thread for thread in threads if getattr(thread, "question_code", "") in codes]


def _jsonable(value: object) -> object:
    """Decimals (budget_par_habitant) as strings, which the page's script reads as numbers."""
    if value is None or isinstance(value, str | int | list | dict):
        return value
    return str(value)


def _unsaved_form(response: Response, section: Section, posted: SectionForm) -> SectionForm:
    """After a conflict: the newer stored answers, with what this agent typed recalled."""
    fresh = SectionForm(response, section)
    for entry in fresh.entries:
        mine = posted.by_name.get(entry.name)
        if mine is None:
            continue
        typed = _describe_posted(posted, mine)
        stored = fresh.stored.get((entry.question.pk, entry.item))
        kept = filling.display_answer(entry.question, stored)
        if typed and typed != kept:
            entry.unsaved = " ; ".join(typed)
    return fresh


def _describe_posted(form: SectionForm, entry: Entry) -> list[str]:
    """What the agent typed in a field, displayed like a stored answer when it is valid."""
    field = form.fields[entry.name]
    data = form[entry.name].data
    try:
        cleaned = field.clean(data)
    except ValidationError:  # invalid input: recalled as typed
        raw = data.get("value")
        if isinstance(raw, dict):
            return [f"{k} : {v}" for k, v in raw.items() if v]
        return [str(raw)] if raw else []
    if cleaned is None:
        return []
    return filling.display_answer(entry.question, _as_answer(cleaned))


def _as_answer(cleaned: CleanAnswer) -> Answer:
    return Answer(value=cleaned.value, number=cleaned.number, other_text=cleaned.other_text)


def _next_url(response: Response, section: Section) -> str:
    sections = filling.visible_sections(response)
    codes = [s.code for s in sections]
    if section.code in codes:
        index = codes.index(section.code)
        if index + 1 < len(sections):
            url = reverse(
                "answering:section", args=[response.edition.year, sections[index + 1].code]
            )
            return _leaving(url, section)
    return _leaving(reverse("answering:review", args=[response.edition.year]), section)


@respondent_required
def section_page(request: RespondentRequest, year: int, section: str) -> HttpResponse:
    response = _response(request)
    if response.status in Response.COUNTED_STATUSES:
        messages.info(request, "Votre réponse a été envoyée : voici vos réponses.")
        return redirect("answering:answers", year=year)
    stored, sections = _page_state(response)
    section_obj = _section(response, section, sections)
    if request.method != "POST":
        filling.record_view(response, section_obj)
        prefill = filling.prefill_for(response, section_obj)
        form = SectionForm(
            response,
            section_obj,
            prefill=prefill.answers,
            prefill_year=prefill.year,
            stored=stored,
        )
        extra = _prefill_context(form, prefill)
        context = _section_context(request, response, section_obj, form, sections, **extra)
        return render(request, "surveys/fill_section.html", context)
    if request.POST.get("action") == UNCHANGED:
        return _confirm_unchanged(request, response, section_obj)
    form = SectionForm(response, section_obj, request.POST, stored=stored)
    outcome = _save(request, response, section_obj, form)
    if isinstance(outcome, HttpResponse):
        return outcome
    if form.errors:
        saved_at = filling.clock(timezone.now())
        context = _section_context(request, response, section_obj, form, saved_at=saved_at)
        return render(request, "surveys/fill_section.html", context)
    if request.POST.get("action") == "later":
        messages.success(request, SAVED_LATER)
        return redirect(_leaving(reverse("answering:home", args=[year]), section_obj))
    shown = set(request.POST.get("shown", "").split())
    revealed = [e for e in form.entries if e.visible and e.name not in shown]
    if "shown" in request.POST and revealed:
        # Without JavaScript, an answer may reveal questions the agent has not seen yet.
        fresh = SectionForm(response, section_obj)
        notice = "Vos réponses font apparaître de nouvelles questions sur cette page."
        context = _section_context(request, response, section_obj, fresh, notice=notice)
        return render(request, "surveys/fill_section.html", context)
    return redirect(_next_url(response, section_obj))


UNCHANGED = "unchanged"
NOTHING_TO_CONFIRM = (
    "Il n'y a plus de réponses de l'an dernier à confirmer sur cette page : vérifiez-la puis "
    "enregistrez-la."
)


def _prefill_context(form: SectionForm, prefill: filling.Prefill) -> dict:
    """Last edition's answers left out, and the one-action confirmation when it is offered."""
    return {
        "prefill_year": prefill.year,
        "prefill_left_out": filling.left_out_shown(form, prefill),
        "unchanged": filling.unchanged_offer(form, prefill),
    }


def _confirm_unchanged(
    request: RespondentRequest, response: Response, section: Section
) -> HttpResponse:
    """« Rien n'a changé depuis l'an dernier »: the page saved as prefilled, in one POST,
    through the normal save (validation, hooks, paradata, version check), then the next page."""
    prefill = filling.prefill_for(response, section)
    page = SectionForm(response, section, prefill=prefill.answers, prefill_year=prefill.year)
    offer = filling.unchanged_offer(page, prefill)
    if not offer.offered:
        messages.error(request, offer.reason or NOTHING_TO_CONFIRM)
        return redirect("answering:section", year=response.edition.year, section=section.code)
    form = SectionForm(response, section, filling.unchanged_data(page))
    outcome = _save(request, response, section, form)
    if isinstance(outcome, HttpResponse):
        return outcome
    if form.errors:
        saved_at = filling.clock(timezone.now())
        context = _section_context(request, response, section, form, saved_at=saved_at)
        return render(request, "surveys/fill_section.html", context)
    messages.success(
        request,
        f"« {section.title} » : les réponses reprises de {prefill.year} sont enregistrées telles "
        "quelles.",
    )
    return redirect(_next_url(response, section))


def _save(
    request: RespondentRequest, response: Response, section: Section, form: SectionForm
) -> HttpResponse | None:
    """Save the page; on refusal, the page re-rendered with the reason."""
    try:
        filling.save_section(response, form, _version(request))
    except filling.StaleVersion as refused:
        response.refresh_from_db()
        fresh = _unsaved_form(response, section, form)
        context = _section_context(request, response, section, fresh, conflict=refused.message)
        return render(request, "surveys/fill_section.html", context, status=409)
    except filling.FillingError as refused:
        context = _section_context(request, response, section, form, refused=refused.message)
        return render(request, "surveys/fill_section.html", context, status=403)
    filling.record_save(response, section)
    return None


UNREADABLE_SAVE = (
    "Cet enregistrement automatique est illisible (page incomplète ou trop ancienne) : rien n'a "
    "été enregistré. Rechargez la page ; ce que vous avez saisi reste à l'écran en attendant."
)
UNKNOWN_SECTION = "Cette page du questionnaire n'existe pas, ou plus, pour votre collectivité."


@respondent_json_required
def autosave(request: RespondentRequest, year: int, section: str) -> JsonResponse:
    """JSON in every case, errors included (`{"ok": false, "error": …, "message": …}`)."""
    if request.method != "POST":
        refused = json_error("Cette adresse n'accepte que des enregistrements (POST).", 405)
        refused["Allow"] = "POST"
        return refused
    response = _response(request)
    stored, sections = _page_state(response)
    try:
        section_obj = _section(response, section, sections)
    except Http404:
        return json_error(UNKNOWN_SECTION, 404)
    if _version(request) < 0:
        return json_error(UNREADABLE_SAVE, 400)
    form = SectionForm(response, section_obj, request.POST, stored=stored)
    try:
        filling.save_section(response, form, _version(request))
    except filling.StaleVersion as refused:
        message = (
            "Une autre personne de votre collectivité a enregistré des réponses entre-temps : "
            "l'enregistrement automatique est suspendu pour ne rien écraser."
        )
        return json_error(message, 409, conflict=True, version=refused.current)
    except filling.FillingError as refused:
        return json_error(refused.message, 403)
    filling.record_save(response, section_obj)
    saved_at = filling.clock(timezone.now())
    errors = {}
    for entry in form.entries:
        if entry.name in form.errors:
            errors[entry.name] = form.errors[entry.name][0]
    message = f"Enregistré à {saved_at}"
    if errors:
        message += " (sauf les champs à corriger)"
    return JsonResponse(
        {
            "ok": True,
            "version": response.version,
            "saved_at": saved_at,
            "message": message,
            "errors": errors,
        }
    )


def _roster(section: Section, code: str) -> Question:
    roster = section.questions.filter(code=code, type=Question.Type.ROSTER).first()
    if roster is None:
        raise Http404("Liste inconnue.")
    return roster


def _save_page_first(
    request: RespondentRequest, response: Response, section: Section
) -> tuple[SectionForm, HttpResponse | None]:
    """A roster button submits its page: the page's answers are saved first. Returns the bound
    form, and the page to show instead when the save was refused."""
    form = SectionForm(response, section, request.POST)
    return form, _save(request, response, section, form)


@require_POST
@respondent_required
def roster_add(request: RespondentRequest, year: int, section: str, roster: str) -> HttpResponse:
    response = _response(request)
    section_obj = _section(response, section)
    roster_obj = _roster(section_obj, roster)
    form, refusal = _save_page_first(request, response, section_obj)
    if refusal:
        return refusal
    try:
        item = filling.add_roster_item(response, roster_obj, response.version)
    except filling.FillingError as refused:
        messages.error(request, refused.message)
        return redirect("answering:section", year=year, section=section)
    if form.errors:
        messages.warning(request, "Fiche ajoutée ; certains champs restent à corriger.")
    url = reverse("answering:section", args=[year, section])
    return redirect(f"{url}#fiche-{roster_obj.code}-{item}")


@require_POST
@respondent_required
def roster_copy(request: RespondentRequest, year: int, section: str, roster: str) -> HttpResponse:
    response = _response(request)
    section_obj = _section(response, section)
    roster_obj = _roster(section_obj, roster)
    _form, refusal = _save_page_first(request, response, section_obj)
    if refusal:
        return refusal
    try:
        count = filling.copy_previous_roster(response, roster_obj, response.version)
    except filling.FillingError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request,
            f"{count} fiche{pluralize(count)} reprise{pluralize(count)} de l'édition précédente : "
            "vérifiez-les et mettez-les à jour.",
        )
    url = reverse("answering:section", args=[year, section])
    return redirect(f"{url}#liste-{roster_obj.code}")


@require_POST
@respondent_required
def roster_remove(
    request: RespondentRequest, year: int, section: str, roster: str, item: int
) -> HttpResponse:
    response = _response(request)
    section_obj = _section(response, section)
    roster_obj = _roster(section_obj, roster)
    if not filling.roster_item_exists(response, roster_obj, item):
        raise Http404("Cette fiche n'existe pas.")
    _form, refusal = _save_page_first(request, response, section_obj)
    if refusal:
        return refusal
    try:
        filling.remove_roster_item(response, roster_obj, item, response.version)
    except filling.FillingError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, f"La fiche {item} a été supprimée.")
    url = reverse("answering:section", args=[year, section])
    return redirect(f"{url}#liste-{roster_obj.code}")


@respondent_required
def review_page(request: RespondentRequest, year: int) -> HttpResponse:
    response = _response(request)
    if response.status in Response.COUNTED_STATUSES:
        return redirect("answering:answers", year=year)
    data = filling.review(response)
    if request.method == "POST":
        confirmed = set(request.POST.getlist("confirm"))
        filling.remember_confirmations(response, confirmed, data.warnings)
    else:
        confirmed = filling.already_confirmed(response, data.warnings)
    context = {
        **_base_context(request, response, reviewed=data),
        "review": data,
        "sheet": filling.answer_sheet(response, data),
        "version": response.version,
        "confirmed": confirmed,
        "errors": [],
    }
    if request.method == "POST":
        try:
            filling.submit_response(
                response,
                _version(request),
                request.POST.getlist("confirm"),
                contact=request.respondent.contact,
                invitation=request.respondent.invitation,
                reviewed=data,
            )
        except filling.IncompleteResponse as refused:
            context["errors"] = _review_errors(refused)
            return render(request, "surveys/fill_review.html", context, status=400)
        except filling.FillingError as refused:
            context["refused"] = refused.message
            return render(request, "surveys/fill_review.html", context, status=409)
        return redirect("answering:confirmation", year=year)
    return render(request, "surveys/fill_review.html", context)


def _review_errors(refused: filling.IncompleteResponse) -> list[tuple[str, str]]:
    errors = [
        (f"manque-{i}", f"Réponse obligatoire manquante : {m.label} ({m.section.title})")
        for i, m in enumerate(refused.missing)
    ]
    errors += [(f"confirm-{w.code}", f"À confirmer : {w.message}") for w in refused.unconfirmed]
    return errors


@respondent_required
def confirmation(request: RespondentRequest, year: int) -> HttpResponse:
    response = _response(request)
    if response.status not in Response.COUNTED_STATUSES:
        return redirect("answering:home", year=year)
    context = {**_base_context(request, response), **_receipt_context(response)}
    return render(request, "surveys/fill_confirmation.html", context)


def _receipt_context(response: Response) -> dict:
    if not receipt.has_receipt(response):
        return {"receipt_number": None, "submitted_on": None}
    return {
        "receipt_number": receipt.receipt_number(response),
        "submitted_on": receipt.french_moment(response.submitted_at or timezone.now()),
    }


def _sheet_context(request: RespondentRequest, response: Response) -> dict:
    return {
        **_base_context(request, response),
        **_receipt_context(response),
        "sheet": filling.answer_sheet(response),
        "printed_at": timezone.now(),
    }


@respondent_required
def answers_page(request: RespondentRequest, year: int) -> HttpResponse:
    response = _response(request)
    context = {**_sheet_context(request, response), "threads": _threads_of(response)}
    return render(request, "surveys/fill_answers.html", context)


def _back_after_reply(response: Response, retour: str, thread: int) -> str:
    """The page the agent replied from (answers, or one of their visible sections)."""
    year = response.edition.year
    if retour == "answers":
        url = reverse("answering:answers", args=[year])
    elif retour.startswith("section:") and retour.removeprefix("section:") in {
        s.code for s in filling.visible_sections(response)
    }:
        url = reverse("answering:section", args=[year, retour.removeprefix("section:")])
    else:
        url = reverse("answering:thread", args=[year, thread])
    return f"{url}#echange-{thread}"


@respondent_required
def thread_page(request: RespondentRequest, year: int, thread: int) -> HttpResponse:
    """An open flag of the staff on this collectivité's response, and the agent's reply."""
    response = _response(request)
    found = next((t for t in _threads_of(response) if t.pk == thread), None)
    if found is None:
        raise Http404("Ce point à vérifier n'existe pas ou l'équipe l'a levé.")
    context = {
        **_base_context(request, response),
        "thread": found,
        "retour": request.POST.get("retour", request.GET.get("retour", ""))[:80],
        "errors": [],
    }
    question = getattr(found, "question", None)
    if question is not None:
        if response.status == Response.Status.DRAFT:
            url = reverse("answering:section", args=[year, question.section.code])
        else:
            url = reverse("answering:answers", args=[year])
        context["question_url"] = f"{url}#echange-{thread}"
    if request.method != "POST":
        return render(request, "surveys/fill_thread.html", context)
    body = request.POST.get("body", "")
    try:
        answered = hooks.agent_reply.send(
            response, thread=thread, body=body, contact=request.respondent.contact
        )
    except ValidationError as error:
        message = " ".join(error.messages)
        context.update(
            errors=[(f"reponse-{thread}", f"Votre réponse à l'équipe : {message}")],
            reply_error=message,
            reply_thread=thread,
            reply_body=body[:5000],
        )
        return render(request, "surveys/fill_thread.html", context, status=400)
    if answered is None:
        raise Http404("Ce point à vérifier n'existe pas ou l'équipe l'a levé.")
    messages.success(request, "Votre réponse est envoyée à l'équipe du baromètre. Merci !")
    return redirect(_back_after_reply(response, context["retour"], thread))


@respondent_required
def receipt_pdf(request: RespondentRequest, year: int) -> HttpResponse:
    response = _response(request)
    if not receipt.has_receipt(response):
        messages.info(request, NO_RECEIPT_YET)
        return redirect("answering:answers", year=year)
    download = receipt.download(response)
    if download is None:
        messages.warning(request, RECEIPT_FAILED)
        return redirect("answering:answers", year=year)
    return download


@respondent_required
def print_page(request: RespondentRequest, year: int) -> HttpResponse:
    response = _response(request)
    return render(request, "surveys/fill_print.html", _sheet_context(request, response))
