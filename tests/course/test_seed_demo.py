import io

from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command

from course.roles import GRADER, INSTRUCTOR, STUDENT


def _passwords(output: str) -> dict[str, str]:
    rows = [line.split() for line in output.splitlines() if " password " in line]
    return {row[2]: row[4] for row in rows}


def test_it_creates_three_accounts_in_their_roles_and_prints_passwords_once(db, capsys):
    call_command("seed_demo")
    passwords = _passwords(capsys.readouterr().out)
    assert set(passwords) == {"student", "instructor", "grader"}
    users = get_user_model().objects
    assert users.get(username="student").groups.filter(name=STUDENT).exists()
    assert users.get(username="instructor").groups.filter(name=INSTRUCTOR).exists()
    assert users.get(username="grader").groups.filter(name=GRADER).exists()
    assert users.get(username="instructor").is_staff
    assert not users.get(username="student").is_staff
    assert authenticate(username="student", password=passwords["student"]) is not None

    call_command("seed_demo")
    second = capsys.readouterr().out
    assert "Demo accounts exist" in second and _passwords(second) == {}
    assert authenticate(username="student", password=passwords["student"]) is not None


def test_reset_passwords_gives_new_ones(db, capsys):
    call_command("seed_demo")
    old = _passwords(capsys.readouterr().out)
    call_command("seed_demo", "--reset-passwords")
    new = _passwords(capsys.readouterr().out)
    assert set(new) == set(old) and new["grader"] != old["grader"]
    assert authenticate(username="grader", password=new["grader"]) is not None


def test_the_instructor_role_may_author_courses_and_the_grader_may_only_view(db):
    call_command("seed_demo", stdout=io.StringIO())
    users = get_user_model().objects
    assert users.get(username="instructor").has_perm("course.change_lesson")
    grader = users.get(username="grader")
    assert grader.has_perm("course.view_lesson") and not grader.has_perm("course.change_lesson")
    assert not users.get(username="student").has_perm("course.view_lesson")
