"""One rehearsal, end to end: stage -> train -> predict -> score -> report.

This module only orders the steps and keeps the books (run folder, phase
specs). Each step's rules live in its own module (preparation, runners.choice,
resource_trace, answers, report); which runner ran a phase is invisible past
`RunBooks.phase_spec`. A phase that fails, even through a harness bug, still
ends in a complete report.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import secrets
import shutil
import time
import traceback
from dataclasses import asdict, dataclass
from pathlib import Path

from harness.data.staging import Stage, stage_split
from harness.errors import UserError
from harness.package import copy_contents
from harness.phases.contract_env import (
    PhaseVariables,
    RunFolders,
    make_scratch,
    predict_variables,
    train_variables,
)
from harness.phases.logs import log_tail
from harness.phases.outcome import PhaseOutcome, Status
from harness.phases.predict import Answer, PredictLimits, PredictRequest, run_predict
from harness.phases.served import FAILURES, served_command, served_mount
from harness.phases.train import run_train
from harness.report.document import DataSummary, assemble, write_report
from harness.report.schema import RunReport
from harness.run.library_log import LibraryLog
from harness.run.observer import RunObserver
from harness.run.preparation import Prepared, prepare
from harness.run.resource_trace import ResourceTrace
from harness.runners import create_runner
from harness.runners.base import Enforcement, Limits, PhaseSpec, Runner
from harness.runners.choice import choose_runner
from harness.runners.cpus import cpus_note, harness_cpus, pinned_cpus
from harness.runners.tracking import TrackingRunner
from harness.scoring.answers import score_section, write_answer_files
from harness.settings.config import RunConfig
from harness.settings.run_layout import RunLayout


@dataclass
class RunResult:
    """Where the run lives and what it concluded."""

    run_dir: Path
    report_path: Path
    report: RunReport

    @property
    def layout(self) -> RunLayout:
        return RunLayout(self.run_dir)

    @property
    def passed(self) -> bool:
        return bool(self.report["verdict"]["passed"])


def new_run_id(profile: str, now: dt.datetime) -> str:
    """Sortable by time, readable, unique: `<date>-<time>-<profile>-<4 hex>`."""
    return f"{now:%Y%m%d-%H%M%S}-{profile}-{secrets.token_hex(2)}"


def _remove_tree(path: Path) -> None:
    """Delete a folder the harness made, even where a phase left it read-only."""
    if not path.exists():
        return
    for root, dirs, _files in os.walk(path):
        for name in dirs:
            os.chmod(os.path.join(root, name), 0o755)
    shutil.rmtree(path, ignore_errors=True)


def _interrupted_phase(name: str, log_path: Path) -> PhaseOutcome:
    """The harness was stopped (Ctrl-C, SIGTERM, SIGHUP) during this phase, and stopped it."""
    return PhaseOutcome(
        phase=name,
        status=Status.INTERRUPTED,
        reason=f"The harness was stopped during {name}; the phase was stopped with it.",
        log_path=str(log_path),
        log_tail=log_tail(log_path),
    )


def _failed_phase(name: str, error: BaseException, log_path: Path) -> PhaseOutcome:
    lines = traceback.format_exception_only(type(error), error)
    return PhaseOutcome(
        phase=name,
        status=Status.HARNESS_ERROR,
        reason=f"The harness failed while running {name}: {lines[-1].strip()}",
        log_path=str(log_path),
        details={"traceback": traceback.format_exception(error)},
    )


class RunBooks:
    """The books of one run: its folder, its phases' specs, and the steps in order."""

    def __init__(self, config: RunConfig, observer: RunObserver) -> None:
        self.config = config
        self.observer = observer
        self.limits = config.scaled()
        now = dt.datetime.now(dt.UTC)
        self.created = now.isoformat(timespec="seconds")
        self.run_id = new_run_id(config.profile, now)
        self.layout = RunLayout((Path(config.runs_dir) / self.run_id).resolve())
        self.run_dir = self.layout.root
        self.model_dir = self.layout.model
        self.metrics_path = self.layout.train_metrics
        self.started = time.monotonic()
        self.hidden: tuple[Path, ...] = ()

    def folders(self, stage: Stage) -> RunFolders:
        """The staged split and the run's model and metrics places, as the phases get them."""
        return RunFolders(stage.train_dir, stage.test_dir, self.model_dir, self.metrics_path)

    def scratch(self, phase: str) -> Path:
        """The phase's TMPDIR and HOME, made fresh; `clean_phase` deletes them."""
        return make_scratch(self.layout.scratch(phase))

    def phase_spec(
        self,
        phase: str,
        command: tuple[str, ...],
        submission: Path,
        variables: PhaseVariables,
    ) -> PhaseSpec:
        """A fresh package copy for one phase, and the spec to run it."""
        workdir = self.layout.work(phase)
        # Leave out the runs folder: it sits inside the package when the user
        # runs the harness from their package folder (no runs copied into runs).
        copy_contents(submission, workdir, leave_out=(self.run_dir.parent,))
        log_path = self.layout.log(phase)
        return variables.spec(command, workdir, self.phase_limits(phase), log_path, self.hidden)

    def phase_limits(self, phase: str) -> Limits:
        """The contest's split: train on a GPU, predict on a few CPUs (per the profile)."""
        gpus = self.config.train_gpu if phase == "train" else self.config.predict_gpu
        cpus = pinned_cpus(self.config.predict_cpus, harness_cpus()) if phase == "predict" else None
        return Limits(
            memory_bytes=self.config.memory_limit_bytes,
            network=self.config.network,
            gpu=gpus > 0,
            gpu_memory_bytes=self.config.gpu_memory_limit_bytes,
            disk_bytes=self.config.disk_limit_bytes,
            cpus=cpus,
        )

    def resources(self, phase: str) -> dict:
        """What the phase was given, for its report details: GPU or not, the CPU ids it may use."""
        limits = self.phase_limits(phase)
        given = {"gpu": limits.gpu, "cpus": list(limits.cpus or harness_cpus())}
        note = cpus_note(self.config.predict_cpus, harness_cpus()) if phase == "predict" else None
        return {"resources": {**given, "note": note} if note else given}

    def clean_phase(self, phase: str) -> None:
        """Delete the phase's package copy and scratch (and their parents once empty)."""
        for folder in (self.layout.work(phase), self.layout.scratch(phase)):
            _remove_tree(folder)
            if not any(folder.parent.iterdir()):
                folder.parent.rmdir()


def _enforcement(runner: Runner, books: RunBooks) -> Enforcement:
    """What the runner enforces for train, plus the notes only predict's own limits bring."""
    train = runner.enforcement(books.phase_limits("train"))
    predict = runner.enforcement(books.phase_limits("predict"))
    extra = tuple(f"predict: {note}" for note in predict.notes if note not in train.notes)
    return dataclasses.replace(train, notes=(*train.notes, *extra))


def _prepare_phase(runner: Runner, spec: PhaseSpec) -> dict:
    """Prepare the phase before its clock starts; what was prepared and how long it took."""
    started = time.monotonic()
    prepared = runner.prepare(spec)
    if prepared is None:
        return {}
    return {"prepared": prepared, "prepare_s": round(time.monotonic() - started, 3)}


def _with_details(outcome: PhaseOutcome, extra: dict) -> PhaseOutcome:
    outcome.details = {**extra, **outcome.details}
    return outcome


def _train(
    books: RunBooks, runner: TrackingRunner, prep: Prepared, stage: Stage, trace: ResourceTrace
) -> PhaseOutcome:
    variables = train_variables(
        books.folders(stage), books.config.profile, books.scratch("train"), prep.manifest.train_env
    )
    spec = books.phase_spec("train", prep.manifest.train_command, prep.manifest.root, variables)
    try:
        preparation = _prepare_phase(runner, spec)
        books.observer.phase_started("train", books.limits.train_budget_s)
        outcome = run_train(
            runner,
            spec,
            books.limits.train_budget_s,
            books.limits.grace_s,
            books.model_dir,
            on_sample=trace.callback("train"),
        )
        return _with_details(outcome, {**books.resources("train"), **preparation})
    finally:  # on Ctrl-C too: the phase is stopped before its folders go
        runner.stop_all(books.limits.grace_s)
        books.clean_phase("train")


def _predict(
    books: RunBooks, runner: TrackingRunner, prep: Prepared, stage: Stage, trace: ResourceTrace
) -> tuple[PhaseOutcome, list[Answer]]:
    limits = PredictLimits(
        setup_s=books.limits.predict_setup_s,
        per_image_s=books.limits.per_image_s,
        request_timeout_s=books.limits.request_timeout_s,
        grace_s=books.limits.grace_s,
    )
    variables = predict_variables(
        books.folders(stage),
        books.config.profile,
        books.scratch("predict"),
        limits,
        prep.manifest.predict_env,
    )
    command, failures = prep.manifest.predict_command, frozenset()
    serve = prep.manifest.predict_serve
    if serve is not None:  # the platform's side: the harness's own program serves the model
        command, failures = served_command(serve, prep.dataset.classes), FAILURES
        variables = dataclasses.replace(variables, mounts=(*variables.mounts, served_mount()))
    spec = books.phase_spec("predict", command, prep.manifest.root, variables)
    requests = [PredictRequest(image_id, path) for image_id, path in stage.requests]
    try:
        preparation = _prepare_phase(runner, spec)
        books.observer.phase_started("predict", None)
        outcome, answers = run_predict(
            runner,
            spec,
            requests,
            prep.dataset.classes,
            limits,
            on_sample=trace.callback("predict"),
            on_answer=books.observer.answered,
            failures=failures,
        )
        return _with_details(outcome, {**books.resources("predict"), **preparation}), answers
    finally:
        runner.stop_all(books.limits.grace_s)
        books.clean_phase("predict")


def _write_page(run_dir: Path) -> str | None:
    """The HTML page; its failure never fails the run. Imported here: it loads matplotlib."""
    from harness.report.page import write_report_page

    try:
        return write_report_page(run_dir).name
    except Exception as error:  # the page is a view of report.json, which is already safe
        print(f"onlinesim: warning: the HTML page could not be written: {error}")
        return None


def _run_phases(
    books: RunBooks, runner: TrackingRunner, prep: Prepared, stage: Stage
) -> tuple[PhaseOutcome, PhaseOutcome, list[Answer]]:
    """Train, then predict only when train passed; a harness failure becomes an outcome."""
    trace = ResourceTrace(books.layout.resources, books.started, books.observer)
    try:
        train = _train(books, runner, prep, stage, trace)
    except UserError:
        _remove_tree(books.run_dir)  # the run could not start (e.g. no docker image): no report
        raise
    except KeyboardInterrupt:
        train = _interrupted_phase("train", books.layout.log("train"))
    except Exception as error:
        train = _failed_phase("train", error, books.layout.log("train"))
    books.observer.phase_ended(train)
    answers: list[Answer] = []
    if train.status is Status.OK:
        try:
            predict, answers = _predict(books, runner, prep, stage, trace)
        except KeyboardInterrupt:
            predict = _interrupted_phase("predict", books.layout.log("predict"))
        except Exception as error:
            predict = _failed_phase("predict", error, books.layout.log("predict"))
    else:
        predict = PhaseOutcome(
            phase="predict",
            status=Status.NOT_RUN,
            reason="Not run: training did not pass, so there is no model to predict with.",
        )
    books.observer.phase_ended(predict)
    return train, predict, answers


def _files(books: RunBooks, stage: Stage, answers: list[Answer]) -> dict[str, str]:
    """Write the answer files and list every file the run produced, relative to its folder."""
    layout = books.layout
    files = {
        "config": layout.relative(layout.config),
        "resources": layout.relative(layout.resources),
        "harness_log": layout.relative(layout.harness_log),
    }
    files.update(write_answer_files(layout, stage, answers))
    if layout.train_metrics.is_file():
        files["train_metrics"] = layout.relative(layout.train_metrics)
    for phase in ("train", "predict"):
        if layout.log(phase).is_file():
            files[f"{phase}_log"] = layout.relative(layout.log(phase))
    return files


def sample_warnings(*phases: PhaseOutcome) -> list[str]:
    """A resource callback that failed left the trace short: said, since the page shows less."""
    return [
        f"{outcome.phase}: resource samples stopped early, the sample callback failed "
        f"({outcome.details['sample_error']}); the memory limit was still enforced"
        for outcome in phases
        if outcome.details.get("sample_error")
    ]


def _data_summary(prep: Prepared) -> DataSummary:
    return DataSummary(
        source=str(prep.dataset.root),
        classes=prep.dataset.classes,
        train_images=prep.plan.train_count,
        test_images=prep.plan.test_count,
        requested=prep.plan.requested,
        scaled_down=prep.plan.scaled_down,
        warnings=[*prep.dataset.warnings, *prep.plan.warnings],
        skipped_files=[skipped.to_dict() for skipped in prep.dataset.skipped],
        holdout=prep.holdout,
    )


def simulate(
    config: RunConfig,
    observer: RunObserver | None = None,
    runner_choice: tuple[str, str] | None = None,
) -> RunResult:
    """Run one rehearsal under `config`; refusals raise UserError before any folder is made.

    `runner_choice` is `choose_runner`'s answer when the caller already asked it.
    Library warnings of the harness itself go to the run's `logs/harness.log`.
    """
    with LibraryLog() as library:
        return _rehearse(config, observer, runner_choice, library)


def _rehearse(
    config: RunConfig,
    observer: RunObserver | None,
    runner_choice: tuple[str, str] | None,
    library: LibraryLog,
) -> RunResult:
    prep = prepare(config)
    runner_name, runner_note = runner_choice or choose_runner(config.runner, config.docker_image)
    options = {"image": config.docker_image} if runner_name == "docker" else {}
    runner = TrackingRunner(create_runner(runner_name, **options))
    books = RunBooks(config, observer or RunObserver())
    # The labelled originals, other runs' answer keys and the live package stay out of sight.
    books.hidden = (prep.dataset.root, books.run_dir.parent, prep.manifest.root)
    books.run_dir.mkdir(parents=True)
    library.write_to(books.layout.harness_log)
    books.model_dir.mkdir()
    books.metrics_path.parent.mkdir()
    config.write(books.run_dir)
    enforcement = _enforcement(runner, books)
    stage = stage_split(prep.plan, books.layout, link=enforcement.read_only_data)
    train, predict, answers = _run_phases(books, runner, prep, stage)
    data = _data_summary(prep)
    serve = prep.manifest.predict_serve
    report = assemble(
        run_id=books.run_id,
        created=books.created,
        profile=config.profile_settings(),
        time_scale=config.time_scale,
        runner={"name": runner_name, "chosen": runner_note, "enforcement": asdict(enforcement)},
        submission={
            "path": str(prep.manifest.root),
            "name": prep.manifest.name,
            "content_sha256": prep.content_sha256,
            "predict_served": serve and serve.to_dict(),
            "derived_manifest": prep.manifest.derived
            and {
                "train": {"command": list(prep.manifest.train_command)},
                "predict": serve.to_dict(),
            },
        },
        data=data,
        phases={"train": train, "predict": predict},
        score=score_section(prep.dataset, stage, answers, books.limits.per_image_s),
        warnings=[*prep.warnings, *data.warnings, *sample_warnings(train, predict)],
        files=_files(books, stage, answers),
    )
    report_path = write_report(books.run_dir, report)
    if Status.INTERRUPTED in (train.status, predict.status):
        raise KeyboardInterrupt(f"interrupted; the report is {report_path}")
    page = _write_page(books.run_dir)
    if page is not None:
        report["files"]["page"] = page
        write_report(books.run_dir, report)
    return RunResult(books.run_dir, report_path, report)
