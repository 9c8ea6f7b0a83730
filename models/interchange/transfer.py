"""Transitional: the interchange functions under the module name they had before issue 9 split
it into format.py, convert.py, validate.py, read.py (import) and write.py (export). Nothing in
models/, reports/ or main.py imports it; it goes once the GUI branch of issue 9 is merged."""

from models.interchange.format import COLLECTIONS, FORMAT, VERSION, format_path  # noqa: F401
from models.interchange.read import (  # noqa: F401
    Progress,
    ProgressCallback,
    import_document,
    read_file,
)
from models.interchange.validate import validate_document  # noqa: F401
from models.interchange.write import export_document, to_json, write_file  # noqa: F401
