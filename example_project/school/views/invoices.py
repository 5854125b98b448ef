"""Admins' invoices: the list with filters, marking paid, creating a month's invoices,
creating and editing one invoice."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from school.forms import InvoiceFilterForm, InvoiceForm, MonthForm
from school.models import Invoice
from school.permissions import admin_required
from school.services import create_monthly_invoices

PAGE_SIZE = 50


@admin_required("school.view_invoice")
def invoice_list(request: HttpRequest) -> HttpResponse:
    invoices = Invoice.objects.select_related("student")
    filters = InvoiceFilterForm(request.GET or None)
    if filters.is_valid():
        if filters.cleaned_data["month"]:
            invoices = invoices.filter(month=filters.cleaned_data["month"])
        if filters.cleaned_data["status"]:
            invoices = invoices.filter(status=filters.cleaned_data["status"])
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filters": filters,
        "page": Paginator(invoices, PAGE_SIZE).get_page(request.GET.get("page")),
        "query": query.urlencode(),
        "create_form": MonthForm(initial={"month": timezone.localdate().replace(day=1)}),
    }
    return render(request, "school/invoice_list.html", context)


@require_POST
@admin_required("school.change_invoice")
def invoice_mark_paid(request: HttpRequest, pk: int) -> HttpResponse:
    with transaction.atomic():
        invoice = get_object_or_404(Invoice.objects.select_for_update(), pk=pk)
        if invoice.status in {Invoice.Status.DRAFT, Invoice.Status.SENT}:
            invoice.status = Invoice.Status.PAID
            invoice.paid_at = timezone.now()
            invoice.save(update_fields=["status", "paid_at"])  # save(): the audit log sees it
            messages.success(
                request, gettext("Invoice {invoice} marked paid.").format(invoice=invoice)
            )
        else:
            status = invoice.get_status_display().lower()
            messages.error(
                request,
                gettext("Invoice {invoice} is {status}: not marked paid.").format(
                    invoice=invoice, status=status
                ),
            )
    return redirect(_back_to_list(request))


@require_POST
@admin_required("school.add_invoice")
def invoice_create_month(request: HttpRequest) -> HttpResponse:
    form = MonthForm(request.POST)
    if form.is_valid():
        month = form.cleaned_data["month"]
        created = create_monthly_invoices(month)
        messages.success(request, f"{created} new invoices for {month:%B %Y}.")
        return redirect(f"{_list_url()}?month={month:%Y-%m}")
    messages.error(request, "; ".join(form.errors["month"]))
    return redirect(_list_url())


@admin_required("school.add_invoice")
def invoice_create(request: HttpRequest) -> HttpResponse:
    return _invoice_form(request, Invoice())


@admin_required("school.change_invoice")
def invoice_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _invoice_form(request, get_object_or_404(Invoice, pk=pk))


def _invoice_form(request: HttpRequest, invoice: Invoice) -> HttpResponse:
    creating = invoice.pk is None
    initial = {"month": timezone.localdate().replace(day=1)} if creating else None
    form = InvoiceForm(request.POST or None, instance=invoice, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                saved = form.save()  # ModelForm.save(): the audit log records the change
        except IntegrityError:  # the same student and month, saved meanwhile
            form.check_duplicate()
            if not form.errors:
                raise
        else:
            text = (
                gettext("Invoice {invoice} created.")
                if creating
                else gettext("Invoice {invoice} saved.")
            )
            messages.success(request, text.format(invoice=saved))
            return redirect(f"{_list_url()}?month={saved.month:%Y-%m}")
    context = {"form": form, "invoice": invoice, "creating": creating}
    return render(request, "school/invoice_form.html", context)


def _list_url() -> str:
    return reverse("school:invoice-list")


def _back_to_list(request: HttpRequest) -> str:
    """The filtered list the button was on: only its query string comes from the form."""
    query = QueryDict(request.POST.get("query", "")).urlencode()
    return f"{_list_url()}?{query}" if query else _list_url()
