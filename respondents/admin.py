from django.contrib import admin, messages

from barometre.tasks import on_commit
from respondents.models import (
    AccessRequest,
    Collectivite,
    Contact,
    EmailLog,
    Invitation,
    ReminderSchedule,
)
from respondents.signals import referential_changed


@admin.register(Collectivite)
class CollectiviteAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "epci_type", "code", "siren", "population", "is_active"]
    list_filter = ["kind", "epci_type", "region_code", "is_active"]
    search_fields = ["search_name", "code", "siren"]
    readonly_fields = ["search_name", "created_at", "updated_at"]
    # What places a response in the results' cells (type, population bracket, région).
    CELL_FIELDS = {"kind", "epci_type", "population", "region_code"}

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and self.CELL_FIELDS & set(form.changed_data) and obj.responses.exists():
            on_commit(lambda: referential_changed.send(sender=Collectivite))
            messages.info(request, "Les résultats des éditions seront recomptés.")


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["email", "first_name", "last_name", "collectivite", "opted_out_of_reminders"]
    search_fields = ["email", "last_name", "collectivite__search_name"]
    raw_id_fields = ["collectivite"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["contact", "collectivite", "edition", "sent_at", "last_used_at", "revoked_at"]
    list_filter = ["edition"]
    raw_id_fields = ["collectivite", "contact"]
    readonly_fields = ["created_by", "revoked_by", "first_used_at", "last_used_at"]


@admin.register(EmailLog)
class EmailLogAdmin(admin.ModelAdmin):
    list_display = ["to_email", "kind", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["contact", "invitation"]


@admin.register(AccessRequest)
class AccessRequestAdmin(admin.ModelAdmin):
    list_display = ["collectivite", "email", "edition", "status", "created_at"]
    list_filter = ["status", "edition"]
    raw_id_fields = ["collectivite", "contact"]


admin.site.register(ReminderSchedule)
