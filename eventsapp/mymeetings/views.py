"""My meetings (`/my`): ask for a sign-in link, follow it, see every registration of the
address and its one year feed. Nothing about any registration is shown before the link."""

from __future__ import annotations

import unicodedata

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from ..calendar import ical
from ..calendar.http import calendar_response
from ..extensions import limiter
from ..registration.services import renew_link_for_verified_address
from ..registration.validation import clean_email
from . import services
from .forms import ActionForm, AddressForm, FeedForm

bp = Blueprint("my", __name__)

SESSION_KEY = "my_meetings"  # the session's secret; the database keeps its hash
FEED_TITLE = "My meetings"


def _address_key() -> str:
    # Per address asked for, from any client: nobody floods someone's mailbox. The form the
    # registrations are found by, so "ANA@ｅxample.org" spends ana@example.org's budget.
    return "my|" + services.address_key(request.form.get("email", ""))


@bp.route("/my", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_MY_CLIENT"], methods=["POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_MY_ADDRESS"], key_func=_address_key,
               methods=["POST"])
def start() -> Response | tuple[str, int]:
    """The address form; POST mails a sign-in link (the same answer for any address)."""
    form = AddressForm()
    if form.validate_on_submit():
        try:
            # NFKC first: a full-width "ａｎａ@…" is the same person as "ana@…".
            email = clean_email(unicodedata.normalize("NFKC", form.email.data or ""))
        except ValueError as exc:
            form.email.errors.append(str(exc))
        else:
            services.request_sign_in(email)
            flash(f"We have emailed a sign-in link to {email}. It works once, within 30 "
                  "minutes. If you registered with this address, you will see your "
                  "meetings there.", "success")
            return redirect(url_for(".start"), 303)
    invalid = form.is_submitted() and bool(form.errors or form.email.errors)
    signed_in = services.verified(session.get(SESSION_KEY)) is not None
    return render_template("my/start.html", form=form, invalid=invalid,
                           signed_in=signed_in), 422 if invalid else 200


@bp.route("/my/sign-in/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_MY_CLIENT"], methods=["POST"])
def sign_in(token: str) -> Response | tuple[str, int]:
    """GET changes nothing (mail scanners open links); the POST uses the link up."""
    if services.valid_sign_in(token) is None:
        return _invalid_link(services.INVALID_MESSAGE)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            secret = services.use_sign_in(token)
        except services.SignInInvalid as exc:
            return _invalid_link(str(exc))
        session[SESSION_KEY] = secret
        return redirect(url_for(".meetings"), 303)
    return render_template("my/sign_in.html", form=form), 200


def _invalid_link(message: str) -> tuple[str, int]:
    return render_template("my/link_invalid.html", message=message, form=AddressForm()), 410


def _verified():
    found = services.verified(session.get(SESSION_KEY))
    if found is None:
        session.pop(SESSION_KEY, None)
    return found


def _signed_out() -> Response:
    flash("Your My meetings session has ended (it lasts 1 hour). Ask for a new sign-in "
          "link below.", "info")
    return redirect(url_for(".start"), 303)


@bp.get("/my/meetings")
def meetings() -> Response | str:
    me = _verified()
    if me is None:
        return _signed_out()
    feed = services.feed_of(me.address_key)
    feed_url = None
    if feed is not None:
        secret = services.feed_secret(feed)
        feed_url = url_for(".feed", token=secret, _external=True) if secret else None
    return render_template("my/meetings.html", me=me,
                           registrations=services.registrations_of(me.address_key),
                           feed=feed, feed_url=feed_url,
                           feed_form=FeedForm(alarms=feed.alarms if feed else False),
                           action=ActionForm())


@bp.post("/my/feed")
def start_feed() -> Response:
    """Start the year feed, or reset it (a new URL; the old one stops working)."""
    me = _verified()
    if me is None:
        return _signed_out()
    form = FeedForm()
    if not form.validate_on_submit():
        abort(400)
    had = services.feed_of(me.address_key) is not None
    services.start_or_reset_feed(me.address_key, alarms=form.alarms.data)
    flash("Your calendar has a new address: the old one has stopped working. Subscribe again "
          "with the address below, and remove the old calendar from your apps." if had else
          "Your calendar is ready: subscribe with the address below.", "success")
    return redirect(url_for(".meetings") + "#feed", 303)


@bp.post("/my/feed/alarms")
def feed_alarms() -> Response:
    me = _verified()
    if me is None:
        return _signed_out()
    form = FeedForm()
    if not form.validate_on_submit():
        abort(400)
    if services.set_feed_alarms(me.address_key, form.alarms.data):
        flash("Alarms are on: 15 minutes before each session." if form.alarms.data else
              "Alarms are off.", "success")
    return redirect(url_for(".meetings") + "#feed", 303)


@bp.post("/my/feed/stop")
def stop_feed() -> Response:
    me = _verified()
    if me is None:
        return _signed_out()
    if not ActionForm().validate_on_submit():
        abort(400)
    if services.stop_feed(me.address_key):
        flash("Your calendar address has stopped working. Remove the calendar from your "
              "apps.", "success")
    return redirect(url_for(".meetings") + "#feed", 303)


@bp.post("/my/registrations/<int:registration_id>/open")
def open_registration(registration_id: int) -> Response:
    """Open a registration's private page with a new link (also emailed): only hashes of
    the links are kept, so the old one cannot be shown."""
    me = _verified()
    if me is None:
        return _signed_out()
    if not ActionForm().validate_on_submit():
        abort(400)
    token = renew_link_for_verified_address(registration_id, me.address_key)
    if token is None:
        abort(404, "There is no registration of yours with this number.")
    flash("This is your registration's page, at a new private link that we have also "
          "emailed to you. The link in earlier emails has stopped working.", "success")
    return redirect(url_for("registration.manage", token=token), 303)


@bp.post("/my/sign-out")
def sign_out() -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    services.end_session(session.pop(SESSION_KEY, None))
    flash("You have left My meetings. Ask for a new sign-in link to come back.", "success")
    return redirect(url_for(".start"), 303)


@bp.get("/my/<token>/calendar.ics")
def feed(token: str) -> Response:
    """The year feed: every registration of the address that is not cancelled or declined."""
    year_feed = services.find_feed(token)
    if year_feed is None:
        abort(404, "There is no calendar at this address.")
    state = services.feed_state(year_feed)
    site = ical.Site.from_config(current_app.config,
                                 base_url=url_for("events.index", _external=True))

    def build() -> bytes:
        online = {event_id: ical.Online(link.url, link.details)
                  for event_id, link in services.feed_online_links(year_feed).items()}
        return ical.year_calendar(FEED_TITLE, services.feed_entries(year_feed), site,
                                  alarms=year_feed.alarms, online=online)

    return calendar_response((state.key, site), state.last_modified, build,
                             filename="my-meetings.ics", private=True)
