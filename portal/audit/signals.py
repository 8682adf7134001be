"""Receivers that turn Django, axes and tenancy signals into audit events (whatever path caused them)."""

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from tenants.models import Invitation, Membership, Partner
from tenants.signals import partner_deactivated, partner_reactivated

from .choices import AuditAction
from .services import audit_record


def _attempted(credentials) -> str:
    """The address someone tried to sign in with (never the password: Django has already masked it)."""
    value = (credentials or {}).get("username") or (credentials or {}).get("email") or ""
    return str(value).strip().lower()[:254]


@receiver(user_logged_in, dispatch_uid="audit_login")
def _login(sender, request, user, **kwargs):
    audit_record(action=AuditAction.LOGIN, actor=user, request=request)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def _logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(action=AuditAction.LOGOUT, actor=user, request=request)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    attempted = _attempted(credentials)
    audit_record(action=AuditAction.LOGIN_FAILED, actor=attempted or "?", request=request)


@receiver(user_locked_out, dispatch_uid="audit_locked_out")
def _locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    audit_record(action=AuditAction.LOCKED_OUT, actor=str(username or "?"), request=request)


@receiver(pre_save, sender=Membership, dispatch_uid="audit_membership_before")
def _membership_before(sender, instance, **kwargs):
    old = (
        Membership.objects.filter(pk=instance.pk).values_list("role", "is_compliance_officer").first()
        if instance.pk
        else None
    )
    instance._audit_old_role, instance._audit_old_officer = old or (None, None)


@receiver(post_save, sender=Membership, dispatch_uid="audit_membership_saved")
def _membership_saved(sender, instance, created, **kwargs):
    old_role = getattr(instance, "_audit_old_role", None)
    old_officer = getattr(instance, "_audit_old_officer", None)
    if not created and old_officer is not None and old_officer != instance.is_compliance_officer:
        audit_record(
            action=AuditAction.COMPLIANCE_OFFICER_CHANGED,
            partner=instance.partner,
            target=instance.user,
            details={"email": instance.user.email, "officer": instance.is_compliance_officer},
        )
    if created:
        action, details = AuditAction.MEMBERSHIP_ADDED, {"email": instance.user.email, "role": instance.role}
    elif old_role != instance.role:
        action, details = (
            AuditAction.ROLE_CHANGED,
            {"email": instance.user.email, "from": old_role, "to": instance.role},
        )
    else:
        return
    audit_record(action=action, partner=instance.partner, target=instance.user, details=details)


@receiver(post_delete, sender=Membership, dispatch_uid="audit_membership_deleted")
def _membership_deleted(sender, instance, **kwargs):
    audit_record(
        action=AuditAction.MEMBERSHIP_REMOVED,
        partner=instance.partner,
        details={"email": instance.user.email, "role": instance.role},
    )


@receiver(post_save, sender=Invitation, dispatch_uid="audit_invitation_saved")
def _invitation_saved(sender, instance, created, update_fields=None, **kwargs):
    if created:
        action = AuditAction.INVITATION_SENT
    elif instance.accepted_at is not None and (update_fields is None or "accepted_at" in update_fields):
        action = AuditAction.INVITATION_ACCEPTED
    elif instance.revoked_at is not None and (update_fields is None or "revoked_at" in update_fields):
        action = AuditAction.INVITATION_REVOKED
    else:
        return
    details = {"email": instance.email, "role": instance.role, "officer": instance.is_compliance_officer}
    audit_record(action=action, partner=instance.partner, details=details)


@receiver(post_save, sender=Partner, dispatch_uid="audit_partner_saved")
def _partner_saved(sender, instance, created, **kwargs):
    if created and not instance.is_public and instance.schema_name != settings.TENANT_BASE_SCHEMA:
        audit_record(action=AuditAction.PARTNER_PROVISIONED, partner=instance, target=instance)


@receiver(partner_deactivated, dispatch_uid="audit_partner_deactivated")
def _partner_deactivated(sender, partner, **kwargs):
    audit_record(action=AuditAction.PARTNER_DEACTIVATED, partner=partner, target=partner)


@receiver(partner_reactivated, dispatch_uid="audit_partner_reactivated")
def _partner_reactivated(sender, partner, **kwargs):
    audit_record(action=AuditAction.PARTNER_REACTIVATED, partner=partner, target=partner)
