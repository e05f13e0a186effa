from django.urls import path

from cohorts import views

app_name = "cohorts"

urlpatterns = [
    path("join/", views.join, name="join"),
    path("join/<str:code>/", views.join_link, name="join-link"),
    path("classes/", views.class_list, name="classes"),
    path("classes/new/", views.class_create, name="class-new"),
    path("classes/<id:class_id>/", views.class_detail, name="class"),
    path("classes/<id:class_id>/edit/", views.class_edit, name="class-edit"),
    path("classes/<id:class_id>/archive/", views.class_archive, name="class-archive"),
    path("classes/<id:class_id>/sections/", views.section_add, name="section-add"),
    path(
        "classes/<id:class_id>/sections/<id:section_id>/remove/",
        views.section_remove,
        name="section-remove",
    ),
    path("classes/<id:class_id>/graders/", views.grader_assign, name="grader-assign"),
    path(
        "classes/<id:class_id>/graders/<id:assignment_id>/remove/",
        views.grader_unassign,
        name="grader-unassign",
    ),
    path("classes/<id:class_id>/code/", views.class_code_regenerate, name="class-code"),
    path("classes/<id:class_id>/roster/", views.roster_upload, name="roster"),
    path("classes/<id:class_id>/dashboard/", views.class_dashboard, name="dashboard"),
    path("classes/<id:class_id>/due/", views.due_dates, name="due"),
    path("classes/<id:class_id>/due/overrides/", views.due_override_add, name="due-override"),
    path(
        "classes/<id:class_id>/due/overrides/<id:override_id>/remove/",
        views.due_override_remove,
        name="due-override-remove",
    ),
    path(
        "classes/<id:class_id>/students/<id:student_id>/",
        views.student_record,
        name="student",
    ),
    path(
        "classes/<id:class_id>/students/<id:student_id>/extra-time/",
        views.student_extra_time,
        name="student-extra-time",
    ),
    path(
        "classes/<id:class_id>/students/<id:student_id>/invite/",
        views.student_invite,
        name="student-invite",
    ),
]
