from django.apps import AppConfig
from django.urls import register_converter


class CourseConfig(AppConfig):
    name = "course"
    verbose_name = "Courses"

    def ready(self) -> None:
        from course.ids import IdConverter

        # Before any URLconf is read: every app's patterns use <id:...> for row ids.
        register_converter(IdConverter, "id")

        from course import receivers

        receivers.connect()
