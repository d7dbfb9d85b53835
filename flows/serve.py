"""`ingest serve`: the ingest flow served from this process on a cron schedule."""
from prefect.schedules import Cron
from prefect.settings import PREFECT_API_URL

from flows.ingest_speeches import ingest_speeches


def api_url_configured() -> bool:
    """True when a Prefect API (env or profile) is set, so the deployment shows in a UI."""
    return bool(PREFECT_API_URL.value())


def serve_ingest(parameters: dict, name: str, cron: str, timezone: str) -> None:
    """Block serving scheduled and UI-triggered runs until interrupted."""
    ingest_speeches.serve(name=name, schedules=[Cron(cron, timezone=timezone)], parameters=parameters,
                          tags=["ingest", "serve"],
                          description="ingest serve: the ingest flow served from one process")
