"""course.access.can_author remembers a "no" for a minute and forgets it when the user's
groups or permissions change, so that giving or taking the right acts at once."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from course.access import can_author
from course.roles import INSTRUCTOR, STUDENT, sync_role_groups
from tests.factories import make_user


def _fresh(user):
    """The user as the next request loads it (nothing remembered on the object)."""
    return get_user_model().objects.get(pk=user.pk)


def _change_lesson():
    return Permission.objects.get(content_type__app_label="course", codename="change_lesson")


def test_a_students_no_is_remembered_across_requests(db, django_assert_num_queries):
    student = make_user("ann", STUDENT)
    assert can_author(_fresh(student)) is False
    later = _fresh(student)
    with django_assert_num_queries(0):
        assert can_author(later) is False


def test_an_instructor_is_an_author_and_their_yes_is_not_remembered(db):
    teacher = make_user("tess", INSTRUCTOR)
    assert can_author(_fresh(teacher)) is True
    teacher.groups.clear()
    assert can_author(_fresh(teacher)) is False


def test_joining_the_instructors_group_makes_a_student_an_author_at_once(db):
    student = make_user("ann", STUDENT)
    assert can_author(_fresh(student)) is False
    student.groups.add(sync_role_groups()[INSTRUCTOR])
    assert can_author(_fresh(student)) is True


def test_being_added_from_the_groups_side_acts_at_once(db):
    student = make_user("ann", STUDENT)
    assert can_author(_fresh(student)) is False
    sync_role_groups()[INSTRUCTOR].user_set.add(student)
    assert can_author(_fresh(student)) is True


def test_a_permission_given_to_the_students_group_reaches_its_members_at_once(db):
    ann, bob = make_user("ann", STUDENT), make_user("bob", STUDENT)
    assert not can_author(_fresh(ann)) and not can_author(_fresh(bob))
    sync_role_groups()[STUDENT].permissions.add(_change_lesson())
    assert can_author(_fresh(ann)) and can_author(_fresh(bob))


def test_a_permission_given_from_its_own_side_reaches_the_groups_members_at_once(db):
    ann = make_user("ann", STUDENT)
    assert not can_author(_fresh(ann))
    _change_lesson().group_set.add(Group.objects.get(name=sync_role_groups()[STUDENT].name))
    assert can_author(_fresh(ann))


def test_a_permission_given_to_the_user_acts_at_once(db):
    ann = make_user("ann", STUDENT)
    assert not can_author(_fresh(ann))
    ann.user_permissions.add(_change_lesson())
    assert can_author(_fresh(ann))


def test_becoming_a_superuser_acts_at_once(db):
    ann = make_user("ann", STUDENT)
    assert not can_author(_fresh(ann))
    ann.is_superuser = True
    ann.save()
    assert can_author(_fresh(ann))


def test_anonymous_visitors_are_never_authors(db):
    from django.contrib.auth.models import AnonymousUser

    assert can_author(AnonymousUser()) is False
