"""The two kinds of reference data and every text their pages say, each in its own words."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Industry, ProductGroup, ReferenceItem


@dataclass(frozen=True)
class ReferenceKind:
    """One kind of reference data: its model, the prefix of its URL names, and its texts.

    The texts with %(name)s take the item's name; `in_use` also takes %(usage)s.
    """

    model: type[ReferenceItem]
    url_prefix: str
    title: Promise
    intro: Promise
    add: Promise
    new: Promise
    edit: Promise
    empty: Promise
    added: Promise
    saved: Promise
    deactivated: Promise
    already_inactive: Promise
    reactivated: Promise
    already_active: Promise
    deleted: Promise
    duplicate: Promise
    in_use: Promise
    in_history: Promise
    stale: Promise
    deletable: Promise
    not_deletable: Promise

    def url_name(self, action: str) -> str:
        return f"accounts:{self.url_prefix}_{action}"

    # The URL names, for the templates' {% url %}
    list_name = property(lambda self: self.url_name("list"))
    create_name = property(lambda self: self.url_name("create"))
    edit_name = property(lambda self: self.url_name("edit"))
    deactivate_name = property(lambda self: self.url_name("deactivate"))
    reactivate_name = property(lambda self: self.url_name("reactivate"))
    delete_name = property(lambda self: self.url_name("delete"))


PRODUCT_GROUPS = ReferenceKind(
    model=ProductGroup,
    url_prefix="product_group",
    title=_("Product groups"),
    intro=_(
        "What we sell: sales, refusals and potential estimates are kept by product group. A group "
        "we no longer sell is deactivated: the records that have it keep it, and it is no longer "
        "offered for new ones. Only a group nothing uses can be deleted."
    ),
    add=_("Add a product group"),
    new=_("New product group"),
    edit=_("Edit product group %(name)s"),
    empty=_("No product groups yet: sales, refusals and estimates need at least one."),
    added=_("Product group “%(name)s” was added."),
    saved=_("Product group “%(name)s” was saved."),
    deactivated=_(
        "Product group “%(name)s” was deactivated: the records that have it keep it, and it is no "
        "longer offered for new ones."
    ),
    already_inactive=_("Product group “%(name)s” was already inactive."),
    reactivated=_("Product group “%(name)s” is offered again."),
    already_active=_("Product group “%(name)s” was already active."),
    deleted=_("Product group “%(name)s” was deleted."),
    duplicate=_("We already have a product group named “%(name)s”."),
    in_use=_(
        "Product group “%(name)s” is in use (%(usage)s) and cannot be deleted. Deactivate it "
        "instead: those records keep it, and it is no longer offered for new ones."
    ),
    in_history=_(
        "Product group “%(name)s” is named in the change history of earlier records and cannot be "
        "deleted. Deactivate it instead, so the history keeps its name."
    ),
    stale=_(
        "Not saved: someone else saved this product group while you were editing. It now reads "
        "“%(name)s” and is %(state)s. Your values are still in the form: check them and save again."
    ),
    deletable=_("Nothing uses this product group yet: it can be deleted."),
    not_deletable=_("In use (%(usage)s): this product group cannot be deleted, only deactivated."),
)

INDUSTRIES = ReferenceKind(
    model=Industry,
    url_prefix="industry",
    title=_("Industries"),
    intro=_(
        "The industries chosen on client cards. An industry we no longer use is deactivated: the "
        "cards that have it keep it, and it is no longer offered for other cards. Only an industry "
        "no card has can be deleted."
    ),
    add=_("Add an industry"),
    new=_("New industry"),
    edit=_("Edit industry %(name)s"),
    empty=_("No industries yet: the client card's industry stays empty until one is added."),
    added=_("Industry “%(name)s” was added."),
    saved=_("Industry “%(name)s” was saved."),
    deactivated=_(
        "Industry “%(name)s” was deactivated: the cards that have it keep it, and it is no longer "
        "offered for other cards."
    ),
    already_inactive=_("Industry “%(name)s” was already inactive."),
    reactivated=_("Industry “%(name)s” is offered again."),
    already_active=_("Industry “%(name)s” was already active."),
    deleted=_("Industry “%(name)s” was deleted."),
    duplicate=_("We already have an industry named “%(name)s”."),
    in_use=_(
        "Industry “%(name)s” is in use (%(usage)s) and cannot be deleted. Deactivate it instead: "
        "those cards keep it, and it is no longer offered for other cards."
    ),
    in_history=_(
        "Industry “%(name)s” is named in the change history of client cards and cannot be "
        "deleted. Deactivate it instead, so the history keeps its name."
    ),
    stale=_(
        "Not saved: someone else saved this industry while you were editing. It now reads "
        "“%(name)s” and is %(state)s. Your values are still in the form: check them and save again."
    ),
    deletable=_("No client card has this industry: it can be deleted."),
    not_deletable=_("In use (%(usage)s): this industry cannot be deleted, only deactivated."),
)
