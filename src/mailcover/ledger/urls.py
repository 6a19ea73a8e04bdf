from django.urls import path

from mailcover.ledger import views

app_name = "ledger"

urlpatterns = [
    path("", views.ledger_page, name="ledger"),
    path("accounting", views.accounting_index, name="accounting"),
    path("accounting/<int:subject_id>", views.subject_accounting, name="subject-accounting"),
]
