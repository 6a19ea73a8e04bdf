from django.urls import path

from mailcover.covers import views as covers
from mailcover.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in", views.sign_in, name="sign-in"),
    path("sign-out", views.sign_out, name="sign-out"),
    path("fragments/approval-queue", views.approval_queue, name="approval-queue"),
    path("requests/new", covers.new_request, name="new-request"),
    path("requests/<int:request_id>", covers.request_page, name="request"),
    path("requests/<int:request_id>/decide", covers.decide, name="decide"),
    path("orders/<int:order_id>", covers.order_page, name="order"),
    path(
        "orders/<int:order_id>/captures/<str:piece_id>/image",
        covers.capture_image,
        name="capture-image",
    ),
    path("orders/<int:order_id>/<str:event>", covers.order_event, name="order-event"),
]
