from django.contrib import admin
from django.db import models as django_models

from school import models


@admin.register(models.Subject)
class SubjectAdmin(admin.ModelAdmin):
    list_display = ["name", "colour"]
    search_fields = ["name"]


@admin.register(models.Level)
class LevelAdmin(admin.ModelAdmin):
    list_display = ["name", "order"]
    list_editable = ["order"]


@admin.register(models.Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["name", "capacity", "is_virtual"]
    list_filter = ["is_virtual"]
    # Meeting links without a scheme are https (Django 6's default; 5.2 warns without it).
    formfield_overrides = {django_models.URLField: {"assume_scheme": "https"}}


@admin.register(models.Tutor)
class TutorAdmin(admin.ModelAdmin):
    list_display = ["__str__", "hourly_rate", "active"]
    list_filter = ["active", "subjects"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["subjects"]


@admin.register(models.Student)
class StudentAdmin(admin.ModelAdmin):
    list_display = ["__str__", "level", "email", "active", "joined_on"]
    list_filter = ["active", "level"]
    search_fields = ["first_name", "last_name", "email"]
    autocomplete_fields = ["user"]


class AttendanceInline(admin.TabularInline):
    model = models.Attendance
    autocomplete_fields = ["student"]
    extra = 0


@admin.register(models.Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ["__str__", "tutor", "room", "status"]
    list_filter = ["status", "subject", "level", "room"]
    date_hierarchy = "starts_at"
    inlines = [AttendanceInline]
    list_select_related = ["subject", "level", "tutor__user", "room"]


@admin.register(models.Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = ["__str__", "amount", "status", "issued_at", "paid_at"]
    list_filter = ["status", "month"]
    search_fields = ["student__first_name", "student__last_name"]
    autocomplete_fields = ["student"]
    date_hierarchy = "month"
