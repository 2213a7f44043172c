"""Who may see and change what: editors act only within their own organisations."""

from django.db.models import Q, QuerySet

from .models import Dataset, Membership, Organization


def is_sysadmin(user) -> bool:
    return bool(user and user.is_authenticated and user.is_superuser)


def member_org_ids(user, roles: tuple[str, ...] = ("editor", "admin")) -> set:
    if not (user and user.is_authenticated):
        return set()
    return set(Membership.objects.filter(user=user, role__in=roles).values_list("organization_id", flat=True))


def is_member(user) -> bool:
    """Editor or admin of any organisation."""
    return bool(user and user.is_authenticated) and Membership.objects.filter(user=user).exists()


def can_edit_org(user, org: Organization) -> bool:
    return is_sysadmin(user) or org.pk in member_org_ids(user)


def can_admin_org(user, org: Organization) -> bool:
    return is_sysadmin(user) or org.pk in member_org_ids(user, roles=("admin",))


def editable_orgs(user) -> QuerySet[Organization]:
    if is_sysadmin(user):
        return Organization.objects.all()
    return Organization.objects.filter(pk__in=member_org_ids(user))


def can_read_dataset(user, dataset: Dataset) -> bool:
    if dataset.is_public:
        return True
    if dataset.state == Dataset.State.DELETED:
        return is_sysadmin(user)
    return can_edit_org(user, dataset.organization)


def visible_scope(user, *, include_private: bool = False, include_drafts: bool = False) -> Q:
    """Public active datasets, plus private/draft ones of the user's organisations when asked for.

    Only state, private and organization_id are used: package_search answers the facet counts of such a
    scope from ``FacetCount`` (search.py)."""
    public = Q(state=Dataset.State.ACTIVE, private=False)
    if not (include_private or include_drafts) or not (user and user.is_authenticated):
        return public
    own = Q() if is_sysadmin(user) else Q(organization_id__in=member_org_ids(user))
    states = [Dataset.State.ACTIVE] + ([Dataset.State.DRAFT] if include_drafts else [])
    own_visible = own & Q(state__in=states)
    if not include_private:
        own_visible &= Q(private=False)
    return public | own_visible


def visible_datasets(user, *, include_private: bool = False, include_drafts: bool = False) -> QuerySet[Dataset]:
    return Dataset.objects.filter(visible_scope(user, include_private=include_private, include_drafts=include_drafts))
