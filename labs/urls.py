from django.urls import path

from labs import views

app_name = "labs"

urlpatterns = [
    path("courses/<slug:course_slug>/labs/<slug:lab_slug>/", views.lab_detail, name="lab"),
    path("courses/<slug:course_slug>/labs/<slug:lab_slug>/run/", views.run_start, name="run-start"),
    path("courses/<slug:course_slug>/labs/<slug:lab_slug>/compare/", views.compare, name="compare"),
    path("labs/runs/<int:run_id>/", views.run_detail, name="run"),
    path("labs/runs/<int:run_id>/cancel/", views.run_cancel, name="run-cancel"),
    path("labs/runs/<int:run_id>/result.json", views.run_result, name="run-result"),
]
