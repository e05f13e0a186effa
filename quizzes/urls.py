from django.urls import path

from quizzes import views

app_name = "quizzes"

urlpatterns = [
    path("courses/<slug:course_slug>/quizzes/<slug:quiz_key>/", views.quiz_detail, name="quiz"),
    path(
        "courses/<slug:course_slug>/quizzes/<slug:quiz_key>/start/",
        views.attempt_start,
        name="start",
    ),
    path("attempts/<id:attempt_id>/", views.attempt_page, name="attempt"),
    path("attempts/<id:attempt_id>/autosave/", views.attempt_autosave, name="autosave"),
    path(
        "attempts/<id:attempt_id>/questions/<id:question_id>/check/",
        views.attempt_check,
        name="check",
    ),
    path("attempts/<id:attempt_id>/submit/", views.attempt_submit, name="submit"),
]
