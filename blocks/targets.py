"""The models that blocks choose, named in one place.

Blocks sit below ``cms`` and never import it: a chooser names its model by ``"app_label.ModelName"`` and
Wagtail resolves it lazily. Renaming a model means changing it here (and a migration), nowhere else.
"""

PERSON = "cms.Person"
ORGANISATION = "cms.Organisation"
CONTACT_CARD = "cms.ContactCard"
