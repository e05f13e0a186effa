"""Invitations: an email to a student whose account a roster made, with a link to set
their password (Django's password-reset token: it works once, for PASSWORD_RESET_TIMEOUT)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from cohorts.models import CourseClass

log = logging.getLogger(__name__)


@dataclass
class InvitationsSent:
    sent: list[AbstractBaseUser] = field(default_factory=list)
    failed: list[tuple[AbstractBaseUser, str]] = field(default_factory=list)

    @property
    def written_to_files(self) -> bool:
        """No mail server is configured: the messages are files under var/sent-mail/."""
        return settings.EMAIL_BACKEND.endswith("filebased.EmailBackend")


def set_password_url(user: AbstractBaseUser, base_url: str) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return base_url.rstrip("/") + path


def invitations_send(
    *, users: list[AbstractBaseUser], course_class: CourseClass, base_url: str
) -> InvitationsSent:
    """Email each user (who has an address) a set-password link. A failure to send is
    reported per user; it never undoes the enrollment that came before."""
    result = InvitationsSent()
    days = settings.PASSWORD_RESET_TIMEOUT // 86400
    try:
        connection = get_connection()
        connection.open()
    except Exception as error:  # noqa: BLE001 - any transport error is reported, not raised
        log.warning("mail server unreachable: %s", error)
        result.failed = [(user, f"the mail server is unreachable ({error})") for user in users]
        return result
    try:
        for user in users:
            if not user.email:
                result.failed.append((user, "no email address"))
                continue
            context = {
                "user": user,
                "course_class": course_class,
                "url": set_password_url(user, base_url),
                "days": days,
            }
            message = EmailMessage(
                subject=f"You are in {course_class}: set your password",
                body=render_to_string("cohorts/invitation_email.txt", context),
                to=[user.email],
                connection=connection,
            )
            try:
                message.send()
            except Exception as error:  # noqa: BLE001
                log.warning("invitation to %s not sent: %s", user.email, error)
                result.failed.append((user, str(error)))
            else:
                result.sent.append(user)
    finally:
        connection.close()
    return result
