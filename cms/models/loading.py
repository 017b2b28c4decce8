"""Model instances for rows read from the database, made without running the model's constructor.

A delivery response loads a few hundred rows (people with their organisations, contact cards, the report's
sessions, organisers and projects...). Django makes each through ``Model.__init__`` and, for these models,
modelcluster's ``ClusterableModel.__init__``, which works out the model's child relations again for every
row to see whether any was passed in (none is, from the database): about a third of the cost of loading a row.
``Model.from_db`` is Django's documented hook for how rows become instances; ``RowLoaded`` overrides it to
give the instance the loaded values directly, which is what the constructors end up doing for a row.

It does so only for what is known to be equivalent, worked out once per model and checked on every row:

- every ``__init__`` in the model's bases is one known to do nothing more for a row with a primary key
  (``NO_OP_FOR_ROWS``); a base that adds another constructor (a library upgrade, a new mixin) makes the model
  load the stock way, and ``tests/cms/test_loading.py`` fails, so it is looked at rather than silently slow;
- nothing listens to ``pre_init`` or ``post_init`` for the model (asked on every row: a receiver may be
  connected at any time);
- each field's value is written as ``setattr`` would write it: straight into the instance's ``__dict__`` for
  fields whose class attribute is Django's plain ``DeferredAttribute`` or ``ForeignKeyDeferredAttribute`` (on a
  new instance the latter only stores the id), through the descriptor for any other (Wagtail's StreamField).
"""

from django.db.models import signals
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute

# Constructors that, given a row's values by position and no keyword arguments, only pass them on (and skip
# what they do for a new, unsaved object): Django's own, which the fast path replaces, modelcluster's (it
# handles child objects given as keyword arguments) and Wagtail's page constructors (defaults for an object
# without an id).
NO_OP_FOR_ROWS = frozenset(
    {
        "django.db.models.base.Model.__init__",
        "modelcluster.models.ClusterableModel.__init__",
        "wagtail.models.pages.AbstractPage.__init__",
        "wagtail.models.pages.ShowInMenusMixin.__init__",
    }
)

_PLAIN_DESCRIPTORS = (DeferredAttribute, ForeignKeyDeferredAttribute)


def constructors(model):
    """The ``__init__`` methods in ``model``'s bases, as dotted names."""
    return [
        f"{klass.__module__}.{klass.__qualname__}.__init__"
        for klass in model.__mro__
        if "__init__" in klass.__dict__ and klass is not object
    ]


def load_plan(model):
    """``(attnames, through_descriptor)``: every concrete field's attribute name, in field order, and the
    ``(position, attname)`` of those written through their descriptor; or None when rows of ``model`` must be
    loaded the stock way (a constructor not known to be a no-op for rows)."""
    if not set(constructors(model)) <= NO_OP_FOR_ROWS:
        return None
    attnames, through_descriptor = [], []
    for position, field in enumerate(model._meta.concrete_fields):
        descriptor = next(
            (klass.__dict__[field.attname] for klass in model.__mro__ if field.attname in klass.__dict__), None
        )
        attnames.append(field.attname)
        if type(descriptor) not in _PLAIN_DESCRIPTORS:
            through_descriptor.append((position, field.attname))
    return tuple(attnames), tuple(through_descriptor)


class RowLoaded:
    """Loads rows into instances without the constructors (see the module's docstring)."""

    @classmethod
    def from_db(cls, db, field_names, values):
        plan = cls.__dict__.get("_row_plan", False)
        if plan is False:
            plan = load_plan(cls)
            cls._row_plan = plan
        if plan is None or signals.pre_init.has_listeners(cls) or signals.post_init.has_listeners(cls):
            return super().from_db(db, field_names, values)
        attnames, through_descriptor = plan
        new = cls.__new__(cls)
        state = ModelState()
        state.adding = False
        state.db = db
        attributes = new.__dict__
        attributes["_state"] = state
        if len(values) == len(attnames):
            attributes.update(zip(attnames, values, strict=True))
            for position, attname in through_descriptor:
                del attributes[attname]
                setattr(new, attname, values[position])
        else:
            # Some fields deferred: the values of the others come in field order (as ``Model.from_db`` reads them).
            loaded = iter(values)
            through = {attname for _position, attname in through_descriptor}
            for attname in attnames:
                if attname in field_names:
                    if attname in through:
                        setattr(new, attname, next(loaded))
                    else:
                        attributes[attname] = next(loaded)
        return new
