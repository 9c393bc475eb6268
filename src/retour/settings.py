"""Settings from the environment (prefix `RETOUR_`); nothing is read at import time."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_SECRET_KEY = "retour-development-secret-key-do-not-use-in-production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RETOUR_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("./var")
    #: SQLAlchemy URL; empty means a SQLite file `retour.db` under the data dir.
    database_url: str = ""
    secret_key: SecretStr = SecretStr(DEVELOPMENT_SECRET_KEY)
    base_url: str = "http://127.0.0.1:8000"
    #: Pool size per process for PostgreSQL.
    database_pool_size: int = 10
    #: Stripe secret key (`sk_…`); refunds to Stripe payments are off without it.
    stripe_api_key: SecretStr | None = None
    #: Where Stripe's API is; only tests point it elsewhere (a server on loopback).
    stripe_api_base: str = "https://api.stripe.com"
    #: Gateway names, as imported orders spell them, of payments Stripe captured.
    stripe_gateways: list[str] = ["stripe"]
    #: Where EasyPost's API is (stores' accounts hold the keys); only tests point it elsewhere.
    easypost_api_base: str = "https://api.easypost.com/v2"
    #: SMTP for e-mails; with no host, each e-mail is written as an .eml file under the data dir.
    smtp_host: str = ""
    smtp_port: int = 587
    #: none, starttls or tls (implicit TLS, usually port 465).
    smtp_security: Literal["none", "starttls", "tls"] = "starttls"
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    #: The From address of every e-mail, e.g. `Maison Demo <returns@shop.example>`.
    mail_from: str = "Retour <returns@retour.invalid>"
    #: Webhook requests time out after this many seconds (then the delivery is retried).
    webhook_timeout_seconds: float = 10.0
    #: Allow webhook URLs on private, loopback and link-local addresses (tests, local setups).
    webhooks_allow_private: bool = False
    #: How long a worker holds the deliveries it claimed; a killed worker's are sent again by
    #: another once this lapses. Keep it well above the webhook timeout.
    outbox_lease_seconds: int = 60
    #: Workers ask the carriers about parcels on their way every this many seconds (the
    #: poll of `retour shipments refresh`); 0 turns it off.
    tracking_poll_seconds: int = 900
    #: Workers also run the periodic chores: expire overdue returns and lapsed store credit,
    #: settle refunds left pending, delete photos of portal forms never sent
    #: (services/outbox/chores.py). Turn it off when cron runs those commands instead.
    worker_chores: bool = True
    #: Run an outbox worker inside `retour serve`; unset means yes on SQLite, no otherwise.
    outbox_in_process: bool | None = None

    @property
    def runs_worker_in_process(self) -> bool:
        if self.outbox_in_process is not None:
            return self.outbox_in_process
        return self.effective_database_url.startswith("sqlite")

    @model_validator(mode="after")
    def _refuse_default_secret_in_production(self) -> Settings:
        if self.env == "production" and (
            self.secret_key.get_secret_value() == DEVELOPMENT_SECRET_KEY
            or len(self.secret_key.get_secret_value()) < 32
        ):
            raise ValueError(
                "RETOUR_SECRET_KEY must be set to a random value of at least 32 characters "
                "when RETOUR_ENV=production"
            )
        return self

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'retour.db').resolve()}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
