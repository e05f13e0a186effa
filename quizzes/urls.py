from django.urls import path

from quizzes import grading_views, views

app_name = "quizzes"

urlpatterns = [
    path("courses/<slug:course_slug>/quizzes/<slug:quiz_key>/", views.quiz_detail, name="quiz"),
    path(
        "courses/<slug:course_slug>/quizzes/<slug:quiz_key>/start/",
        views.attempt_start,
        name="start",
    ),
    path("courses/<slug:course_slug>/grades/", views.course_grades, name="grades"),
    path("attempts/<id:attempt_id>/", views.attempt_page, name="attempt"),
    path("attempts/<id:attempt_id>/autosave/", views.attempt_autosave, name="autosave"),
    path(
        "attempts/<id:attempt_id>/questions/<id:question_id>/check/",
        views.attempt_check,
        name="check",
    ),
    path("attempts/<id:attempt_id>/submit/", views.attempt_submit, name="submit"),
    path("classes/<id:class_id>/grading/", grading_views.queue, name="grading"),
    path(
        "classes/<id:class_id>/grading/answers/<id:response_id>/",
        grading_views.answer_grade,
        name="grade-answer",
    ),
    path(
        "classes/<id:class_id>/grading/answers/<id:response_id>/override/",
        grading_views.answer_override,
        name="override",
    ),
    path("classes/<id:class_id>/grading/release/", grading_views.grades_release, name="release"),
    path(
        "classes/<id:class_id>/grading/export/<slug:layout>.<slug:extension>",
        grading_views.export,
        name="export",
    ),
    path(
        "classes/<id:class_id>/grading/quizzes/<id:quiz_id>/regrade/",
        grading_views.regrade,
        name="regrade",
    ),
    path(
        "classes/<id:class_id>/grading/quizzes/<id:quiz_id>/analysis/",
        grading_views.item_analysis,
        name="item-analysis",
    ),
    path(
        "classes/<id:class_id>/grading/quizzes/<id:quiz_id>/settings/",
        grading_views.quiz_grading_settings,
        name="grading-settings",
    ),
]
