from django.urls import path

from labs import views

app_name = "labs"

urlpatterns = [
    path("courses/<slug:course_slug>/labs/", views.lab_index, name="index"),
    path("courses/<slug:course_slug>/labs/<slug:lab_slug>/", views.lab_detail, name="lab"),
    path("courses/<slug:course_slug>/labs/<slug:lab_slug>/run/", views.run_start, name="run-start"),
    path("courses/<slug:course_slug>/labs/<slug:lab_slug>/compare/", views.compare, name="compare"),
    path("courses/<slug:course_slug>/labels/", views.label_pairs, name="label"),
    path("courses/<slug:course_slug>/labels/class/", views.class_labels, name="class-labels"),
    path(
        "courses/<slug:course_slug>/labels/class/pairs/",
        views.class_labels_generate,
        name="class-labels-generate",
    ),
    path(
        "courses/<slug:course_slug>/labels/class/train/",
        views.class_labels_train,
        name="class-labels-train",
    ),
    path("classes/<id:class_id>/runs/", views.class_runs, name="class-runs"),
    path(
        "classes/<id:class_id>/runs/export.csv",
        views.class_runs_export,
        name="class-runs-export",
    ),
    path("labs/runs/<id:run_id>/", views.run_detail, name="run"),
    path("labs/runs/<id:run_id>/cancel/", views.run_cancel, name="run-cancel"),
    path("labs/runs/<id:run_id>/result.json", views.run_result, name="run-result"),
]
