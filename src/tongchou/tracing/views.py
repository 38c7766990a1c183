"""Pages of tracing: cases and their files with the transmission graph, contacts (a grid
worker sees those of their grid), control measures with follow-ups, release and teams."""

from pathlib import Path

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from tongchou.common.idnumbers import normalize_id_number
from tongchou.common.spreadsheets import SpreadsheetError
from tongchou.core.exports import Column, export_download, export_format
from tongchou.core.jobs import store_upload
from tongchou.core.privacy import ROLES_TRACING, PersonalKind
from tongchou.core.views import RoleRequiredMixin, ScopedDetailView, ScopedListView
from tongchou.registry.models import Person
from tongchou.tracing import selectors, services
from tongchou.tracing.choices import HOME_KINDS, ContactStatus, ContactTier
from tongchou.tracing.forms import (
    CaseForm,
    ContactAddForm,
    ContactImportForm,
    ControlStartForm,
    DismissForm,
    FollowUpForm,
    ReleaseForm,
    TeamForm,
    TraceForm,
)
from tongchou.tracing.models import Case, Contact, Control, HouseholdTeam


def _person_by_id_number(user, text: str) -> Person | None:
    """A resident in the user's scope, by exact ID number."""
    return (
        Person.objects.restrict(user).filter(id_number=normalize_id_number(text)).first()
        if text
        else None
    )


class CaseListView(ScopedListView):
    model = Case
    template_name = "tracing/case_list.html"
    context_object_name = "cases"

    def get_base_queryset(self):
        return Case.objects.select_related("person", "area")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_trace"] = self.request.user.role in ROLES_TRACING
        return context


class CaseCreateView(RoleRequiredMixin, View):
    allowed_roles = ROLES_TRACING
    template_name = "tracing/case_form.html"

    def get(self, request):
        return render(request, self.template_name, {"form": CaseForm()})

    def post(self, request):
        form = CaseForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            person = _person_by_id_number(request.user, data.pop("id_number"))
            if person is None:
                form.add_error("id_number", _("No resident with this ID number in your area."))
            else:
                try:
                    case = services.case_record(actor=request.user, person=person, **data)
                except ValidationError as exc:
                    form.add_error(None, exc)
                else:
                    messages.success(request, _("Case recorded. Trace its contacts next."))
                    return redirect("case-detail", pk=case.pk)
        return render(request, self.template_name, {"form": form}, status=400)


class CaseDetailView(RoleRequiredMixin, ScopedDetailView):
    """The tracing file: the graph, the contacts with their evidence, confirm or dismiss."""

    allowed_roles = ROLES_TRACING
    model = Case
    template_name = "tracing/case_detail.html"
    context_object_name = "case"

    def get_base_queryset(self):
        return Case.objects.select_related("person", "area", "created_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        case = self.object
        contacts = list(
            Contact.objects.restrict(self.request.user)
            .filter(case=case)
            .select_related("person", "area", "venue", "via__person")
            .order_by("tier", "-overlap_minutes", "id")
        )
        context["contacts"] = contacts
        context["counts"] = selectors.contact_counts(case)
        context["graph"] = selectors.case_graph(case, contacts[:300])
        context["graph_truncated"] = len(contacts) > 300
        context["trace_form"] = TraceForm(initial={"days": case.lookback_days, "secondary": True})
        context["add_form"] = ContactAddForm()
        context["import_form"] = ContactImportForm()
        context["dismiss_form"] = DismissForm()
        context["tiers"] = ContactTier
        return context


def _tracer_case(request, pk) -> Case:
    if request.user.role not in ROLES_TRACING:
        raise Http404
    return get_object_or_404(Case.objects.restrict(request.user), pk=pk)


class CaseTraceView(View):
    def post(self, request, pk):
        case = _tracer_case(request, pk)
        form = TraceForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose between 1 and 28 days."))
            return redirect("case-detail", pk=case.pk)
        try:
            report = services.case_trace(
                actor=request.user,
                case=case,
                days=form.cleaned_data["days"],
                secondary=form.cleaned_data["secondary"],
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(
                request,
                _(
                    "Traced: %(close)s close, %(secondary)s secondary, %(co_location)s "
                    "co-located contacts added."
                )
                % report.as_dict(),
            )
        return redirect("case-detail", pk=case.pk)


class ContactAddView(View):
    def post(self, request, pk):
        case = _tracer_case(request, pk)
        form = ContactAddForm(request.POST)
        if form.is_valid():
            person = _person_by_id_number(request.user, form.cleaned_data["id_number"])
            if person is None:
                messages.error(request, _("No resident with this ID number in your area."))
            else:
                try:
                    services.contact_add(
                        actor=request.user,
                        case=case,
                        person=person,
                        tier=form.cleaned_data["tier"],
                        note=form.cleaned_data["note"],
                    )
                except ValidationError as exc:
                    messages.error(request, "；".join(exc.messages))
                else:
                    messages.success(request, _("Contact added."))
        return redirect("case-detail", pk=case.pk)


class ContactImportView(View):
    def post(self, request, pk):
        case = _tracer_case(request, pk)
        form = ContactImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return redirect("case-detail", pk=case.pk)
        upload = form.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in (".xlsx", ".csv"):
            messages.error(request, _("Only .xlsx and .csv files can be imported."))
            return redirect("case-detail", pk=case.pk)
        path = store_upload(upload)
        try:
            report = services.contacts_import(actor=request.user, case=case, path=path)
        except SpreadsheetError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("%(added)s of %(rows)s rows added.") % report.__dict__)
            for line, reason in report.errors[:20]:
                messages.warning(request, f"{line}: {reason}")
        finally:
            path.unlink(missing_ok=True)
        return redirect("case-detail", pk=case.pk)


class ContactReviewView(View):
    """Confirm (``action=confirm``) or dismiss (``action=dismiss`` with a reason) a contact."""

    def post(self, request, pk):
        if request.user.role not in ROLES_TRACING:
            raise Http404
        contact = get_object_or_404(Contact.objects.restrict(request.user), pk=pk)
        try:
            if request.POST.get("action") == "confirm":
                services.contact_confirm(actor=request.user, contact=contact)
                messages.success(request, _("Confirmed; the grid worker has a task."))
            else:
                form = DismissForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(_("Give the reason for dismissing."))
                services.contact_dismiss(
                    actor=request.user, contact=contact, reason=form.cleaned_data["reason"]
                )
                messages.success(request, _("Dismissed."))
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        return redirect("case-detail", pk=contact.case_id)


class ContactListView(ScopedListView):
    """Contacts in my area: a grid worker sees those who live in their grid, and only them."""

    model = Contact
    template_name = "tracing/contact_list.html"
    context_object_name = "contacts"

    def get_base_queryset(self):
        queryset = Contact.objects.select_related("person", "area", "case").order_by("-id")
        status = self.request.GET.get("status")
        if status in ContactStatus.values:
            queryset = queryset.filter(status=status)
        return queryset


class ContactExportView(View):
    """The contacts the user sees, masked as on the page, through the export pipeline."""

    def post(self, request):
        suffix = export_format(request)
        queryset = (
            Contact.objects.restrict(request.user)
            .select_related("person", "area", "venue")
            .order_by("case_id", "tier", "id")
        )
        columns = [
            Column("病例编号", lambda c: c.case_id),
            Column("姓名", lambda c: c.person.name, PersonalKind.NAME),
            Column("身份证号", lambda c: c.person.id_number, PersonalKind.ID_NUMBER),
            Column("所属网格", lambda c: c.area.name),
            Column("类别", lambda c: c.get_tier_display()),
            Column("状态", lambda c: c.get_status_display()),
            Column("接触时间", lambda c: c.met_at.strftime("%Y-%m-%d %H:%M") if c.met_at else ""),
            Column("场所", lambda c: c.venue.name if c.venue else ""),
        ]
        return export_download(
            request,
            download_name=f"密接人员.{suffix}",
            columns=columns,
            rows=queryset.iterator(chunk_size=2000),
            object_type="tracing.contact",
        )


class ControlListView(ScopedListView):
    """People under control in my area, with today's follow-up and the tests due."""

    model = Control
    template_name = "tracing/control_list.html"
    context_object_name = "controls"
    paginate_by = None

    def get_queryset(self):
        return selectors.controls_with_followups(super().get_queryset())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["overdue"] = sum(1 for c in context["controls"] if c.followup_overdue)
        context["start_form"] = ControlStartForm()
        return context


class ControlStartView(RoleRequiredMixin, View):
    allowed_roles = services.ROLES_CONTROLLING

    def post(self, request):
        form = ControlStartForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            person = _person_by_id_number(request.user, data["id_number"])
            if person is None:
                messages.error(request, _("No resident with this ID number in your area."))
                return redirect("control-list")
            try:
                control = services.control_start(
                    actor=request.user,
                    person=person,
                    kind=data["kind"],
                    reason=data["reason"],
                    source="manual",
                    days=data["days"],
                    tests_required=data["tests_required"],
                )
            except ValidationError as exc:
                messages.error(request, "；".join(exc.messages))
            else:
                return redirect("control-detail", pk=control.pk)
        else:
            messages.error(request, _("Check the form."))
        return redirect("control-list")


class ControlDetailView(ScopedDetailView):
    model = Control
    template_name = "tracing/control_detail.html"
    context_object_name = "control"

    def get_base_queryset(self):
        return Control.objects.select_related("person", "area", "household", "contact")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        control = self.object
        context["conditions"] = services.release_conditions(control)
        context["followups"] = control.followups.select_related("recorded_by")
        context["followup_form"] = FollowUpForm()
        context["release_form"] = ReleaseForm()
        context["at_home"] = control.kind in HOME_KINDS
        team = (
            HouseholdTeam.objects.restrict(self.request.user)
            .filter(household_id=control.household_id)
            .prefetch_related("members")
            .first()
        )
        context["team"] = team
        context["may_act"] = self.request.user.role in services.ROLES_CONTROLLING
        context["may_release_early"] = self.request.user.role in services.ROLES_RELEASING_EARLY
        return context


def _scoped_control(request, pk) -> Control:
    if request.user.role not in services.ROLES_CONTROLLING:
        raise Http404
    return get_object_or_404(Control.objects.restrict(request.user), pk=pk)


class FollowUpView(View):
    def post(self, request, pk):
        control = _scoped_control(request, pk)
        form = FollowUpForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.followup_record(
                    actor=request.user,
                    control=control,
                    on_date=data["on_date"],
                    temperature=data["temperature"],
                    has_symptoms=data["has_symptoms"],
                    symptoms=data["symptoms"],
                    swab=data["swab"] or "none",
                )
            except ValidationError as exc:
                messages.error(request, "；".join(exc.messages))
            else:
                messages.success(request, _("Follow-up recorded."))
        else:
            messages.error(request, _("Check the form."))
        return redirect("control-detail", pk=control.pk)


class ReleaseView(View):
    def post(self, request, pk):
        control = _scoped_control(request, pk)
        form = ReleaseForm(request.POST)
        form.is_valid()
        data = form.cleaned_data
        try:
            services.control_release(
                actor=request.user,
                control=control,
                early=data.get("early", False),
                reason=data.get("reason", ""),
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("Released."))
        return redirect("control-detail", pk=control.pk)


class TeamView(View):
    """Name the five people of a household team (五包一)."""

    template_name = "tracing/team_form.html"

    def _control(self, request, pk):
        control = _scoped_control(request, pk)
        if control.household_id is None:
            raise Http404
        return control

    def get(self, request, pk):
        control = self._control(request, pk)
        team = (
            HouseholdTeam.objects.restrict(request.user)
            .filter(household_id=control.household_id)
            .first()
        )
        return render(
            request,
            self.template_name,
            {"control": control, "form": TeamForm(team=team, viewer=request.user)},
        )

    def post(self, request, pk):
        control = self._control(request, pk)
        team = (
            HouseholdTeam.objects.restrict(request.user)
            .filter(household_id=control.household_id)
            .first()
        )
        form = TeamForm(request.POST, team=team, viewer=request.user)
        if form.is_valid():
            try:
                services.household_team_assign(
                    actor=request.user, household=control.household, members=form.members()
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("control-detail", pk=control.pk)
        return render(request, self.template_name, {"control": control, "form": form}, status=400)
