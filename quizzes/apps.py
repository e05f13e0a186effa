from django.apps import AppConfig


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = "Quizzes and exercises"

    def ready(self) -> None:
        from cohorts.coursework import register_coursework
        from course.bundle import BundleSection, register_section
        from quizzes.bundle import read_quizzes, write_quizzes
        from quizzes.coursework import QUIZZES
        from quizzes.selectors import quizzes_snapshot
        from quizzes.services import quizzes_apply_bundle

        register_section(
            BundleSection(
                folder="quizzes",
                read=read_quizzes,
                apply=quizzes_apply_bundle,
                snapshot=quizzes_snapshot,
                write=write_quizzes,
            )
        )
        register_coursework(QUIZZES)
