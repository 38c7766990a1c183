"""Pages of mass testing: plan a round, follow its coverage, record the missing, report."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from tongchou.core.choices import Role
from tongchou.core.privacy import ROLES_SEEING_PEOPLE
from tongchou.core.uploads import LedgerImportErrorsView, LedgerImportJobView, LedgerUploadView
from tongchou.core.views import RoleRequiredMixin, ServiceFormView
from tongchou.grid.choices import Level
from tongchou.grid.models import GridNode
from tongchou.registry.models import Person
from tongchou.testing import services
from tongchou.testing.choices import MissingReason, RoundStatus
from tongchou.testing.forms import (
    MissingForm,
    ResultFileForm,
    RoundForm,
    ScheduleMoveForm,
    ScheduleUndoForm,
    SiteForm,
    ZoneForm,
)
from tongchou.testing.models import Zone
from tongchou.testing.schedule import (
    CallUnit,
    call_units,
    chart_bars,
    move_choices,
    propose_schedule,
)
from tongchou.testing.selectors import (
    coverage_by_node,
    coverage_by_zone,
    grid_live_figures,
    missing_people,
    recommend_pool_size,
    round_report,
    rounds_visible_to,
)
from tongchou.testing.services.planning import (
    PLANNERS,
    may_plan,
    schedule_move,
    schedule_move_undo,
)
from tongchou.testing.tasks import RESULTS_FILE


def _round(request, pk):
    return get_object_or_404(rounds_visible_to(request.user), pk=pk)


class RoundListView(RoleRequiredMixin, View):
    allowed_roles = ROLES_SEEING_PEOPLE

    def get(self, request):
        rounds = rounds_visible_to(request.user)
        return render(
            request,
            "testing/round_list.html",
            {"rounds": rounds, "can_plan": request.user.role in PLANNERS},
        )


class RoundCreateView(RoleRequiredMixin, ServiceFormView):
    allowed_roles = PLANNERS
    form_class = RoundForm
    template_name = "testing/round_form.html"

    def get_context(self, **kwargs):
        # Dorfman's advice for the positivity typed so far (or 0.1% before anything is typed).
        try:
            typed = (self.request.POST or self.request.GET).get("expected_positivity")
            positivity = float(typed or 0.1) / 100
            advice = recommend_pool_size(positivity) if 0 <= positivity < 1 else None
        except ValueError:
            advice = None
        return {"advice": advice}

    def perform(self, data):
        testing_round = services.round_create(
            actor=self.request.user,
            number=data["number"],
            name=data["name"],
            area=data["area"],
            excluded_tags=data["excluded_tags"],
            expected_positivity=data["expected_positivity"] / 100,
            pool_size=data["pool_size"],
            queue_bound=data["queue_bound"],
        )
        return reverse("round-detail", args=[testing_round.pk])


class RoundDetailView(RoleRequiredMixin, View):
    """The round: zones and sites, and coverage of every node the user sees."""

    allowed_roles = ROLES_SEEING_PEOPLE

    def get(self, request, pk):
        testing_round = _round(request, pk)
        zones = testing_round.zones.prefetch_related("sites__samplers", "zone_nodes__node")
        coverage = coverage_by_node(testing_round, user=request.user)
        return render(
            request,
            "testing/round_detail.html",
            {
                "round": testing_round,
                "zones": zones,
                "coverage": coverage,
                "zone_figures": [(z["zone"], z) for z in coverage_by_zone(testing_round, coverage)],
                "can_plan": request.user.role in PLANNERS,
                "advice": recommend_pool_size(testing_round.expected_positivity),
            },
        )


class RoundStatusView(RoleRequiredMixin, View):
    allowed_roles = PLANNERS

    def post(self, request, pk):
        testing_round = _round(request, pk)
        action = {"open": services.round_open, "close": services.round_close}.get(
            request.POST.get("action")
        )
        if action is None:
            raise Http404
        try:
            action(actor=request.user, testing_round=testing_round)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        return redirect("round-detail", pk=pk)


class ZoneCreateView(RoleRequiredMixin, ServiceFormView):
    allowed_roles = PLANNERS
    form_class = ZoneForm
    template_name = "testing/zone_form.html"

    def get_context(self, pk):
        return {"round": _round(self.request, pk)}

    def perform(self, data, pk):
        services.zone_create(
            actor=self.request.user,
            testing_round=_round(self.request, pk),
            name=data["name"],
            day=data["day"],
            start=data["start"],
            end=data["end"],
            nodes=data["node_codes"],
        )
        return reverse("round-detail", args=[pk])


def _zone(request, pk) -> Zone:
    zone = get_object_or_404(Zone.objects.select_related("round"), pk=pk)
    if not rounds_visible_to(request.user).filter(pk=zone.round_id).exists():
        raise Http404
    return zone


class SiteCreateView(RoleRequiredMixin, ServiceFormView):
    allowed_roles = PLANNERS
    form_class = SiteForm
    template_name = "testing/site_form.html"

    def get_context(self, pk):
        return {"zone": _zone(self.request, pk)}

    def perform(self, data, pk):
        zone = _zone(self.request, pk)
        services.site_create(
            actor=self.request.user,
            zone=zone,
            name=data["name"],
            area=data["area_code"],
            hourly_capacity=data["hourly_capacity"],
            lab=data["lab"],
            samplers=data["samplers"],
        )
        return reverse("round-detail", args=[zone.round_id])


def _planned_zone(request, pk) -> Zone:
    """A zone of a round the user plans; any other reads as missing."""
    zone = _zone(request, pk)
    if not may_plan(request.user, zone.round.area):
        raise Http404
    return zone


def _bound(typed, default: int) -> int:
    try:
        return max(int(typed or default), 1)
    except ValueError:
        return default


def _schedule_url(zone: Zone, bound: int) -> str:
    return f"{reverse('zone-schedule', args=[zone.pk])}?bound={bound}"


class ScheduleView(RoleRequiredMixin, ServiceFormView):
    """The proposed hours per building per site, with a chart; the planner changes the
    bound and proposes again, or moves a building, grid or community to another hour."""

    allowed_roles = PLANNERS
    form_class = ScheduleMoveForm
    template_name = "testing/schedule.html"

    @cached_property
    def zone(self) -> Zone:
        return _planned_zone(self.request, self.kwargs["pk"])

    @cached_property
    def bound(self) -> int:
        typed = self.request.POST.get("bound") or self.request.GET.get("bound")
        return _bound(typed, self.zone.round.queue_bound)

    @cached_property
    def units(self) -> list[CallUnit]:
        return call_units(self.zone)

    def get_form_kwargs(self) -> dict:
        return {
            "user": self.request.user,
            "nodes": move_choices(self.zone, self.units),
            "hours": self.zone.hours,
            "initial": {"bound": self.bound},
        }

    def get_context(self, pk):
        zone = self.zone
        plans = propose_schedule(zone, queue_bound=self.bound, units=self.units)
        peak = max(
            [h.arrivals for p in plans for h in p.hours]
            + [p.site.hourly_capacity for p in plans]
            + [1]
        )
        return {
            "zone": zone,
            "charts": [(plan, chart_bars(plan, peak)) for plan in plans],
            "bound": self.bound,
            "moves": zone.schedule_moves.select_related("node"),
            "can_move": zone.round.status != RoundStatus.CLOSED,
        }

    def perform(self, data, pk):
        move = schedule_move(
            actor=self.request.user, zone=self.zone, node=data["node_code"], hour=data["hour"]
        )
        plans = propose_schedule(self.zone, queue_bound=self.bound, units=self.units)
        over = [p for p in plans if p.over_bound]
        if over:
            messages.warning(
                self.request,
                _(
                    "%(node)s is now called at %(hour)s:00, but the queue at %(sites)s goes "
                    "past %(bound)s people: add capacity or move someone else."
                )
                % {
                    "node": move.node.name,
                    "hour": move.hour,
                    "sites": "、".join(p.site.name for p in over),
                    "bound": self.bound,
                },
            )
        else:
            messages.success(
                self.request,
                _("%(node)s is now called at %(hour)s:00.")
                % {"node": move.node.name, "hour": move.hour},
            )
        return _schedule_url(self.zone, self.bound)


class ScheduleUndoView(RoleRequiredMixin, View):
    """Give a building, grid or community moved by hand back to the proposal."""

    allowed_roles = PLANNERS

    def post(self, request, pk):
        zone = _planned_zone(request, pk)
        form = ScheduleUndoForm(request.POST, user=request.user)
        bound = _bound(request.POST.get("bound"), zone.round.queue_bound)
        if not form.is_valid():
            raise Http404
        try:
            schedule_move_undo(actor=request.user, zone=zone, node=form.cleaned_data["node_code"])
        except ValidationError as exc:
            messages.error(request, "".join(exc.messages))
        else:
            messages.success(request, _("Given back to the proposal."))
        return redirect(_schedule_url(zone, bound))


class MissingListView(RoleRequiredMixin, View):
    """A grid worker's expected / sampled / missing, and the reasons they record."""

    allowed_roles = ROLES_SEEING_PEOPLE

    def _node(self, request, testing_round):
        node_id = request.GET.get("node") or request.POST.get("node")
        nodes = GridNode.objects.restrict(request.user).filter(
            path__startswith=testing_round.area.path
        )
        if node_id:
            return get_object_or_404(nodes, pk=node_id)
        return nodes.order_by("path").first()

    def get(self, request, pk):
        testing_round = _round(request, pk)
        node = self._node(request, testing_round)
        if node is None:
            raise Http404
        people = missing_people(testing_round, user=request.user, node=node)[:500]
        grids = GridNode.objects.restrict(request.user).filter(
            path__startswith=testing_round.area.path, level__in=[Level.COMMUNITY, Level.GRID]
        )
        return render(
            request,
            "testing/missing.html",
            {
                "round": testing_round,
                "node": node,
                "people": people,
                "grids": grids,
                "figures": grid_live_figures(testing_round, node, user=request.user),
                "form": MissingForm(),
                "export_url": reverse("round-missing-export", args=[pk]) + f"?node={node.pk}",
            },
        )

    def post(self, request, pk):
        testing_round = _round(request, pk)
        form = MissingForm(request.POST)
        if form.is_valid():
            person = get_object_or_404(
                Person.objects.restrict(request.user), pk=form.cleaned_data["person"]
            )
            services.missing_record(
                actor=request.user,
                testing_round=testing_round,
                person=person,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
            messages.success(request, _("Reason recorded."))
        node = self._node(request, testing_round)
        return redirect(f"{request.path}?node={node.pk if node else ''}")


class MissingLiveView(MissingListView):
    """The figures alone, for htmx to refresh while scans arrive."""

    def get(self, request, pk):
        testing_round = _round(request, pk)
        node = self._node(request, testing_round)
        if node is None:
            raise Http404
        return render(
            request,
            "testing/_live_figures.html",
            {
                "round": testing_round,
                "node": node,
                "figures": grid_live_figures(testing_round, node, user=request.user),
            },
        )


class RoundReportView(RoleRequiredMixin, View):
    allowed_roles = ROLES_SEEING_PEOPLE

    def get(self, request, pk):
        testing_round = _round(request, pk)
        return render(
            request,
            "testing/report.html",
            {"round": testing_round, **round_report(testing_round, user=request.user)},
        )


class ResultUploadView(LedgerUploadView):
    """A lab uploads a results file; it is applied by the job worker."""

    allowed_roles = frozenset({Role.LAB})
    job_kind = RESULTS_FILE
    form_class = ResultFileForm
    template_name = "testing/results_upload.html"
    job_url_name = "results-job"


class ResultJobView(RoleRequiredMixin, LedgerImportJobView):
    """A results file's page: progress, then what was applied and the rejected tubes."""

    allowed_roles = frozenset({Role.LAB})
    job_kind = RESULTS_FILE
    job_url_name = "results-job"
    errors_url_name = "results-errors"
    upload_url_name = "results-upload"
    heading = gettext_lazy("Upload results")
    again_label = gettext_lazy("Upload another file")
    figures = (
        (gettext_lazy("Rows read"), "rows", "rows"),
        (gettext_lazy("Applied"), "applied", "applied"),
        (gettext_lazy("Unchanged"), "unchanged", "unchanged"),
        (gettext_lazy("Positive tubes"), "positives", "positives"),
        (gettext_lazy("Rejected"), "errors", "rejected"),
    )
    error_columns = (gettext_lazy("Line"), gettext_lazy("Tube barcode"), gettext_lazy("Reason"))


class ResultErrorsView(RoleRequiredMixin, LedgerImportErrorsView):
    """The rejected rows of one of the lab's own results files: line, tube, reason."""

    allowed_roles = frozenset({Role.LAB})
    job_kind = RESULTS_FILE
    file_title = "结果错误"


class MissingExportView(MissingListView):
    """The missing list of one node as a spreadsheet, masked as on the page, through the
    export pipeline."""

    def get(self, request, pk):
        raise Http404

    def post(self, request, pk):
        from tongchou.core.exports import Column, export_download, export_format
        from tongchou.core.privacy import PersonalKind

        suffix = export_format(request)
        testing_round = _round(request, pk)
        node = self._node(request, testing_round)
        if node is None:
            raise Http404
        reasons = dict(MissingReason.choices)
        columns = [
            Column("姓名", lambda p: p.name, PersonalKind.NAME),
            Column("身份证号", lambda p: p.id_number, PersonalKind.ID_NUMBER),
            Column("联系电话", lambda p: p.phone, PersonalKind.PHONE),
            Column("所属区域", lambda p: p.area.name),
            Column(
                "户号",
                lambda p: p.household.number if p.household else "",
                PersonalKind.ADDRESS,
            ),
            Column("现住址", lambda p: p.address, PersonalKind.ADDRESS),
            Column("未检原因", lambda p: reasons.get(p.missing_reason, "")),
            Column("备注", lambda p: p.missing_note or ""),
        ]
        people = missing_people(testing_round, user=request.user, node=node)
        return export_download(
            request,
            download_name=f"未检人员.{suffix}",
            columns=columns,
            rows=people.iterator(chunk_size=2000),
            object_type="testing.missing",
            object_id=f"{pk}:{node.code}",
        )
