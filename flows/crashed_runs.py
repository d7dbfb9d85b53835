"""Flow runs left RUNNING by a process that was killed are marked CRASHED by the next run."""
from __future__ import annotations

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (FlowFilter, FlowFilterName, FlowRunFilter, FlowRunFilterState,
                                            FlowRunFilterStateType)
from prefect.client.schemas.objects import StateType
from prefect.states import Crashed

from ingest.storage.warehouse import Warehouse

FLOW_NAME = "ingest-speeches"


def mark_crashed_runs(wh: Warehouse, current_flow_run_id: str | None, logger) -> list[str]:
    """Set to CRASHED every other RUNNING ingest flow run on this warehouse; returns their ids.

    Call under the warehouse's run lock: a live run on this warehouse would hold that lock, so
    one that still shows RUNNING lost its process (SIGKILL, OOM, a power cut). Runs on other
    warehouses are left alone: their lock says nothing here. A failing API call is logged and
    the run goes on; the next run tries again.
    """
    marked = []
    try:
        with get_client(sync_client=True) as client:
            running = client.read_flow_runs(
                flow_filter=FlowFilter(name=FlowFilterName(any_=[FLOW_NAME])),
                flow_run_filter=FlowRunFilter(state=FlowRunFilterState(
                    type=FlowRunFilterStateType(any_=[StateType.RUNNING]))))
            for run in running:
                if str(run.id) == str(current_flow_run_id):
                    continue
                if Warehouse.at((run.parameters or {}).get("warehouse")).root != wh.root:
                    continue
                client.set_flow_run_state(run.id, Crashed(
                    message=f"its process is gone: found RUNNING by a later run while the run lock of "
                            f"{wh.root} was free"), force=True)
                marked.append(str(run.id))
                logger.warning("marked flow run %s (%s) CRASHED: it was still RUNNING, but its process is gone "
                               "(the warehouse's run lock was free); nothing of it was committed", run.name, run.id)
    except Exception as exc:  # bookkeeping of old runs must not fail this one
        logger.warning("could not look for crashed flow runs: %s", exc)
    return marked
