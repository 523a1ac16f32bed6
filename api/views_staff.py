"""Back-office pages of the API: personal tokens (staff and analysts) and webhooks (staff)."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from api.forms import TokenForm, WebhookForm
from api.models import ApiToken, Webhook
from api.sources import is_staff_member, results_reader_required, staff_required
from api.webhooks import send_test

RECENT_DELIVERIES = 50


def _tokens_of(user):
    tokens = ApiToken.objects.select_related("user")
    return tokens if is_staff_member(user) else tokens.filter(user=user)


@results_reader_required
def token_list(request):
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _token, new_key = ApiToken.issue(request.user, form.cleaned_data["name"])
        form = TokenForm()
    return render(
        request,
        "api/tokens.html",
        {"form": form, "new_key": new_key, "tokens": _tokens_of(request.user)},
    )


@results_reader_required
@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(_tokens_of(request.user), pk=pk)
    token.revoke()
    messages.success(request, f"Le jeton « {token.name} » est révoqué.")
    return redirect("api:tokens")


@staff_required
def webhook_list(request):
    form = WebhookForm(request.POST or None)
    new_secret = None
    if request.method == "POST" and form.is_valid():
        webhook = form.save(commit=False)
        webhook.secret = new_secret = Webhook.new_secret()
        webhook.created_by = request.user
        webhook.save()
        form = WebhookForm()
    return render(
        request,
        "api/webhooks.html",
        {"form": form, "new_secret": new_secret, "webhooks": Webhook.objects.all()},
    )


@staff_required
def webhook_detail(request, pk: int):
    webhook = get_object_or_404(Webhook, pk=pk)
    if request.method == "POST":
        webhook.is_active = request.POST.get("is_active") == "1"
        webhook.save(update_fields=["is_active"])
        messages.success(request, "Webhook activé." if webhook.is_active else "Webhook désactivé.")
        return redirect("api:webhook", pk=webhook.pk)
    deliveries = webhook.deliveries.all()[:RECENT_DELIVERIES]
    return render(request, "api/webhook.html", {"webhook": webhook, "deliveries": deliveries})


@staff_required
@require_POST
def webhook_test(request, pk: int):
    webhook = get_object_or_404(Webhook, pk=pk)
    with transaction.atomic():
        send_test(webhook)
    messages.success(request, "Événement de test envoyé : son résultat s'affiche ci-dessous.")
    return redirect("api:webhook", pk=webhook.pk)
