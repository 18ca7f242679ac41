"""Sign-in, sign-out, the account page with personal API tokens, password change."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

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
from ..models import CHECKIN, FOCAL_POINT, ApiToken
from . import services
from .forms import LoginForm, PasswordChangeForm, TokenForm
from .loader import start_session
from .permissions import ACCREDITORS, MANAGERS, roles_required

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


def _login_key() -> str:
    # Per address and account: one attacker cannot lock everybody out, nor try one account
    # from many tabs.
    return f"{get_remote_address()}|{services.normalize_email(request.form.get('email', ''))}"


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_LOGIN"], key_func=_login_key,
               methods=["POST"], deduct_when=lambda response: response.status_code != 303)
def login() -> Response | str:
    next_url = safe_next(request.values.get("next"))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(next_url or home_url(current_user), 303)
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            start_session(user)
            return redirect(next_url or home_url(user), 303)
        error = "The email address or password is not right."
    elif request.method == "POST":
        error = "Enter your email address and password."
    status = 401 if error else 200
    return render_template("auth/login.html", form=form, error=error, next_url=next_url), status


@bp.post("/logout")
def logout() -> Response:
    if current_user.is_authenticated:
        # Rotating the nonce makes copies of this cookie worthless too.
        services.end_all_sessions(current_user._get_current_object())
    logout_user()
    session.clear()
    flash("You have signed out.", "info")
    return redirect(url_for("auth.login"), 303)


@bp.get("/account")
@login_required
def account() -> str:
    return _account_page(TokenForm())


def _account_page(form: TokenForm, new_token: str | None = None, status: int = 200):
    user = current_user._get_current_object()
    return render_template(
        "auth/account.html", form=form, tokens=services.user_tokens(user), new_token=new_token,
        # Staff limited to some events see those; the others every event of the year.
        desks=(user.events or public_events(current_work_plan())) if user.role == CHECKIN else [],
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
    form = TokenForm()
    if not form.validate_on_submit():
        return _account_page(form, status=422)
    # Shown in this response only: we keep nothing but its hash.
    token = services.create_api_token(current_user._get_current_object(), form.name.data or "")
    return _account_page(TokenForm(formdata=None), new_token=token)


@bp.post("/account/tokens/<int:token_id>/revoke")
@roles_required(*ACCREDITORS)
def revoke_token(token_id: int) -> Response:
    token = db.one_or_404(select(ApiToken).where(ApiToken.id == token_id,
                                                 ApiToken.user_id == current_user.id))
    services.revoke_api_token(token, by=current_user._get_current_object())
    flash("The token has been revoked.", "info")
    return redirect(url_for("auth.account"), 303)
