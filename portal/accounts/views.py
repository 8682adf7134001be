"""Sign-in with an optional second step, and the page where people turn two-factor sign-in on or off."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_not_required, login_required
from django.contrib.auth.views import LoginView, LogoutView
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from portal.audit.choices import AuditAction
from portal.audit.services import audit_record
from tenants.services import user_sessions_end

from . import two_factor
from .handoff import handoff_create, handoff_redeem, handoff_target

PENDING = "_portal_2fa_pending"  # {"user": pk, "backend": …, "next": …, "at": epoch, "tries": n}
PENDING_FOR_S = 300
MAX_TRIES = 5


class PortalLoginView(LoginView):
    """The password step; people with two-factor sign-in continue to the code step before they are signed in."""

    def form_valid(self, form):
        user = form.get_user()
        if not two_factor.two_factor_enabled(user):
            return super().form_valid(form)
        self.request.session.cycle_key()
        self.request.session[PENDING] = {
            "user": user.pk,
            "backend": user.backend,
            "next": self.get_redirect_url(),
            "at": int(time.time()),
            "tries": 0,
        }
        return redirect("two-factor-verify")


def _pending_user(request):
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending["at"] > PENDING_FOR_S:
        request.session.pop(PENDING, None)
        return None, None
    return get_user_model().objects.filter(pk=pending["user"], is_active=True).first(), pending


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    """The code step of sign-in: a code from the authenticator app, or one of the recovery codes."""
    user, pending = _pending_user(request)
    if user is None:
        messages.info(request, _("Please sign in again."))
        return redirect("login")
    error = None
    if request.method == "POST":
        device = two_factor.two_factor_check(user=user, token=request.POST.get("otp_token", ""))
        if device is not None:
            request.session.pop(PENDING, None)
            login(request, user, backend=pending["backend"])
            otp_login(request, device)
            target = pending.get("next") or ""
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = settings.LOGIN_REDIRECT_URL
            return HttpResponseRedirect(target if target.startswith("/") else reverse(target))
        pending["tries"] += 1
        if pending["tries"] >= MAX_TRIES:
            request.session.pop(PENDING, None)
            messages.error(request, _("Too many wrong codes. Please sign in again."))
            return redirect("login")
        request.session[PENDING] = pending
        error = _("That code is not right, or it has expired. Try the current code.")
    return render(request, "registration/two_factor_verify.html", {"error": error})


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_settings(request):
    """Turn two-factor sign-in on (scan, confirm), get new recovery codes, or turn it off."""
    user = request.user
    action = request.POST.get("action") if request.method == "POST" else None
    context = {"enabled": two_factor.two_factor_enabled(user), "required": two_factor.two_factor_required(user)}
    if action == "begin":
        two_factor.two_factor_begin(user=user)
    elif action == "confirm":
        codes = two_factor.two_factor_confirm(user=user, token=request.POST.get("otp_token", ""))
        if codes is None:
            context["error"] = _("That code is not right. Scan the QR code again or type the key, then try again.")
        else:
            otp_login(request, two_factor.TOTPDevice.objects.get(user=user, confirmed=True))
            messages.success(request, _("Two-factor sign-in is on."))
            return render(request, "registration/two_factor.html", {**context, "enabled": True, "codes": codes})
    elif action == "codes":
        if two_factor.two_factor_check(user=user, token=request.POST.get("otp_token", "")) is None:
            context["error"] = _("That code is not right.")
        else:
            context["codes"] = two_factor.recovery_codes_new(user=user)
    elif action == "disable":
        if context["required"]:
            context["error"] = _("Staff must keep two-factor sign-in on.")
        elif two_factor.two_factor_disable(user=user, token=request.POST.get("otp_token", "")):
            messages.success(request, _("Two-factor sign-in is off."))
            return redirect("two-factor")
        else:
            context["error"] = _("That code is not right.")
    device = None if two_factor.two_factor_enabled(user) else two_factor.pending_device(user=user)
    if device is not None:
        context.update(qr=two_factor.qr_code_data_uri(device), secret=two_factor.secret_for_typing(device))
    return render(request, "registration/two_factor.html", context)


@login_not_required
def admin_login(request):
    """The admin signs in through the portal's sign-in (with its two-factor step), never around it."""
    target = request.GET.get("next") or reverse("admin:index")
    return redirect(f"{reverse('login')}?next={target}")


class StaffTwoFactorMiddleware:
    """With PORTAL_2FA_REQUIRED_FOR_STAFF, the admin and staff pages need a session verified with a second factor."""

    PREFIXES = ("/admin/", "/staff/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and request.path.startswith(self.PREFIXES)
            and two_factor.two_factor_required(user)
            and not user.is_verified()
        ):
            messages.warning(request, _("Staff pages need two-factor sign-in: turn it on, or sign in again with it."))
            return redirect("two-factor")
        return self.get_response(request)


class PortalLogoutView(LogoutView):
    """Signing out ends the person's sessions on every host, not only this one."""

    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            user_sessions_end(user=request.user)
            audit_record(action=AuditAction.SIGNED_OUT_EVERYWHERE, actor=request.user, request=request)
        return super().post(request, *args, **kwargs)


@login_required
@require_http_methods(["POST"])
def handoff_start(request):
    """Open another workspace (from the Workspaces menu) without signing in again: off to its host with a token."""
    target = handoff_target(request.POST.get("to", ""))
    device = request.user.otp_device if request.user.is_verified() else None
    try:
        url = handoff_create(user=request.user, device=device, target=target, next_path=request.POST.get("next", "/"))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("home")
    # A page whose script follows the link, not a redirect: the CSP's form-action 'self' stops a form's redirect
    # to another host, while a link is ordinary navigation.
    return render(request, "registration/handoff_go.html", {"url": url, "target": target})


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def handoff(request):
    """The target host's end of a hand-off: GET shows (and a script submits) the form, POST opens the session."""
    token = request.POST.get("token") if request.method == "POST" else request.GET.get("token")
    if not token:
        return redirect("login")
    if request.method == "GET":
        return render(request, "registration/handoff.html", {"token": token})
    try:
        result = handoff_redeem(token=token or "", here=request.tenant, host=request.get_host())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("login")
    login(request, result.user, backend="django.contrib.auth.backends.ModelBackend")
    if result.device is not None:
        otp_login(request, result.device)
    audit_record(action=AuditAction.HANDOFF, actor=result.user, request=request)
    return redirect(result.next_path)
