"""An instructor uploads a roster (preview, then apply) and a student joins by code, in a
real browser."""

import pytest
from playwright.sync_api import expect

from cohorts.models import Enrollment, Section
from course.roles import GRADER, INSTRUCTOR, STUDENT
from tests.factories import make_class, make_course, make_user

pytestmark = pytest.mark.e2e

ROSTER = (
    "email,name,section,student id\n"
    "ada@example.org,Ada Lovelace,Tuesday,S-1\n"
    "grace@example.org,Grace Hopper,Thursday,S-2\n"
    'bad@example.org,=HYPERLINK("x"),Tuesday,S-3\n'
)


def _log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Log in").click()


def test_an_instructor_uploads_a_roster_and_a_student_joins_by_code(
    live_server, page, transactional_db
):
    course = make_course("class-course")
    course_class = make_class(course, name="Spring run", term="Spring 2027")
    for name in ("Tuesday", "Thursday"):
        Section.objects.create(course_class=course_class, name=name)
    make_user("irene", INSTRUCTOR)
    make_user("sol", STUDENT)

    _log_in(page, live_server, "irene")
    page.get_by_role("link", name="Classes").click()
    page.get_by_role("link", name="Spring run").click()
    code = page.get_by_test_id("join-code").inner_text()
    page.get_by_role("link", name="Upload a roster (CSV)").click()
    page.get_by_label("Roster (CSV)").set_input_files(
        {"name": "roster.csv", "mimeType": "text/csv", "buffer": ROSTER.encode()}
    )
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_test_id("roster-summary")).to_have_text(
        "2 to enroll, 0 to update, 1 skipped."
    )
    expect(page.get_by_text("a spreadsheet would run it as a formula")).to_be_visible()
    assert not Enrollment.objects.exists()
    page.get_by_role("button", name="Apply this roster").click()
    expect(page.get_by_test_id("roster-applied")).to_have_text("2 enrolled, 0 updated, 1 skipped.")
    expect(page.get_by_role("cell", name="grace@example.org")).to_be_visible()
    page.get_by_role("link", name="Back to the class").click()
    expect(page.get_by_role("cell", name="Ada Lovelace")).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    _log_in(page, live_server, "sol")
    expect(page.get_by_text("You are in no class yet")).to_be_visible()
    page.goto(f"{live_server.url}/courses/class-course/")
    expect(page.get_by_role("heading", level=1)).to_have_text("You are not in this class")
    page.get_by_label("Join code").fill(code.lower())
    page.get_by_role("button", name="Join the class").click()
    expect(page.get_by_text("Welcome to Spring run (Spring 2027).")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Course class-course")
    page.get_by_role("link", name="Lesson 1.1", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lesson 1.1")
    assert Enrollment.objects.filter(user__username="sol", course_class=course_class).exists()


def test_an_instructor_creates_a_class_and_an_invited_student_sets_a_password_and_logs_in(
    live_server, page, transactional_db, mailoutbox
):
    make_course("class-course")
    make_user("irene", INSTRUCTOR)
    make_user("gina", GRADER)

    _log_in(page, live_server, "irene")
    page.get_by_role("link", name="Classes").click()
    page.get_by_role("link", name="Create a class").click()
    page.get_by_label("Name").fill("Autumn run")
    page.get_by_label("Term").fill("Autumn 2027")
    page.get_by_label("Sections").fill("Tuesday\nThursday")
    page.get_by_role("button", name="Create the class").click()
    expect(page.get_by_text("Autumn run (Autumn 2027) is ready")).to_be_visible()
    page.get_by_label("Section", exact=True).select_option(label="Tuesday")
    page.get_by_label("Grader").select_option(label="gina (gina)")
    page.get_by_role("button", name="Assign the grader").click()
    expect(page.get_by_text("gina now grades Tuesday.")).to_be_visible()

    page.get_by_role("link", name="Upload a roster (CSV)").click()
    page.get_by_label("Roster (CSV)").set_input_files(
        {"name": "roster.csv", "mimeType": "text/csv", "buffer": ROSTER.encode()}
    )
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_label("Email each new account a link to set its password")).to_be_checked()
    page.get_by_role("button", name="Apply this roster").click()
    expect(page.get_by_test_id("invitations")).to_contain_text("2 invitations sent")
    page.get_by_role("button", name="Log out").click()

    (to_ada,) = [message for message in mailoutbox if message.to == ["ada@example.org"]]
    link = next(line for line in to_ada.body.splitlines() if "/accounts/password/set/" in line)
    page.goto(link.replace("http://testserver", live_server.url))
    expect(page.get_by_text("Your username is ada")).to_be_visible()
    page.get_by_label("New password", exact=True).fill("gradients-all-the-way-7")
    page.get_by_label("New password confirmation").fill("gradients-all-the-way-7")
    page.get_by_role("button", name="Set the password").click()
    expect(page.get_by_role("heading", name="Your password is set")).to_be_visible()
    page.get_by_role("link", name="Log in").click()
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill("gradients-all-the-way-7")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Classes").click()
    expect(page.get_by_text("Your class of")).to_be_visible()
