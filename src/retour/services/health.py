"""Is the database there?"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from retour.db.unit_of_work import UnitOfWork


def database_is_reachable(uow: UnitOfWork) -> bool:
    try:
        with uow:
            uow.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return False
    return True
