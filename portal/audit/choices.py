"""What an audit event records. New domains add their actions here (no migration: the column has no choices)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    LOGIN = "auth.login", _("Signed in")
    LOGOUT = "auth.logout", _("Signed out")
    LOGIN_FAILED = "auth.login_failed", _("Sign-in failed")
    LOCKED_OUT = "auth.locked_out", _("Sign-in paused after repeated failures")
    API_KEY_REFUSED = "auth.api_key_refused", _("API key refused")
    SESSION_EXPIRED = "auth.session_expired", _("Session expired")
    TWO_FACTOR_ENABLED = "auth.2fa_enabled", _("Two-factor authentication turned on")
    TWO_FACTOR_DISABLED = "auth.2fa_disabled", _("Two-factor authentication turned off")
    TWO_FACTOR_FAILED = "auth.2fa_failed", _("Two-factor code refused")
    RECOVERY_CODE_USED = "auth.recovery_code_used", _("Recovery code used")
    PASSWORD_CHANGED = "auth.password_changed", _("Password changed")
    PERMISSION_DENIED = "access.denied", _("Access refused")
    MEMBERSHIP_ADDED = "membership.added", _("Person added to the partner")
    ROLE_CHANGED = "membership.role_changed", _("Role changed")
    MEMBERSHIP_REMOVED = "membership.removed", _("Person removed from the partner")
    COMPLIANCE_OFFICER_CHANGED = "membership.officer_changed", _("Compliance officer named or unnamed")
    INVITATION_SENT = "invitation.sent", _("Invitation sent")
    INVITATION_REVOKED = "invitation.revoked", _("Invitation withdrawn")
    INVITATION_ACCEPTED = "invitation.accepted", _("Invitation accepted")
    SIGNED_OUT_EVERYWHERE = "auth.signed_out_everywhere", _("Signed out on every workspace")
    HANDOFF = "auth.handoff", _("Opened another workspace without signing in again")
    HANDOFF_REFUSED = "auth.handoff_refused", _("Workspace hand-off refused")
    PARTNER_PROVISIONED = "partner.provisioned", _("Partner admitted")
    PARTNER_DEACTIVATED = "partner.deactivated", _("Partner deactivated")
    PARTNER_REACTIVATED = "partner.reactivated", _("Partner reactivated")
    API_KEY_CREATED = "api_key.created", _("API key created")
    API_KEY_REVOKED = "api_key.revoked", _("API key revoked")
    IMPORT_CREATED = "import.created", _("Vehicle import uploaded")
    IMPORT_FINISHED = "import.finished", _("Vehicle import finished")
    PROJECT_STAGE_CHANGED = "project.stage_changed", _("Project stage changed")
    # Called by the export-compliance domain (see docs/security.md).
    COMPLIANCE_OVERRIDE = "compliance.override", _("Compliance block overridden")
    COMPLIANCE_RELEASE_REQUESTED = "compliance.release_requested", _("Shipment release requested (four-eyes)")
    COMPLIANCE_RELEASE_APPROVED = "compliance.release_approved", _("Shipment release approved (four-eyes)")
    COMPLIANCE_RELEASE_DECLINED = "compliance.release_declined", _("Shipment release declined or withdrawn")
    COMPLIANCE_SCREENING_DISMISSED = "compliance.screening_dismissed", _("Screening hit marked not the listed party")
    COMPLIANCE_SCREENING_DISMISSAL_REVOKED = "compliance.dismissal_revoked", _("Screening hit dismissal revoked")
    COMPLIANCE_RULE_CHANGED = "compliance.rule_changed", _("Compliance rule changed")
    STATISTICS_SETTING_CHANGED = "statistics.setting_changed", _("Statistics target, risk rule or policy changed")
    # Battery passports: every read beyond the public group, and every link a partner issues.
    PASSPORT_READ = "passport.read", _("Battery passport read beyond the public attributes")
    PASSPORT_LINK_ISSUED = "passport.link_issued", _("Battery passport link issued")
