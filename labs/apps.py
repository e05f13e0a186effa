from django.apps import AppConfig


class LabsConfig(AppConfig):
    name = "labs"
    verbose_name = "Labs"

    def ready(self) -> None:
        from course.bundle import register_section
        from labs.bundle import SECTION

        register_section(SECTION)
