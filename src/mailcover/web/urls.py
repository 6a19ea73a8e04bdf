from django.urls import path

from mailcover.accounts import sign_in_views as accounts
from mailcover.covers import lists as cover_lists
from mailcover.covers import views as covers
from mailcover.records import views as records
from mailcover.stream import views as stream
from mailcover.web import http, views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in", views.sign_in, name="sign-in"),
    path("sign-out", views.sign_out, name="sign-out"),
    path("session/extend", http.extend_session, name="session-extend"),
    path("sign-in/enrol", accounts.enrol, name="enrol"),
    path("sign-in/code", accounts.verify, name="verify"),
    path("security-log", accounts.security_log, name="security-log"),
    path("stream", stream.operator_page, name="stream"),
    path("fragments/approval-queue", views.approval_queue, name="approval-queue"),
    path("requests", cover_lists.request_list, name="requests"),
    path("requests/new", covers.new_request, name="new-request"),
    path("requests/<int:request_id>", covers.request_page, name="request"),
    path("requests/<int:request_id>/decide", covers.decide, name="decide"),
    path("orders", cover_lists.order_list, name="orders"),
    path("orders/<int:order_id>", covers.order_page, name="order"),
    path("orders/<int:order_id>/captures", covers.order_captures, name="order-captures"),
    path(
        "orders/<int:order_id>/captures/<str:piece_id>/image",
        covers.capture_image,
        name="capture-image",
    ),
    path(
        "orders/<int:order_id>/captures/<str:piece_id>/viewer",
        covers.capture_viewer,
        name="capture-viewer",
    ),
    path("orders/<int:order_id>/captures.csv", covers.captures_csv, name="captures-csv"),
    path("orders/<int:order_id>/<str:event>", covers.order_event, name="order-event"),
    path("records", records.request_list, name="records"),
    path("records/new", records.new_request, name="new-records-request"),
    path("records/<int:request_id>", records.request_page, name="records-request"),
    path("records/<int:request_id>/review", records.review, name="records-review"),
    path("records/<int:request_id>/produce", records.produce, name="records-produce"),
    path("records/<int:request_id>/download", records.download, name="records-download"),
    path("records/<int:request_id>/instrument", records.instrument, name="records-instrument"),
    path(
        "records/<int:request_id>/challenge-notice",
        records.challenge_notice,
        name="records-challenge-notice",
    ),
    path("records/<int:request_id>/delays", records.add_delay, name="records-delays"),
    path("records/<int:request_id>/follow-up", records.follow_up, name="records-follow-up"),
]
