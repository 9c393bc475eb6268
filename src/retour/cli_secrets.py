"""`retour secrets …`: the stored credentials sealed at rest."""

from __future__ import annotations

import typer

from retour.cli_common import open_uow, out
from retour.security.sealed import sealer_of
from retour.services.credentials import seal_stored_credentials
from retour.settings import get_settings

secrets_app = typer.Typer(help="Stored credentials, sealed at rest.", no_args_is_help=True)


@secrets_app.command("seal")
def secrets_seal() -> None:
    """Seal every credential still stored plain (saved before sealing), in one transaction,
    with the key derived from RETOUR_SECRET_KEY; safe to run again (it then seals none)."""
    settings = get_settings()
    sealed = seal_stored_credentials(open_uow(settings), sealer_of(settings))
    out.print(f"{sealed} stored credential(s) sealed")
