"""Pages of venues: the list, a venue's page and its printable code, editing, the ledger
import, the door keeper's scan, fever alerts, check-ins for tracers, and the public
check-in page a phone opens from the venue code."""

import secrets
from contextlib import suppress

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import BadRequest, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from tongchou.common.qr import qr_svg
from tongchou.core.exports import export_path, export_response
from tongchou.core.lockout import client_address
from tongchou.core.models import User
from tongchou.core.privacy import PUBLIC_PAGE, ROLES_TRACING, PersonalKind, shown
from tongchou.core.uploads import LedgerImportErrorsView, LedgerImportJobView, LedgerUploadView
from tongchou.core.views import RoleRequiredMixin, ScopedDetailView, ScopedListView
from tongchou.registry.codes import personal_code_payload
from tongchou.registry.models import Person
from tongchou.venues import services
from tongchou.venues.forms import (
    AlertHandleForm,
    CheckInExportForm,
    CheckInLookupForm,
    DoorCheckInForm,
    DutyForm,
    PhoneCheckInForm,
    PhoneIdentityForm,
    VenueForm,
    VenueImportForm,
    VenueSearchForm,
)
from tongchou.venues.models import CheckIn, FeverAlert, Venue
from tongchou.venues.phones import (
    phone_device_person,
    phone_device_remember,
    phone_device_revoke,
    phone_identify,
)
from tongchou.venues.selectors import (
    checkins_looked_up,
    recent_checkins,
    venue_figures,
    venue_hourly_today,
    venue_search,
    venue_upcoming_tasks,
)
from tongchou.venues.tasks import IMPORT_VENUES
from tongchou.venues.validation import InvalidCheckIn


class VenueListView(ScopedListView):
    model = Venue
    template_name = "venues/venue_list.html"
    context_object_name = "venues"

    def get_base_queryset(self):
        return Venue.objects.select_related("area").order_by("area__path", "name")

    def get_queryset(self):
        queryset = super().get_queryset()
        self.search_form = VenueSearchForm(self.request.GET or None, user=self.request.user)
        if self.search_form.is_valid():
            data = self.search_form.cleaned_data
            queryset = venue_search(queryset, q=data["q"], kind=data["kind"], area=data["area"])
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["search_form"] = self.search_form
        context["can_edit"] = self.request.user.role in services.ROLES_EDITING_VENUES
        return context


class VenueDetailView(ScopedDetailView):
    """A venue's page: its code, its parties, today's figures, alerts and tasks to come.

    Whose check-ins they are is shown to tracing staff only; everyone else who
    may see the venue (its own responsible person too) sees counts.
    """

    model = Venue
    template_name = "venues/venue_detail.html"
    context_object_name = "venue"

    def get_base_queryset(self):
        return Venue.objects.select_related("area")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        venue, user = self.object, self.request.user
        context["figures"] = venue_figures(venue)
        context["hours"] = venue_hourly_today(venue)
        context["duties"] = venue.duties.select_related("user")
        context["sees_people"] = user.role in ROLES_TRACING
        context["checkins"] = recent_checkins(venue, user=user) if context["sees_people"] else []
        context["alerts"] = (
            FeverAlert.objects.restrict(user).filter(venue=venue).select_related("person")[:20]
        )
        context["tasks"] = venue_upcoming_tasks(venue)[:20]
        context["qr"] = qr_svg(_venue_code_url(self.request, venue))
        context["can_edit"] = user.role in services.ROLES_EDITING_VENUES
        context["can_keep_door"] = user.role in services.ROLES_KEEPING_DOORS
        context["counts_export_url"] = f"{reverse('checkin-export')}?venue={venue.pk}"
        return context


def _venue_code_url(request, venue: Venue) -> str:
    return request.build_absolute_uri(reverse("venue-checkin", args=[venue.code_token]))


class VenueCodeView(ScopedDetailView):
    """The printable poster with the venue's code (A4, one per door)."""

    model = Venue
    template_name = "venues/venue_code.html"
    context_object_name = "venue"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["qr"] = qr_svg(_venue_code_url(self.request, self.object))
        return context


class VenueEditView(RoleRequiredMixin, View):
    allowed_roles = services.ROLES_EDITING_VENUES
    template_name = "venues/venue_form.html"

    def get_venue(self, pk):
        if pk is None:
            return None
        return get_object_or_404(Venue.objects.restrict(self.request.user), pk=pk)

    def get(self, request, pk=None):
        venue = self.get_venue(pk)
        initial = {}
        if venue:
            initial = {
                "name": venue.name,
                "kind": venue.kind,
                "area": venue.area_id,
                "address": venue.address,
                "contact_window_minutes": venue.contact_window_minutes,
                "is_active": venue.is_active,
            }
        form = VenueForm(initial=initial, user=request.user)
        return render(request, self.template_name, {"form": form, "venue": venue})

    def post(self, request, pk=None):
        venue = self.get_venue(pk)
        form = VenueForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if venue is None:
                    data.pop("is_active")
                    venue = services.venue_create(actor=request.user, **data)
                else:
                    venue = services.venue_update(actor=request.user, venue=venue, **data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("venue-detail", pk=venue.pk)
        return render(request, self.template_name, {"form": form, "venue": venue}, status=400)


class VenueDutyView(RoleRequiredMixin, View):
    """Name one of the four responsible parties (四方责任) of a venue."""

    allowed_roles = services.ROLES_EDITING_VENUES
    template_name = "venues/venue_duty.html"

    def _render(self, request, venue, form, status=200):
        return render(
            request,
            self.template_name,
            {"venue": venue, "form": form, "duties": venue.duties.select_related("user")},
            status=status,
        )

    def get(self, request, pk):
        venue = get_object_or_404(Venue.objects.restrict(request.user), pk=pk)
        return self._render(request, venue, DutyForm())

    def post(self, request, pk):
        venue = get_object_or_404(Venue.objects.restrict(request.user), pk=pk)
        form = DutyForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            user = None
            if data["username"]:
                user = User.objects.filter(username=data["username"]).first()
                if user is None:
                    form.add_error("username", _("No such account."))
            if form.is_valid():
                try:
                    services.venue_duty_set(
                        actor=request.user,
                        venue=venue,
                        duty=data["duty"],
                        holder=data["holder"],
                        person_name=data["person_name"],
                        phone=data["phone"],
                        user=user,
                    )
                except ValidationError as exc:
                    form.add_error(None, exc)
                else:
                    messages.success(request, _("Saved."))
                    return redirect("venue-duties", pk=venue.pk)
        return self._render(request, venue, form, status=400)


class VenueImportView(LedgerUploadView):
    """Upload a venue survey ledger; the job worker imports it while the page shows progress."""

    allowed_roles = services.ROLES_EDITING_VENUES
    job_kind = IMPORT_VENUES
    form_class = VenueImportForm
    template_name = "venues/venue_import.html"
    job_url_name = "venue-import-job"


class VenueImportJobView(LedgerImportJobView):
    job_kind = IMPORT_VENUES
    job_url_name = "venue-import-job"
    errors_url_name = "venue-import-errors"
    upload_url_name = "venue-import"


class VenueImportErrorsView(LedgerImportErrorsView):
    job_kind = IMPORT_VENUES
    file_title = "场所导入错误"


class DoorCheckInView(RoleRequiredMixin, View):
    """The door keeper's page: scan a personal code, type the temperature, next."""

    allowed_roles = services.ROLES_KEEPING_DOORS
    template_name = "venues/door.html"

    def get(self, request, pk):
        venue = get_object_or_404(Venue.objects.restrict(request.user), pk=pk)
        return render(request, self.template_name, {"venue": venue, "form": DoorCheckInForm()})

    def post(self, request, pk):
        venue = get_object_or_404(Venue.objects.restrict(request.user), pk=pk)
        form = DoorCheckInForm(request.POST)
        context = {"venue": venue, "form": form}
        if form.is_valid():
            try:
                checkin = services.checkin_at_door(
                    actor=request.user,
                    venue=venue,
                    person_code=form.cleaned_data["person_code"],
                    temperature=form.cleaned_data["temperature"],
                )
            except InvalidCheckIn as exc:
                form.add_error(None, str(exc))
            else:
                context = {
                    "venue": venue,
                    "form": DoorCheckInForm(),
                    "done": checkin,
                    "done_name": shown(request.user, PersonalKind.NAME, checkin.person.name),
                }
                return render(request, self.template_name, context)
        return render(request, self.template_name, context, status=400)


class FeverAlertListView(ScopedListView):
    model = FeverAlert
    template_name = "venues/alert_list.html"
    context_object_name = "alerts"

    def get_base_queryset(self):
        queryset = FeverAlert.objects.select_related("venue", "person", "venue__area")
        if self.request.GET.get("all") != "1":
            queryset = queryset.filter(status="open")
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["handle_form"] = AlertHandleForm()
        return context


class FeverAlertHandleView(View):
    def post(self, request, pk):
        alert = get_object_or_404(FeverAlert.objects.restrict(request.user), pk=pk)
        form = AlertHandleForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Say what was done."))
            return redirect("fever-alerts")
        try:
            services.fever_alert_handle(
                actor=request.user, alert=alert, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("Alert closed."))
        return redirect("fever-alerts")


def _looked_up(request) -> tuple[int | None, int | None]:
    """The venue and the person the check-in list is of (``?venue=`` / ``?person=``)."""
    form = CheckInLookupForm(request.GET)
    if not form.is_valid():
        # The pages link here with ids: anything else (², past 64 bits) was typed by hand.
        raise BadRequest
    return form.cleaned_data["venue"], form.cleaned_data["person"]


class CheckInListView(ScopedListView):
    """Check-ins by venue or by person, for tracing staff; unfiltered it lists nothing,
    as whereabouts are looked at for a reason, not browsed."""

    model = CheckIn
    template_name = "venues/checkin_list.html"
    context_object_name = "checkins"

    def get_queryset(self):
        venue_id, person_id = _looked_up(self.request)
        return checkins_looked_up(self.request.user, venue_id=venue_id, person_id=person_id)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        venue_id, person_id = _looked_up(self.request)
        if venue_id is not None or person_id is not None:
            context["export_url"] = f"{reverse('checkin-export')}?{self.request.GET.urlencode()}"
        return context


class CheckInExportView(View):
    """The check-in list the user sees, as .xlsx or .csv, masked as on the page; logged.

    Tracing staff get whose check-ins they are; anyone else who may see the venue (its
    own responsible person too) gets its counts per day. Out of scope is 404.
    """

    def post(self, request):
        form = CheckInExportForm(request.POST)
        venue_id, person_id = _looked_up(request)
        if not form.is_valid() or (venue_id is None and person_id is None):
            raise Http404
        user, suffix = request.user, form.cleaned_data["file_format"]
        venue = get_object_or_404(Venue.objects.restrict(user), pk=venue_id) if venue_id else None
        path = export_path(f"checkins.{suffix}")
        if user.role in ROLES_TRACING:
            if person_id is not None:
                get_object_or_404(Person.objects.restrict(user), pk=person_id)
            services.checkins_export(
                actor=user,
                queryset=checkins_looked_up(user, venue_id=venue_id, person_id=person_id),
                path=path,
                looked_up=f"venue:{venue_id}" if venue else f"person:{person_id}",
                address=client_address(request),
            )
            title = "签到记录"
        else:
            if venue is None or person_id is not None:
                raise Http404
            services.checkin_counts_export(
                actor=user, venue=venue, path=path, address=client_address(request)
            )
            title = "签到人次"
        return export_response(path, f"{title}.{suffix}")


# ---- the public page a phone opens from the venue code ---------------------------------

DEVICE_COOKIE = "tongchou_me"
# The cookie holds a PhoneDevice's token; cookies signed under the old salt held a
# personal code token and no longer read.
DEVICE_SALT = "venues.phone-device"
DEVICE_MAX_AGE = 365 * 24 * 3600
# Which phone this is, whoever it remembers: kept when the identity is forgotten, so the
# visitor budget is per phone, not per identity (see venues.throttle).
PHONE_ID_COOKIE = "tongchou_phone"
PHONE_ID_SALT = "venues.phone-id"


def _device_token(request) -> str | None:
    return request.get_signed_cookie(DEVICE_COOKIE, default=None, salt=DEVICE_SALT)


def remembered_person(request) -> Person | None:
    """The resident this phone checked in as before (a signed cookie holding the phone's
    own revocable token, see ``venues.phones``), or None."""
    return phone_device_person(_device_token(request))


def _keep_on_phone(request, response, name: str, value: str, *, salt: str) -> None:
    """A signed cookie the phone keeps for a year, out of reach of the page's scripts."""
    response.set_signed_cookie(
        name,
        value,
        salt=salt,
        max_age=DEVICE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )


def _public_venue(token: str) -> Venue | None:
    return Venue.objects.unscoped_for_system_use().filter(code_token=token).first()


@method_decorator(login_not_required, name="dispatch")
@method_decorator(sensitive_post_parameters("name", "id_number", "phone"), name="post")
class PhoneCheckInView(View):
    """The page a venue's code opens: the first time name, ID number and phone (a visitor
    not on the ledger is registered on the venue's grid), then one tap."""

    template_name = "venues/phone.html"

    def _unknown(self, request):
        return render(request, "venues/phone_unknown.html", status=404)

    def get(self, request, token):
        venue = _public_venue(token)
        if venue is None or not venue.is_active:
            return self._unknown(request)
        person = remembered_person(request)
        form = PhoneCheckInForm() if person else PhoneIdentityForm()
        return render(request, self.template_name, self._context(venue, person, form))

    def _context(self, venue, person, form):
        return {
            "venue": venue,
            "person": person,
            "masked_name": shown(PUBLIC_PAGE, PersonalKind.NAME, person.name) if person else "",
            "form": form,
        }

    def post(self, request, token):
        venue = _public_venue(token)
        if venue is None or not venue.is_active:
            return self._unknown(request)
        person = remembered_person(request)
        remember = person is None
        phone_id = request.get_signed_cookie(PHONE_ID_COOKIE, default=None, salt=PHONE_ID_SALT)
        new_phone_id = None if phone_id or not remember else secrets.token_urlsafe(16)
        response = self._answer(request, venue, person, phone_id or new_phone_id)
        if new_phone_id:
            _keep_on_phone(request, response, PHONE_ID_COOKIE, new_phone_id, salt=PHONE_ID_SALT)
        return response

    def _answer(self, request, venue, person, phone_id):
        remember = person is None
        form = PhoneCheckInForm(request.POST) if person else PhoneIdentityForm(request.POST)
        if not form.is_valid():
            return render(
                request, self.template_name, self._context(venue, person, form), status=400
            )
        if person is None:
            person = self._identify(request, form, venue, phone_id)
            if person is None:
                form.add_error(None, self.ask_the_staff())
                return render(
                    request, self.template_name, self._context(venue, None, form), status=400
                )
        try:
            checkin = services.checkin_by_phone(
                venue=venue, person=person, temperature=form.cleaned_data["temperature"]
            )
        except InvalidCheckIn as exc:
            form.add_error(None, str(exc))
            remembered = None if remember else person
            return render(
                request, self.template_name, self._context(venue, remembered, form), status=400
            )
        response = render(
            request,
            "venues/phone_done.html",
            {
                "venue": venue,
                "checkin": checkin,
                "masked_name": shown(PUBLIC_PAGE, PersonalKind.NAME, person.name),
            },
        )
        if remember:
            token = phone_device_remember(person=person)
            _keep_on_phone(request, response, DEVICE_COOKIE, token, salt=DEVICE_SALT)
        return response

    @method_decorator(sensitive_variables("data"))
    def _identify(self, request, form, venue, phone_id) -> Person | None:
        """The resident this phone may check in and remember, or None: the page then
        answers in the same words, whatever the reason (``phones.phone_identify``).

        A visitor registered now is checked in here and answered like the rest.
        """
        data = form.cleaned_data
        identified = phone_identify(
            venue=venue,
            name=data["name"],
            id_number=data["id_number"],
            phone=data["phone"],
            device=phone_id,
            address=client_address(request),
        )
        if identified.confirmed:
            return identified.person
        if identified.person is not None:
            # Should the venue close meanwhile, the answer is the same either way.
            with suppress(InvalidCheckIn):
                services.checkin_by_phone(
                    venue=venue, person=identified.person, temperature=data["temperature"]
                )
        return None

    @staticmethod
    def ask_the_staff() -> str:
        return _(
            "Your details need to be checked by the staff. "
            "Please ask the staff at the venue to register you."
        )


@method_decorator(login_not_required, name="dispatch")
class PhoneForgetView(View):
    """Forget the identity this device remembers (a shared phone, a borrowed one)."""

    def post(self, request):
        phone_device_revoke(token=_device_token(request))
        response = render(request, "venues/phone_forgotten.html")
        response.delete_cookie(DEVICE_COOKIE)
        return response


@method_decorator(login_not_required, name="dispatch")
@method_decorator(never_cache, name="dispatch")
class MyCodeView(View):
    """The remembered resident's own personal code, for a door keeper to scan."""

    def get(self, request):
        person = remembered_person(request)
        if person is None:
            return render(request, "venues/phone_unknown.html", {"no_identity": True}, status=404)
        return render(
            request,
            "venues/my_code.html",
            {
                "masked_name": shown(PUBLIC_PAGE, PersonalKind.NAME, person.name),
                "qr": qr_svg(personal_code_payload(person.code_token)),
                "now": timezone.now(),
            },
        )
