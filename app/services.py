"""The composition root of the GUI: every background thread is created here, and stopped here.

Each thread is a `Worker` that owns what its jobs touch:
- inference: the model (one thread owns the model; see app.workers.inference);
- store: the conversation database (and settings writes, so the GUI thread never waits on the disk);
- downloads, model-tasks: model files (a download never holds up a quick header check or delete);
- repository: the open repository's index and its tokenizer (the RepoAssistant);
- files: code files the infill pane opens and saves;
- server: starts and stops the local server (binding a port, cancelling its generations), whose
  model work runs on the inference thread;
- measure: a Measure window run's loop and its sandboxed candidates (app.ui.measure.control); each
  task's generation is submitted from it to the inference thread, so chat answers interleave.
The panes receive the services they use; none creates a thread of its own.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable

from app.context import AppContext
from app.core.catalogue import ModelCatalogue
from app.core.errors import UserError
from app.core.repo.assistant import RepoAssistant
from app.workers.downloads import DownloadService
from app.workers.inference import InferenceService
from app.workers.store_worker import StoreService
from app.workers.worker import Worker

log = logging.getLogger(__name__)


@dataclass
class Services:
    inference: InferenceService
    store: StoreService
    downloads: DownloadService
    repository: Worker
    files: Worker
    server: Worker  # the local server's start and stop (app.ui.server.control)
    measure: Worker  # measuring a model: the run's loop, the sandbox and the results database
    repo_assistant: RepoAssistant  # used only by jobs on `repository`
    catalogue: ModelCatalogue  # stateless over the models folder: used by jobs on the model-tasks thread

    def report_errors_to(self, show_error: Callable[[UserError], None]) -> None:
        """Failures of jobs submitted without their own error handler go to the one error display."""
        for worker in (self.repository, self.files):
            worker.on_unhandled = show_error

    def shutdown(self) -> None:
        """Stop every thread, each finishing the jobs already given to it (the store last: it saves)."""
        assistant = self.repo_assistant
        # The server first: its stop (queued by the window) cancels its generations while the model thread runs.
        self.server.shutdown(30000)
        self.files.shutdown()
        self.repository.submit(lambda _report: assistant.close())
        self.repository.shutdown()
        self.downloads.shutdown()
        # Before the model thread: a run's generation in flight was cancelled by the window, and the
        # run's loop waits for it (and for a candidate in the sandbox, bounded by its time limit).
        self.measure.shutdown(30000)
        self.inference.shutdown()
        self.store.shutdown()


def build_services(ctx: AppContext) -> Services:
    return Services(
        inference=InferenceService(ctx, Worker("inference")),
        store=StoreService(ctx.paths.database, Worker("store")),
        downloads=DownloadService(ctx.paths.models, ctx.download_options, downloads=Worker("downloads"),
                                  tasks=Worker("model-tasks")),
        repository=Worker("repository"),
        files=Worker("files"),
        server=Worker("server"),
        measure=Worker("measure"),
        repo_assistant=RepoAssistant.in_cache(ctx.paths.cache),
        catalogue=ModelCatalogue.in_folders(ctx.paths),
    )
