"""Pages for residents: list and search, a person's page, edit, reveal, import, export."""

import secrets

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from tongchou.core.choices import ROLES_EDITING_PEOPLE
from tongchou.core.exports import export_path, export_response
from tongchou.core.lockout import client_address
from tongchou.core.privacy import ROLES_SEEING_PEOPLE, PersonalKind, may_reveal, shown
from tongchou.core.uploads import LedgerImportErrorsView, LedgerImportJobView, LedgerUploadView
from tongchou.core.views import RoleRequiredMixin, ScopedDetailView, ScopedListView
from tongchou.registry import services
from tongchou.registry.forms import ExportForm, ImportForm, PersonForm, PersonSearchForm, RevealForm
from tongchou.registry.models import Person
from tongchou.registry.selectors import person_search, possible_duplicates
from tongchou.registry.tasks import IMPORT_PEOPLE

SEARCHES_KEY = "registry.searches"
SEARCH_FIELDS = ("q", "area", "tag", "sex")


def _search_params(request):
    """What the user searched for. A search is posted and kept in the session under a
    random key (``?s=``), so an ID number or a phone never stands in a URL, a browser's
    history or a server's access log."""
    key = request.GET.get("s", "")
    if key:
        return request.session.get(SEARCHES_KEY, {}).get(key) or None
    return request.GET or None


def _search_keep(request) -> str:
    """Keep a posted search in the session; the key to find it again."""
    searches = request.session.get(SEARCHES_KEY, {})
    # The last few searches are enough to page and export; older ones are dropped.
    kept = dict(list(searches.items())[-9:])
    key = secrets.token_urlsafe(8)
    kept[key] = {name: request.POST.get(name, "") for name in SEARCH_FIELDS}
    request.session[SEARCHES_KEY] = kept
    return key


def _searched(request, queryset):
    form = PersonSearchForm(_search_params(request), user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        queryset = person_search(
            queryset, q=data["q"], tag=data["tag"], area=data["area"], sex=data["sex"]
        )
    return form, queryset


class PersonListView(ScopedListView):
    model = Person
    template_name = "registry/person_list.html"
    context_object_name = "people"

    def get_base_queryset(self):
        return Person.objects.select_related("area", "household")

    def get_queryset(self):
        self.search_form, queryset = _searched(self.request, super().get_queryset())
        return queryset

    def post(self, request):
        """A search: kept in the session, then shown by its key."""
        return redirect(f"{reverse('person-list')}?s={_search_keep(request)}")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["search_form"] = self.search_form
        context["can_edit"] = self.request.user.role in ROLES_EDITING_PEOPLE
        context["export_form"] = ExportForm()
        context["may_reveal"] = may_reveal(self.request.user)
        return context


class PossibleDuplicatesView(RoleRequiredMixin, View):
    """People in my area who share a name and a birth date: check they are not one person."""

    allowed_roles = ROLES_EDITING_PEOPLE

    def get(self, request):
        groups = possible_duplicates(Person.objects.restrict(request.user))
        return render(request, "registry/duplicates.html", {"groups": groups})


class PersonDetailView(ScopedDetailView):
    model = Person
    template_name = "registry/person_detail.html"
    context_object_name = "person"

    def get_base_queryset(self):
        return Person.objects.select_related("area", "household")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        person = self.object
        context["ancestors"] = person.area.__class__.objects.filter(
            id__in=[int(i) for i in person.area.path.strip("/").split("/")]
        ).order_by("path")
        context["household_members"] = (
            Person.objects.restrict(self.request.user)
            .filter(household=person.household)
            .exclude(pk=person.pk)
            if person.household_id
            else []
        )
        context["may_reveal"] = may_reveal(self.request.user)
        context["can_edit"] = self.request.user.role in ROLES_EDITING_PEOPLE
        context["reveal_form"] = RevealForm()
        return context


@method_decorator(sensitive_variables("values"), name="post")
class PersonRevealView(View):
    """POST a reason, get the full ID number and phone (an htmx fragment); logged."""

    def post(self, request, pk):
        person = get_object_or_404(Person.objects.restrict(request.user), pk=pk)
        form = RevealForm(request.POST)
        if not may_reveal(request.user):
            raise Http404
        if not form.is_valid():
            # htmx swaps in only 2xx answers: to it, the form with its errors is one.
            return render(
                request,
                "registry/_reveal.html",
                {"person": person, "reveal_form": form},
                status=200 if request.headers.get("HX-Request") else 400,
            )
        values = services.person_reveal(
            actor=request.user,
            person=person,
            reason=form.cleaned_data["reason"],
            address=client_address(request),
        )
        return render(request, "registry/_revealed.html", {"person": person, "values": values})


@method_decorator(sensitive_post_parameters("id_number", "phone"), name="post")
@method_decorator(sensitive_variables("data", "initial"), name="get")
@method_decorator(sensitive_variables("data"), name="post")
class PersonEditView(RoleRequiredMixin, View):
    """Register a resident, or change one (pk given); both go through the services."""

    allowed_roles = ROLES_EDITING_PEOPLE
    template_name = "registry/person_form.html"

    def get_person(self, pk):
        if pk is None:
            return None
        return get_object_or_404(Person.objects.restrict(self.request.user), pk=pk)

    def get(self, request, pk=None):
        person = self.get_person(pk)
        initial = {}
        if person:
            initial = {
                "name": person.name,
                # Masked as on the person's page; sent back so, it is kept (clean_phone).
                "phone": shown(request.user, PersonalKind.PHONE, person.phone),
                "address": person.address,
                "area": person.area_id,
                "relation": person.relation,
                "tags": person.tag_list,
                "household_number": person.household.number if person.household else "",
            }
        form = PersonForm(initial=initial, user=request.user, editing=bool(person))
        return render(request, self.template_name, {"form": form, "person": person})

    def post(self, request, pk=None):
        person = self.get_person(pk)
        form = PersonForm(request.POST, user=request.user, editing=bool(person), person=person)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data["tags"] = ",".join(data["tags"])
            try:
                if person is None:
                    person = services.person_create(actor=request.user, **data)
                else:
                    person = services.person_update(actor=request.user, person=person, **data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("person-detail", pk=person.pk)
        return render(request, self.template_name, {"form": form, "person": person}, status=400)


class PersonImportView(LedgerUploadView):
    """Upload a ledger; it is imported by the job worker while the page shows progress."""

    allowed_roles = ROLES_EDITING_PEOPLE
    job_kind = IMPORT_PEOPLE
    form_class = ImportForm
    template_name = "registry/import.html"
    job_url_name = "import-job"


class ImportJobView(LedgerImportJobView):
    job_kind = IMPORT_PEOPLE
    job_url_name = "import-job"
    errors_url_name = "import-errors"
    upload_url_name = "person-import"


class ImportErrorsView(LedgerImportErrorsView):
    job_kind = IMPORT_PEOPLE
    file_title = "导入错误"


class PersonExportView(RoleRequiredMixin, View):
    """The people the user sees, with the current search, as .xlsx or .csv; logged."""

    allowed_roles = ROLES_SEEING_PEOPLE

    def post(self, request):
        form = ExportForm(request.POST)
        if not form.is_valid():
            raise Http404
        _search, queryset = _searched(request, Person.objects.restrict(request.user))
        data = form.cleaned_data
        suffix = data["file_format"]
        path = export_path(f"people.{suffix}")
        try:
            services.people_export(
                actor=request.user,
                queryset=queryset.order_by("area__path", "id"),
                path=path,
                reveal=data["reveal"],
                reason=data["reason"],
                address=client_address(request),
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            return redirect(f"{reverse('person-list')}?{request.GET.urlencode()}")
        return export_response(path, f"居民台账.{suffix}")
