"""Oversight's pages: compliance checks and the review queue for oversight and the deciding
officials; the transparency report for everyone (the public version) and oversight."""

from mailcover.oversight import compliance_views, transparency_views

app_name = "oversight"

urlpatterns = [*compliance_views.urlpatterns, *transparency_views.urlpatterns]
