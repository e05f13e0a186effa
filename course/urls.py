from django.urls import path

from course import views

app_name = "course"

urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("courses/<slug:course_slug>/", views.course_detail, name="detail"),
    path(
        "courses/<slug:course_slug>/lessons/<slug:lesson_slug>/",
        views.lesson_detail,
        name="lesson",
    ),
    path(
        "courses/<slug:course_slug>/lessons/<slug:lesson_slug>/complete/",
        views.lesson_complete,
        name="lesson-complete",
    ),
    path("review/", views.review_index, name="review-index"),
    path("courses/<slug:course_slug>/review/", views.review, name="review"),
    path(
        "courses/<slug:course_slug>/cards/<slug:key>/rate/",
        views.flashcard_rate,
        name="flashcard-rate",
    ),
    path("authoring/markdown-preview/", views.markdown_preview, name="markdown-preview"),
    path("favicon.ico", views.favicon, name="favicon"),
]
