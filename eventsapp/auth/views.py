"""Sign-in, sign-out, the account page with personal API tokens, password change, and the
one-time links that set a password (invitations, "Forgot your password?")."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

import segno
from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, logout_user
from sqlalchemy import select

from ..events.services import current_work_plan, public_events
from ..extensions import db, limiter
from ..formfields import choices
from ..models import CHECKIN, FOCAL_POINT, ApiToken, utcnow
from ..ops import security_event
from ..sealing import SealError, seal, unseal
from ..tokens import hash_token
from . import links, mfa, services
from .forms import (
    ConfirmForm,
    ForgotPasswordForm,
    LoginForm,
    MfaSetupForm,
    PasswordChangeForm,
    RecoveryCodesForm,
    SecondFactorForm,
    SetPasswordForm,
    TokenForm,
)
from .gate import mfa_required
from .loader import (
    MFA_PENDING,
    begin_second_factor,
    device_remembered,
    pending_second_factor,
    remember_device,
    start_session,
)
from .permissions import ACCREDITORS, MANAGERS, roles_required
from .roles import token_scopes_allowed

bp = Blueprint("auth", __name__)

_UNSAFE_NEXT = re.compile(r"[\x00-\x20\x7f\\]")


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site ("/…", not "//…"), else None: no open redirect."""
    if not target:
        return None
    for candidate in (target, unquote(target)):
        if (not candidate.startswith("/") or candidate.startswith("//")
                or _UNSAFE_NEXT.search(candidate)):
            return None
        parts = urlsplit(candidate)
        if parts.scheme or parts.netloc:
            return None
    return target


def home_url(user) -> str:
    if user.role == FOCAL_POINT:
        return url_for("accreditation.home")
    return url_for("admin.dashboard") if user.role in MANAGERS else url_for("auth.account")


def _login_email() -> str:
    return services.normalize_email(request.form.get("email", ""))[:320]


def _login_key() -> str:
    # Per address and account: one attacker cannot lock everybody out, nor try one account
    # from many tabs.
    return f"{get_remote_address()}|{_login_email()}"


def _failed_sign_in(response: Response) -> bool:
    # Only failures count (a sign-in that worked answers 303): staff who type their
    # password right are never slowed by others' attempts on the per-account limits.
    return response.status_code != 303


def _config_limit(name: str):
    return lambda: current_app.config[name]


@bp.route("/login", methods=["GET", "POST"])
# Four budgets of failed sign-ins (config.py): this client on this account; this account
# from anywhere; this client on any account (spraying one password over many accounts);
# the whole site. Keys are shared by every worker and host through RATELIMIT_STORAGE_URI.
@limiter.limit(_config_limit("RATELIMIT_LOGIN"), key_func=_login_key,
               methods=["POST"], deduct_when=_failed_sign_in)
@limiter.limit(_config_limit("RATELIMIT_LOGIN_ACCOUNT"),
               key_func=lambda: f"account|{_login_email()}",
               methods=["POST"], deduct_when=_failed_sign_in)
@limiter.limit(_config_limit("RATELIMIT_LOGIN_CLIENT"),
               key_func=lambda: f"client|{get_remote_address()}",
               methods=["POST"], deduct_when=_failed_sign_in)
@limiter.limit(_config_limit("RATELIMIT_LOGIN_GLOBAL"), key_func=lambda: "site",
               methods=["POST"], deduct_when=_failed_sign_in)
def login() -> Response | str:
    next_url = safe_next(request.values.get("next"))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(next_url or home_url(current_user), 303)
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None and mfa.is_enabled(user) and not device_remembered(user):
            begin_second_factor(user, next_url)
            return redirect(url_for("auth.login_mfa"), 303)
        if user is not None:
            start_session(user)
            return redirect(next_url or home_url(user), 303)
        error = "The email address or password is not right."
        known = services.get_user_by_email(form.email.data)
        security_event("sign_in_failed", user_id=known.id if known else None,
                       account_known=known is not None,
                       email_sha256=hash_token(_login_email())[:16])
    elif request.method == "POST":
        error = "Enter your email address and password."
    status = 401 if error else 200
    return render_template("auth/login.html", form=form, error=error, next_url=next_url), status


def _pending_key() -> str:
    user_id = (session.get(MFA_PENDING) or {}).get("uid") \
        if isinstance(session.get(MFA_PENDING), dict) else None
    return f"mfa|{user_id}" if user_id else f"mfa-client|{get_remote_address()}"


@bp.route("/login/mfa", methods=["GET", "POST"])
@limiter.limit(_config_limit("RATELIMIT_MFA"), key_func=_pending_key, methods=["POST"],
               deduct_when=_failed_sign_in)
def login_mfa() -> Response | tuple[str, int]:
    """The second step of signing in: a code from the app, or a recovery code."""
    user, next_url = pending_second_factor()
    if user is None:
        flash("Sign in with your email address and password first.", "info")
        return redirect(url_for("auth.login"), 303)
    form = SecondFactorForm()
    if form.validate_on_submit():
        used = mfa.verify(user, form.code.data)
        if used is not None:
            start_session(user)
            response = redirect(next_url or home_url(user), 303)
            if form.remember.data:
                remember_device(response, user)
            if used == "recovery":
                left = mfa.remaining_recovery_codes(user)
                security_event("mfa_recovery_code_used", user_id=user.id, left=left)
                flash(f"You used a recovery code; {left} are left. If you lost your phone, "
                      "set up the app again or make new codes on your account page.", "info")
            return response
        security_event("mfa_failed", user_id=user.id)
        form.code.errors.append("That code is not right, or was used already. Type the 6 "
                                "digits your app shows now, or a recovery code.")
    status = 401 if form.is_submitted() else 200
    return render_template("auth/login_mfa.html", form=form), status


@bp.post("/logout")
def logout() -> Response:
    if current_user.is_authenticated:
        # Rotating the nonce makes copies of this cookie worthless too.
        services.end_all_sessions(current_user._get_current_object())
    logout_user()
    session.clear()
    flash("You have signed out.", "info")
    return redirect(url_for("auth.login"), 303)


@bp.post("/account/sign-out-everywhere")
@login_required
def sign_out_everywhere() -> Response:
    if ConfirmForm().validate_on_submit():
        user = current_user._get_current_object()
        revoked = services.sign_out_everywhere(user)
        security_event("signed_out_everywhere", user_id=user.id, tokens_revoked=revoked)
        logout_user()
        session.clear()
        flash("You have been signed out on every device"
              + (f", and your {revoked} API token(s) have been revoked." if revoked else "."),
              "info")
    return redirect(url_for("auth.login"), 303)


@bp.get("/account")
@login_required
def account() -> str:
    return _account_page(_token_form())


def _token_form(**kwargs) -> TokenForm:
    allowed = token_scopes_allowed(current_user.role)
    if current_user.role == FOCAL_POINT and "formdata" not in kwargs:
        kwargs.setdefault("scopes", list(allowed))
    form = TokenForm(**kwargs)
    form.scopes.choices = [c for c in form.scopes.choices if c.value in allowed]
    default_days, max_days = services.token_lifetime_days()
    form.days.choices = choices((d, f"{d} days") for d in sorted({30, default_days, max_days})
                                if d <= max_days)
    if form.days.data is None:
        form.days.data = default_days
    return form


def _account_page(form: TokenForm, new_token: str | None = None, status: int = 200):
    user = current_user._get_current_object()
    return render_template(
        "auth/account.html", form=form, tokens=services.user_tokens(user), new_token=new_token,
        now=utcnow(), confirm_form=ConfirmForm(),
        # Staff limited to some events see those; the others every event of the year.
        desks=(user.events or public_events(current_work_plan(), with_unplanned=True))
        if user.role == CHECKIN else [],
    ), status


def _password_change_key() -> str:
    # Per account, from any address: a stolen session cannot guess the password it needs
    # to take the account over for good.
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return get_remote_address()


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"], key_func=_password_change_key,
               methods=["POST"], deduct_when=lambda response: response.status_code != 303)
def change_password() -> Response | tuple[str, int]:
    form = PasswordChangeForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            services.change_own_password(user, form.current_password.data,
                                         form.new_password.data)
        except services.WrongPasswordError as exc:
            form.current_password.errors.append(str(exc))
        except services.AccountError as exc:
            form.new_password.errors.append(str(exc))
        else:
            # The new nonce signed every other session out; this browser starts a new one.
            start_session(user)
            flash("Your password has been changed. Other sessions have been signed out.", "info")
            return redirect(url_for("auth.account"), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("auth/password.html", form=form), status


@bp.post("/account/tokens")
@roles_required(*ACCREDITORS)
def create_token() -> tuple[str, int]:
    form = _token_form()
    if not form.validate_on_submit():
        return _account_page(form, status=422)
    try:
        # Shown in this response only: we keep nothing but its hash.
        token = services.create_api_token(current_user._get_current_object(),
                                          form.name.data or "", scopes=form.scopes.data,
                                          days=form.days.data)
    except services.AccountError as exc:
        form.scopes.errors = [*form.scopes.errors, str(exc)]
        return _account_page(form, status=422)
    return _account_page(_token_form(formdata=None), new_token=token)


@bp.post("/account/tokens/<int:token_id>/revoke")
@roles_required(*ACCREDITORS)
def revoke_token(token_id: int) -> Response:
    token = db.one_or_404(select(ApiToken).where(ApiToken.id == token_id,
                                                 ApiToken.user_id == current_user.id))
    services.revoke_api_token(token, by=current_user._get_current_object())
    flash("The token has been revoked.", "info")
    return redirect(url_for("auth.account"), 303)


# --- one-time links: "Forgot your password?" and invitations -----------------------------------


def _reset_address_key() -> str:
    # Per address asked about, from any client: nobody floods someone's mailbox.
    return "reset|" + services.normalize_email(request.form.get("email", ""))


@bp.route("/login/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_RESET_LINK_CLIENT"],
               methods=["POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_RESET_LINK"],
               key_func=_reset_address_key, methods=["POST"])
def forgot_password() -> Response | tuple[str, int]:
    """Ask for a link to set a new password; the same answer for any address."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        email = services.normalize_email(form.email.data)
        links.request_password_reset(email)
        # Whether or not the address has an account: no oracle of who has one.
        flash(f"If {email} belongs to an account, we have emailed it a link to choose a new "
              "password. The link works once, for 1 hour.", "info")
        return redirect(url_for("auth.login"), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("auth/forgot.html", form=form), status


@bp.route("/login/set-password/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"], methods=["POST"],
               deduct_when=lambda response: response.status_code != 303)
def set_password(token: str) -> Response | tuple[str, int]:
    """The page an invitation or reset email links to. GET changes nothing (mail scanners
    open links); the POST sets the password, uses the link up and signs the person in."""
    link = links.valid_link(token)
    if link is None:
        return render_template("auth/link_invalid.html", message=links.INVALID_MESSAGE), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = links.set_password_with_link(token, form.new_password.data)
        except links.LinkInvalid as exc:
            return render_template("auth/link_invalid.html", message=str(exc)), 410
        except services.AccountError as exc:
            form.new_password.errors.append(str(exc))
        else:
            start_session(user)
            flash("Your password is set, and you are signed in.", "success")
            return redirect(home_url(user), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("auth/set_password.html", form=form, account=link.user,
                           invitation=link.purpose == "invite"), status
def qr_data_uri(text: str) -> str:
    """`text` as a QR code: an SVG data: URI (the page's CSP allows data: images)."""
    return segno.make(text, error="m").svg_data_uri(scale=5, border=4, dark="#000",
                                                   light="#fff")


# --- setting up the second factor -----------------------------------------------------------

MFA_SETUP_SECRET = "mfa_setup_secret"  # noqa: S105  a session key, not a secret


@bp.get("/account/mfa")
@login_required
def mfa_status() -> str:
    user = current_user._get_current_object()
    return render_template("auth/mfa.html", enabled=mfa.is_enabled(user),
                           required=mfa_required(user), form=RecoveryCodesForm(),
                           left=mfa.remaining_recovery_codes(user) if mfa.is_enabled(user)
                           else 0)


@bp.route("/account/mfa/setup", methods=["GET", "POST"])
@login_required
@limiter.limit(_config_limit("RATELIMIT_MFA"), key_func=_password_change_key,
               methods=["POST"], deduct_when=lambda r: r.status_code == 422)
def mfa_setup() -> Response | tuple[str, int]:
    """Scan a QR code (or type the key), then prove it with one code; recovery codes follow."""
    user = current_user._get_current_object()
    if mfa.is_enabled(user):
        return redirect(url_for("auth.mfa_status"), 303)
    # The new secret waits in the (signed) session, sealed: it is the user's, but a cookie
    # should not carry it readable.
    secret = None
    if session.get(MFA_SETUP_SECRET):
        try:
            secret = unseal(session[MFA_SETUP_SECRET], mfa.SEAL_PURPOSE)
        except SealError:
            secret = None
    if secret is None:
        secret = mfa.new_secret()
        session[MFA_SETUP_SECRET] = seal(secret, mfa.SEAL_PURPOSE)
    form = MfaSetupForm()
    if form.validate_on_submit():
        try:
            codes = mfa.enable(user, secret, form.code.data)
        except mfa.MfaError as exc:
            form.code.errors.append(str(exc))
        else:
            session.pop(MFA_SETUP_SECRET, None)
            security_event("mfa_enabled", user_id=user.id)
            return render_template("auth/recovery_codes.html", codes=codes, new=True), 200
    uri = mfa.provisioning_uri(secret, user.email, current_app.config["MFA_ISSUER"])
    return render_template(
        "auth/mfa_setup.html", form=form, qr=qr_data_uri(uri),
        key=" ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
        required=mfa_required(user)), 422 if form.is_submitted() else 200


@bp.post("/account/mfa/recovery-codes")
@login_required
@limiter.limit(_config_limit("RATELIMIT_MFA"), key_func=_password_change_key,
               deduct_when=lambda r: r.status_code == 422)
def mfa_recovery_codes() -> Response | tuple[str, int]:
    user = current_user._get_current_object()
    form = RecoveryCodesForm()
    if not mfa.is_enabled(user):
        return redirect(url_for("auth.mfa_setup"), 303)
    if form.validate_on_submit():
        try:
            codes = mfa.regenerate_recovery_codes(user, form.code.data)
        except mfa.MfaError as exc:
            form.code.errors.append(str(exc))
        else:
            security_event("mfa_recovery_codes_regenerated", user_id=user.id)
            return render_template("auth/recovery_codes.html", codes=codes, new=False), 200
    return render_template("auth/mfa.html", enabled=True, required=mfa_required(user),
                           form=form, left=mfa.remaining_recovery_codes(user)), 422
