from django.apps import AppConfig


class LabsConfig(AppConfig):
    name = "labs"
    verbose_name = "Labs"

    def ready(self) -> None:
        from cohorts.coursework import register_coursework
        from course.bundle import register_section
        from labs.bundle import SECTION
        from labs.coursework import LABS

        register_section(SECTION)
        register_coursework(LABS)
