"""Base views with jurisdiction built in, and the pages of core: sign-in, tokens, users."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, ListView

from tongchou.core import services
from tongchou.core.choices import ROLES_MANAGING_USERS
from tongchou.core.forms import ApiTokenForm, LockoutAuthenticationForm, UserForm
from tongchou.core.models import AccessLog, ApiToken, Grant, User
from tongchou.core.querysets import action_for_method


class ScopedQuerysetMixin:
    """The only way a page gets its rows: the model's queryset restricted to the user.

    Out-of-scope rows are simply absent, so a detail page answers 404 for
    them, exactly as for rows that do not exist.
    """

    model = None

    def get_base_queryset(self):
        return self.model.objects.all()

    def get_queryset(self):
        action = action_for_method(self.request.method)
        return self.get_base_queryset().restrict(self.request.user, action)


class ScopedListView(ScopedQuerysetMixin, ListView):
    paginate_by = 50


class ScopedDetailView(ScopedQuerysetMixin, DetailView):
    pass


class RoleRequiredMixin:
    """Refuse (404, like everything out of scope) users whose role is not listed."""

    allowed_roles: frozenset = frozenset()

    def dispatch(self, request, *args, **kwargs):
        if request.user.role not in self.allowed_roles:
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class LoginView(auth_views.LoginView):
    form_class = LockoutAuthenticationForm
    template_name = "core/login.html"
    redirect_authenticated_user = True


class ApiTokenListView(View):
    """The signed-in user's own API tokens: make one, see them, revoke one."""

    template_name = "core/tokens.html"

    def get(self, request, form=None, new_key=None):
        tokens = ApiToken.objects.filter(user=request.user)
        return render(
            request,
            self.template_name,
            {"tokens": tokens, "form": form or ApiTokenForm(), "new_key": new_key},
        )

    def post(self, request):
        form = ApiTokenForm(request.POST)
        if not form.is_valid():
            return self.get(request, form=form)
        _token, key = services.api_token_create(user=request.user, name=form.cleaned_data["name"])
        return self.get(request, new_key=key)


@require_POST
def api_token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.api_token_revoke(user=request.user, token=token)
    messages.success(request, _("Token revoked."))
    return redirect("tokens")


class UserListView(RoleRequiredMixin, ListView):
    """Users and where their grants lie; the command centre's page."""

    allowed_roles = ROLES_MANAGING_USERS
    template_name = "core/user_list.html"
    paginate_by = 100

    def get_queryset(self):
        return User.objects.order_by("username").prefetch_related(
            Prefetch("grants", queryset=Grant.objects.select_related("node"))
        )


class UserEditView(RoleRequiredMixin, View):
    allowed_roles = ROLES_MANAGING_USERS
    template_name = "core/user_form.html"

    def get_user(self, pk):
        return get_object_or_404(User, pk=pk) if pk else None

    def get(self, request, pk=None):
        user = self.get_user(pk)
        initial = {}
        if user:
            initial = {
                "username": user.username,
                "full_name": user.full_name,
                "role": user.role,
                "is_active": user.is_active,
                "node_codes": ", ".join(user.grants.values_list("node__code", flat=True)),
            }
        form = UserForm(initial=initial, editing=bool(user))
        return render(request, self.template_name, {"form": form, "edited": user})

    def post(self, request, pk=None):
        user = self.get_user(pk)
        # A disabled field takes its value from initial, never from the posted data.
        initial = {"username": user.username} if user else {}
        form = UserForm(request.POST, initial=initial, editing=bool(user))
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "edited": user})
        data = form.cleaned_data
        if user is None:
            if User.objects.filter(username=data["username"]).exists():
                form.add_error("username", _("This username is taken."))
                return render(request, self.template_name, {"form": form, "edited": user})
            services.user_create(
                actor=request.user,
                username=data["username"],
                password=data["password"],
                role=data["role"],
                full_name=data["full_name"],
                node_ids=data["node_codes"],
            )
        else:
            if user.pk == request.user.pk and not data["is_active"]:
                raise PermissionDenied
            services.user_update(
                actor=request.user,
                user=user,
                role=data["role"],
                full_name=data["full_name"],
                is_active=data["is_active"],
                node_ids=data["node_codes"],
            )
            if data["password"]:
                user.set_password(data["password"])
                user.save(update_fields=["password"])
        messages.success(request, _("User saved."))
        return redirect("user-list")


class AccessLogView(RoleRequiredMixin, ListView):
    """Who saw what in full, and who exported what: the command centre reads it."""

    allowed_roles = ROLES_MANAGING_USERS
    template_name = "core/access_log.html"
    paginate_by = 100

    def get_queryset(self):
        return AccessLog.objects.select_related("actor")


class ServiceFormView(View):
    """A page whose form calls one service: GET shows the form, POST validates it and
    calls ``perform``; a ValidationError from the service lands on the form.

    Subclasses set ``form_class`` and ``template_name`` and define ``perform(data)``
    (returning where to go next) and, if needed, ``get_context(**kwargs)``.
    """

    form_class = None
    template_name = ""

    def get_form_kwargs(self) -> dict:
        return {"user": self.request.user}

    def get_context(self, **kwargs) -> dict:
        return {}

    def render_form(self, form, status=200, **kwargs):
        context = {"form": form, **self.get_context(**kwargs)}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, **kwargs):
        return self.render_form(self.form_class(**self.get_form_kwargs()), **kwargs)

    def post(self, request, **kwargs):
        form = self.form_class(request.POST, **self.get_form_kwargs())
        if form.is_valid():
            try:
                return redirect(self.perform(form.cleaned_data, **kwargs))
            except ValidationError as exc:
                form.add_error(None, exc)
        return self.render_form(form, status=400, **kwargs)
