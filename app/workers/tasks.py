"""Kept for imports written before `app.workers.worker`: every background job runs on a Worker."""

from app.workers.worker import Report, TaskRunner, UnexpectedError, Worker

__all__ = ["Report", "TaskRunner", "UnexpectedError", "Worker"]
