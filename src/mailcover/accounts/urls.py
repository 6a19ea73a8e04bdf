from django.urls import path

from mailcover.accounts import preferences, views

app_name = "accounts"

urlpatterns = [
    path("changes", views.changes, name="changes"),
    path("changes/<int:change_id>/confirm", views.confirm, name="confirm"),
    path("changes/<int:change_id>/refuse", views.refuse, name="refuse"),
    path("set-password", views.set_password, name="set-password"),
    path("preferences", preferences.preferences, name="preferences"),
]
