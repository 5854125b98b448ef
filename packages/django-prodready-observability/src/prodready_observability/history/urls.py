"""``path("ops/history/", include("prodready_observability.history.urls"))``: the staff
pages of the request history."""

from django.urls import path

from prodready_observability.history import views

app_name = "prodready_history"
urlpatterns = [
    path("slow-requests/", views.slow_requests, name="slow-requests"),
    path("slow-queries/", views.slow_queries, name="slow-queries"),
    path("exceptions/", views.exceptions, name="exceptions"),
]
