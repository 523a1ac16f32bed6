"""The few URL names the fault suite needs, in one place (names may gain namespaces)."""

from django.urls import reverse


def magic_link(token: str) -> str:
    return reverse("access:magic-link", args=[token])


def section(year: int, code: str) -> str:
    return reverse("answering:section", args=[year, code])


def autosave(year: int, code: str) -> str:
    return reverse("answering:autosave", args=[year, code])


def review(year: int) -> str:
    return reverse("answering:review", args=[year])


def invitation_resend(pk: int) -> str:
    return reverse("backoffice:invitation-resend", kwargs={"pk": pk})
