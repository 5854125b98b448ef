"""A read-only admin for audit events: filters by actor, action, date and object; CSV export."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy

from prodready_security.audit.csv_export import csv_response
from prodready_security.audit.models import AuditEvent
from prodready_security.conf import conf

FILTER_CHOICES = 200

# ModelAdmin is generic for type checkers only; subscripting it fails at run time.
if TYPE_CHECKING:
    EventModelAdmin = admin.ModelAdmin[AuditEvent]
else:
    EventModelAdmin = admin.ModelAdmin


class ActorFilter(admin.SimpleListFilter):
    """Users as they were named when they acted (the user row may be gone)."""

    title = "actor"
    parameter_name = "actor_id"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        pairs = (
            _events()
            .exclude(actor_id=None)
            .order_by("actor_id")
            .values_list("actor_id", "actor_snapshot__username")
            .distinct()[:FILTER_CHOICES]
        )
        names: dict[str, str] = {}
        for actor_id, username in pairs:
            names.setdefault(str(actor_id), f"{username} (#{actor_id})")
        return sorted(names.items(), key=lambda item: item[1].lower())

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(actor_id=self.value()) if self.value() else queryset


class ObjectTypeFilter(admin.SimpleListFilter):
    """Types of the objects acted on, from the audit database's own content types."""

    title = "object type"
    parameter_name = "target_content_type_id"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        ids = (
            _events()
            .exclude(target_content_type_id=None)
            .order_by()
            .values_list("target_content_type_id", flat=True)
            .distinct()[:FILTER_CHOICES]
        )
        content_types = ContentType.objects.db_manager(conf.AUDIT_DATABASE)
        return sorted(
            ((str(pk), str(content_types.get_for_id(pk))) for pk in ids),
            key=lambda item: item[1],
        )

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value():
            return queryset.filter(target_content_type_id=self.value())
        return queryset


@admin.register(AuditEvent)
class AuditEventAdmin(EventModelAdmin):
    list_display = ["sequence", "occurred_at", "actor_name", "action", "target", "client_address"]
    list_filter = ["action", "occurred_at", ActorFilter, ObjectTypeFilter]
    date_hierarchy = "occurred_at"
    search_fields = ["action", "target_repr", "=target_pk", "=request_id", "=client_address"]
    actions = ["export_csv"]
    change_list_template = "prodready_security/audit/admin_change_list.html"
    show_full_result_count = False  # counting a large log on every page is slow

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEvent]:
        return super().get_queryset(request).using(conf.AUDIT_DATABASE)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=gettext_lazy("object"))
    def target(self, event: AuditEvent) -> SafeString | str:
        """The object, linking to every event about that same object."""
        if not event.target_pk or event.target_content_type_id is None:
            return event.target_repr
        return format_html(
            '<a href="?target_content_type_id={}&amp;target_pk={}">{}</a>',
            event.target_content_type_id,
            event.target_pk,
            event.target_repr or event.target_pk,
        )

    def get_urls(self) -> list[URLPattern]:
        export = path(
            "export/",
            self.admin_site.admin_view(self.export_view),
            name="prodready_security_auditevent_export",
        )
        return [export, *super().get_urls()]

    def export_view(self, request: HttpRequest) -> StreamingHttpResponse:
        """The change list as filtered on screen, as CSV."""
        if not self.has_view_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        return _export(changelist.get_queryset(request))

    @admin.action(
        description=gettext_lazy("Export selected audit events as CSV"), permissions=["view"]
    )
    def export_csv(
        self, request: HttpRequest, queryset: QuerySet[AuditEvent]
    ) -> StreamingHttpResponse:
        return _export(queryset)


def _export(queryset: QuerySet[AuditEvent]) -> StreamingHttpResponse:
    name = f"audit-events-{timezone.now():%Y%m%d-%H%M%S}.csv"
    return csv_response(queryset.order_by("sequence").iterator(chunk_size=2000), name)


def _events() -> QuerySet[AuditEvent]:
    return AuditEvent.objects.using(conf.AUDIT_DATABASE)
