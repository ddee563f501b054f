"""Each packaged function's handler names a function the bundle holds; the jobs' handlers
are theirs (chalicelib/jobs/), not app.py's."""

from __future__ import annotations

import ast
import zipfile

import pytest

from tests.infra.packaged import packaged

HANDLERS = {
    "APIHandler": "app.app",
    "CountBallots": "chalicelib.jobs.count_ballots.handler",
    "CloseDueConsultations": "chalicelib.jobs.close_due_consultations.handler",
    "Notify": "chalicelib.jobs.notify.handler",
    "DeliverNotifications": "chalicelib.jobs.deliver_notifications.handler",
    "NotificationSchedule": "chalicelib.jobs.notification_schedule.handler",
}


@pytest.mark.parametrize("function", sorted(HANDLERS))
def test_each_function_runs_its_own_handler_which_the_bundle_defines(function):
    handler = packaged().functions[function]["Properties"]["Handler"]
    assert handler == HANDLERS[function]

    module, name = handler.rsplit(".", 1)
    with zipfile.ZipFile(packaged().bundle_path) as bundle:
        source = bundle.read(module.replace(".", "/") + ".py").decode()
    defined = {
        node.targets[0].id if isinstance(node, ast.Assign) else node.name
        for node in ast.parse(source).body
        if isinstance(node, ast.FunctionDef)
        or (isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name))
    }
    assert name in defined
