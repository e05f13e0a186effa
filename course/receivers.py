"""Cache upkeep: forget a remembered "not an author" (course.access.can_author) when what
it was computed from changes: a user's groups or permissions, a group's permissions, or
the user row itself (active, superuser). Only cache keys are touched here; no rule lives
in these receivers (HOUSE_STYLE), the rule stays in course.access."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_save

from course.access import not_author_key


def _forget(user_pks: Iterable[int]) -> None:
    keys = [not_author_key(pk) for pk in user_pks]
    if keys:
        cache.delete_many(keys)


def _members(groups) -> list[int]:
    return list(get_user_model().objects.filter(groups__in=groups).values_list("pk", flat=True))


def user_groups_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """user.groups.add(...) (instance: the user) or group.user_set.add(...) (the group)."""
    if not action.startswith("post_") and action != "pre_clear":
        return
    if not reverse:
        _forget([instance.pk])
    elif action == "pre_clear":
        _forget(_members([instance]))
    else:
        _forget(pk_set or [])


def user_permissions_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """user.user_permissions.add(...) (the user) or permission.user_set.add(...)."""
    if not action.startswith("post_") and action != "pre_clear":
        return
    if not reverse:
        _forget([instance.pk])
    elif action == "pre_clear":
        _forget(instance.user_set.values_list("pk", flat=True))
    else:
        _forget(pk_set or [])


def group_permissions_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """group.permissions.add(...) (the group) or permission.group_set.add(...)."""
    if not action.startswith("post_") and action != "pre_clear":
        return
    if not reverse:
        _forget(_members([instance]))
    elif action == "pre_clear":
        _forget(_members(instance.group_set.all()))
    else:
        _forget(_members(Group.objects.filter(pk__in=pk_set or [])))


def user_saved(sender, instance, **kwargs) -> None:
    _forget([instance.pk])


def connect() -> None:
    user_model = get_user_model()
    m2m_changed.connect(user_groups_changed, sender=user_model.groups.through)
    m2m_changed.connect(user_permissions_changed, sender=user_model.user_permissions.through)
    m2m_changed.connect(group_permissions_changed, sender=Group.permissions.through)
    post_save.connect(user_saved, sender=user_model)
