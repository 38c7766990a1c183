"""Background jobs of the registry: the ledger import."""

from tongchou.core.uploads import ledger_import
from tongchou.registry.ledger import people_import

IMPORT_PEOPLE = "registry.import_people"

import_people = ledger_import(IMPORT_PEOPLE, name="people", importer=people_import)
