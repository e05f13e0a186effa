"""The roster upload: a CSV (email, name, section, student id) previewed row by row, then
applied with one click in one transaction."""

from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cohorts.models import CourseClass, Enrollment, Section
from cohorts.roster import roster_plan_from_text
from course.roles import STUDENT
from tests.factories import enroll, make_class, make_user

User = get_user_model()
HEADER = "email,name,section,student id\n"


@pytest.fixture
def course_class(course):
    course_class = make_class(course)
    for name in ("A", "B"):
        Section.objects.create(course_class=course_class, name=name)
    return course_class


def _url(course_class) -> str:
    return reverse("cohorts:roster", args=[course_class.pk])


def _upload(client, course_class, text: str | bytes):
    data = text.encode() if isinstance(text, str) else text
    return client.post(_url(course_class), {"roster": SimpleUploadedFile("roster.csv", data)})


def _apply(client, course_class, preview):
    context = preview.context
    form = context["apply_form"]
    return client.post(
        _url(course_class),
        {"apply": "1", "text": form.initial["text"], "fingerprint": form.initial["fingerprint"]},
    )


def _rows(response) -> dict[str, tuple[str, str]]:
    """email (or row number) -> (action, reasons) from the preview."""
    return {
        row.email or str(row.line): (row.action, " ".join(row.reasons))
        for row in response.context["plan"].rows
    }


def test_the_preview_says_who_will_be_created_updated_or_skipped_and_changes_nothing(
    client, instructor, course_class
):
    known = make_user("kim", STUDENT, email="kim@example.org")
    enroll(known, course_class, student_id="S-1")
    make_user("lee", STUDENT, email="Lee@Example.org")
    same = make_user("sam", STUDENT, email="sam@example.org")
    enroll(same, course_class, section=course_class.sections.get(name="A"))
    client.force_login(instructor)
    response = _upload(
        client,
        course_class,
        HEADER
        + "new@example.org,Nora New,A,S-9\n"
        + "kim@example.org,Kim,B,S-1\n"
        + "lee@example.org,Lee,,\n"
        + "sam@example.org,Sam,a,\n",
    )
    assert response.status_code == 200
    rows = _rows(response)
    assert rows["new@example.org"] == ("create", "New account (no password yet), enrolled.")
    assert rows["kim@example.org"] == ("update", "Already enrolled; section (none) → B.")
    assert rows["lee@example.org"] == ("create", "Existing account “lee”, enrolled.")
    assert rows["sam@example.org"] == ("skip", "Already enrolled; nothing to change.")
    assert "2 to enroll, 1 to update, 1 skipped." in response.text
    assert not User.objects.filter(email="new@example.org").exists()
    assert Enrollment.objects.filter(course_class=course_class).count() == 2


def test_applying_creates_enrolls_and_updates_in_one_go(client, instructor, course_class):
    known = make_user("kim", STUDENT, email="kim@example.org")
    enroll(known, course_class, student_id="S-1")
    client.force_login(instructor)
    preview = _upload(
        client,
        course_class,
        HEADER + "new@example.org,Nora van New,A,S-9\nkim@example.org,,B,S-2\n",
    )
    response = _apply(client, course_class, preview)
    assert response.status_code == 200
    assert "1 enrolled, 1 updated, 0 skipped." in response.text
    nora = User.objects.get(email="new@example.org")
    assert nora.username == "new" and nora.first_name == "Nora" and nora.last_name == "van New"
    assert not nora.has_usable_password()
    assert nora.groups.filter(name=STUDENT).exists()
    assert "new@example.org" in response.text and "no password yet" in response.text
    enrollment = Enrollment.objects.get(user=nora, course_class=course_class)
    assert enrollment.section.name == "A" and enrollment.student_id == "S-9"
    kim = Enrollment.objects.get(user=known, course_class=course_class)
    assert kim.section.name == "B" and kim.student_id == "S-2"


def test_applying_twice_changes_nothing_the_second_time(client, instructor, course_class):
    client.force_login(instructor)
    text = HEADER + "new@example.org,Nora,A,S-9\n"
    _apply(client, course_class, _upload(client, course_class, text))
    second = _upload(client, course_class, text)
    assert _rows(second)["new@example.org"][0] == "skip"
    assert not second.context["plan"].applicable
    assert User.objects.filter(email="new@example.org").count() == 1


def test_a_new_account_gets_a_free_username(client, instructor, course_class):
    make_user("new", STUDENT, email="someone-else@example.org")
    client.force_login(instructor)
    _apply(client, course_class, _upload(client, course_class, HEADER + "new@example.org,,,\n"))
    assert User.objects.get(email="new@example.org").username == "new-2"


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("x@example.org,Xavier,Z,", "The class has no section “Z” (its sections: A, B)"),
        ("not-an-email,Xavier,A,", "“not-an-email” is not an email address."),
        (",Xavier,A,", "No email."),
        ("x@example.org,Xavier,A", "The row has 3 cells; the first row names 4 columns."),
        ("x@example.org,Xavier,A,1,extra", "The row has 5 cells; the first row names 4 columns."),
        ("x@example.org,=HYPERLINK(1),A,", "starts with “=”: a spreadsheet would run it"),
        ("x@example.org,+cmd,A,", "starts with “+”"),
        ("x@example.org,Xavier,A,-12", "starts with “-”"),
        ("x@example.org,@SUM(A1),A,", "starts with “@”"),
        ("x@example.org, =1+1,A,", "starts with “=”"),
        ("x@example.org,Xavier,A," + "9" * 65, "The student id is longer than 64 characters."),
    ],
)
def test_a_bad_row_is_skipped_with_its_reason_and_the_others_still_apply(
    client, instructor, course_class, line, reason
):
    client.force_login(instructor)
    preview = _upload(client, course_class, HEADER + "ok@example.org,Ok,A,\n" + line + "\n")
    rows = _rows(preview)
    bad = [value for key, value in rows.items() if key != "ok@example.org"]
    assert bad[0][0] == "skip" and reason in bad[0][1]
    assert rows["ok@example.org"][0] == "create"
    _apply(client, course_class, preview)
    assert set(Enrollment.objects.values_list("user__email", flat=True)) == {"ok@example.org"}
    assert not User.objects.filter(email="x@example.org").exists()


def test_every_row_of_a_duplicated_email_is_skipped(client, instructor, course_class):
    client.force_login(instructor)
    preview = _upload(
        client,
        course_class,
        HEADER + "d@example.org,One,A,\nother@example.org,,,\nD@example.org,Two,B,\n",
    )
    reasons = [(row.line, row.action, row.reasons) for row in preview.context["plan"].rows]
    assert reasons[0][1] == "skip" and "also on row 4" in reasons[0][2][0]
    assert reasons[2][1] == "skip" and "also on row 2" in reasons[2][2][0]
    assert reasons[1][1] == "create"


def test_staff_and_ambiguous_accounts_are_not_touched(client, instructor, course_class):
    make_user("twin1", STUDENT, email="twin@example.org")
    make_user("twin2", STUDENT, email="TWIN@example.org")
    instructor.email = "irene@example.org"
    instructor.save()
    client.force_login(instructor)
    rows = _rows(
        _upload(client, course_class, HEADER + "twin@example.org,,,\nirene@example.org,,,\n")
    )
    assert rows["twin@example.org"] == (
        "skip",
        "2 accounts have this email; enroll the right one in the admin.",
    )
    assert rows["irene@example.org"] == (
        "skip",
        "A staff account: the roster enrolls students only.",
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"email,name\n\xff\xfe,broken\n", "The file is not UTF-8 text."),
        (b"", "The submitted file is empty."),
        (b"\n\n", "The file is empty."),
        (b"name,section\nAda,A\n", "The first row must name the columns, with at least “email”"),
        (b'email,name\n"x@example.org,"unterminated\n', "The file is not valid CSV"),
    ],
)
def test_a_malformed_file_is_refused_whole(client, instructor, course_class, data, message):
    client.force_login(instructor)
    response = _upload(client, course_class, data)
    assert response.status_code == 400
    assert message in response.text
    assert "plan" not in response.context and not User.objects.filter(email__contains="@").exists()


def test_headers_are_matched_loosely(client, instructor, course_class):
    client.force_login(instructor)
    preview = _upload(
        client, course_class, "\ufeffE-mail,Name,SECTION,Student_ID\nx@example.org,X,b,7\n"
    )
    row = preview.context["plan"].rows[0]
    assert (row.email, row.section, row.student_id, row.action) == (
        "x@example.org",
        "b",
        "7",
        "create",
    )


def test_applying_writes_nothing_when_one_row_fails(client, instructor, course_class):
    client.force_login(instructor)
    preview = _upload(client, course_class, HEADER + "a@example.org,,,\nb@example.org,,,\n")
    real_get_or_create = Enrollment.objects.get_or_create

    def fail_on_the_second_row(**kwargs):
        if Enrollment.objects.exists():
            raise RuntimeError("database went away")
        return real_get_or_create(**kwargs)

    with (
        mock.patch.object(Enrollment.objects, "get_or_create", side_effect=fail_on_the_second_row),
        pytest.raises(RuntimeError),
    ):
        _apply(client, course_class, preview)
    assert not User.objects.filter(email__in=["a@example.org", "b@example.org"]).exists()
    assert not Enrollment.objects.exists()


def test_a_username_taken_at_the_same_moment_is_chosen_again_not_a_500(
    client, instructor, course_class
):
    client.force_login(instructor)
    preview = _upload(client, course_class, HEADER + "ana@example.org,Ana Diaz,A,\n")
    make_user("ana", STUDENT, email="someone-else@example.org")  # after the preview
    with mock.patch("cohorts.roster.free_username", side_effect=["ana", "ana-2"]):
        response = _apply(client, course_class, preview)
    assert response.status_code == 200
    created = User.objects.get(email="ana@example.org")
    assert created.username == "ana-2"
    assert Enrollment.objects.filter(course_class=course_class, user=created).exists()


def test_an_account_made_for_the_same_email_at_the_same_moment_is_used_not_doubled(
    client, instructor, course_class
):
    client.force_login(instructor)
    preview = _upload(client, course_class, HEADER + "bo@example.org,Bo Li,,\n")
    real_plan = roster_plan_from_text

    def plan_then_race(**kwargs):
        plan = real_plan(**kwargs)  # planned "create account" inside the apply...
        make_user("bo-elsewhere", STUDENT, email="BO@example.org")  # ...then another upload
        return plan

    with mock.patch("cohorts.roster.roster_plan_from_text", side_effect=plan_then_race):
        response = _apply(client, course_class, preview)
    assert response.status_code == 200
    assert User.objects.filter(email__iexact="bo@example.org").count() == 1
    assert Enrollment.objects.filter(
        course_class=course_class, user__username="bo-elsewhere"
    ).exists()


def test_a_student_who_joined_by_code_since_the_preview_is_kept_as_they_joined(
    client, instructor, course_class
):
    student = make_user("cy", STUDENT, email="cy@example.org")
    client.force_login(instructor)
    preview = _upload(client, course_class, HEADER + "cy@example.org,,B,S-9\n")
    real_plan = roster_plan_from_text

    def plan_then_join(**kwargs):
        plan = real_plan(**kwargs)
        enroll(student, course_class)
        return plan

    with mock.patch("cohorts.roster.roster_plan_from_text", side_effect=plan_then_join):
        response = _apply(client, course_class, preview)
    assert response.status_code == 200
    assert Enrollment.objects.filter(course_class=course_class, user=student).count() == 1


def test_applying_a_stale_preview_shows_the_new_one_and_writes_nothing(
    client, instructor, course_class
):
    client.force_login(instructor)
    preview = _upload(client, course_class, HEADER + "a@example.org,,A,\n")
    Section.objects.filter(name="A").delete()  # the row's section is gone since the preview
    response = _apply(client, course_class, preview)
    assert response.status_code == 409
    assert "The class changed since your preview" in response.text
    assert _rows(response)["a@example.org"][0] == "skip"
    assert not User.objects.filter(email="a@example.org").exists()


def test_a_tampered_apply_is_refused(client, instructor, course_class):
    client.force_login(instructor)
    response = client.post(_url(course_class), {"apply": "1", "text": "", "fingerprint": ""})
    assert response.status_code == 400 and "Upload the roster again" in response.text


def test_an_archived_class_takes_no_roster(client, instructor, course_class):
    preview_text = HEADER + "a@example.org,,,\n"
    client.force_login(instructor)
    preview = _upload(client, course_class, preview_text)
    CourseClass.objects.filter(pk=course_class.pk).update(archived=True)
    assert client.get(_url(course_class)).status_code == 409
    assert _upload(client, course_class, preview_text).status_code == 409
    assert _apply(client, course_class, preview).status_code == 409
    assert not User.objects.filter(email="a@example.org").exists()


def test_students_graders_and_anonymous_visitors_never_reach_it(
    client, student, grader, course_class
):
    for user in (student, grader):
        client.force_login(user)
        assert client.get(_url(course_class)).status_code == 404
        assert _upload(client, course_class, HEADER + "a@example.org,,,\n").status_code == 404
    client.logout()
    assert client.get(_url(course_class)).status_code == 302
    assert not User.objects.filter(email="a@example.org").exists()
