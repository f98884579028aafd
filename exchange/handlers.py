"""What one row of each sheet means, and which service writes it.

`plan` reads only: it finds what the row refers to and decides whether the row creates, updates
or changes nothing (identical to the database: this is what makes a re-upload change nothing).
`write_many` calls the same registration services as the forms, so every rule and permission holds;
a service's refusal becomes the row's rejection, blamed on the column it is about, and nothing of
that row is written. Enrolments use the services' many-rows form (a few queries per chunk instead
of a dozen per row); the others write row by row, each in its own savepoint, through the services
that also write the score history. Whether a row changes anything is certification.history's rule,
the one the services record changes by.
"""

from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from certification import history, registration, services
from certification.identity import mask_name
from certification.models import IdType, User
from core.errors import LifecycleError

from .cells import is_blank
from .columns import COMPLETIONS, ENROLMENTS, RESULTS
from .reference_books import (
    AttemptBook,
    BatchBook,
    CompletionBook,
    EnrolmentBook,
    ModuleBook,
    RowRejected,
    TrackBook,
    TraineeBook,
)
from .summary import CREATE, UNCHANGED, UPDATE

TRAINEE_FIELDS = (
    "name",
    "id_type",
    "id_number",
    "gender",
    "birth_date",
    "ethnicity",
    "education",
    "phone",
    "employer",
    "years_in_trade",
    "address",
)


@dataclass
class Options:
    # Enrolments only: submit each new enrolment for the office's approval (a StateLog entry).
    submit: bool = False
    # Import the valid rows and leave the rejected ones, instead of nothing unless all are valid.
    valid_rows_only: bool = False
    # Rows the preview rejected, skipped when only the valid rows are imported.
    skip_rows: frozenset = frozenset()


@dataclass
class Plan:
    outcome: str
    key: tuple
    trainee_key: tuple
    trainee: object = None
    batch: object = None
    enrolment: object = None
    module: object = None
    fields: dict = field(default_factory=dict)


@contextmanager
def blamed_on(key: str | None):
    """A service's refusal, as the rejection of the row's cell in column `key`."""
    try:
        yield
    except LifecycleError as error:
        raise RowRejected(key, error.message) from error


class Handler:
    kind = None

    def __init__(self, *, staff: User, options: Options):
        self.staff = staff
        self.options = options
        self.batches = BatchBook(staff)
        self.trainees = TraineeBook(staff)
        self.enrolments = EnrolmentBook()

    @staticmethod
    def trainee_key(values: dict) -> tuple:
        return (values.get("id_type") or IdType.RESIDENT_ID, values["id_number"])

    def prefetch(self, rows: list[dict]) -> set:
        """Look up, in a few queries, what a chunk of rows refers to; the trainees found.

        What the previous chunk looked up is forgotten, so that memory does not grow with the file;
        a row referring to an earlier chunk's row finds it in the database.
        """
        self.trainees = TraineeBook(self.staff)
        self.enrolments = EnrolmentBook()
        self.trainees.prefetch({self.trainee_key(values) for values in rows})
        found = {self.trainees.get(self.trainee_key(values)) for values in rows} - {None}
        self.enrolments.prefetch({trainee.pk for trainee in found})
        return found

    def enrolment_ids(self, trainees) -> set[int]:
        return {e.pk for trainee in trainees for e in self.enrolments.cache.get(trainee.pk, {}).values()}

    def write_many(self, plans: list[Plan]) -> list[RowRejected | None]:
        """Write each plan; for each, None or why its row was refused (nothing written for it)."""
        return [self.guarded(self.write, plan) for plan in plans]

    @staticmethod
    def guarded(write, plan: Plan) -> RowRejected | None:
        """`write(plan)` in a savepoint: refused, it leaves nothing behind."""
        try:
            with transaction.atomic():
                write(plan)
        except RowRejected as rejection:
            return rejection
        return None

    def write(self, plan: Plan) -> None:
        raise NotImplementedError

    def forget(self, plan: Plan) -> None:
        self.trainees.forget(plan.trainee_key)
        if plan.trainee is not None:
            self.enrolments.forget(plan.trainee.pk)

    def enrolled_trainee(self, values: dict, batch) -> tuple:
        """The institution's trainee with the row's ID and their enrolment in the batch, or a rejection."""
        trainee = self.trainees.get(self.trainee_key(values))
        if trainee is None:
            raise RowRejected("id_number", _("No trainee with this ID number is registered at your institution."))
        if values.get("name") and values["name"] != trainee.name:
            raise RowRejected(
                "name",
                _("The name does not match the trainee with this ID number (%(name)s).")
                % {"name": mask_name(trainee.name)},
            )
        enrolment = self.enrolments.get(trainee.pk, batch.pk)
        if enrolment is None:
            raise RowRejected(
                "batch",
                _("%(name)s is not enrolled in the batch “%(batch)s”.") % {"name": trainee.name, "batch": batch.name},
            )
        return trainee, enrolment


class EnrolmentHandler(Handler):
    kind = ENROLMENTS

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.tracks = TrackBook()

    def plan(self, values: dict) -> Plan:
        batch = self.batches.find(values["batch"])
        if values.get("track"):
            self.tracks.check(values["track"], batch)
        trainee_key = self.trainee_key(values)
        fields = {k: values[k] for k in TRAINEE_FIELDS if not is_blank(values.get(k))}
        fields["id_type"] = trainee_key[0]
        trainee = self.trainees.get(trainee_key)
        plan = Plan(
            CREATE, key=(*trainee_key, batch.pk), trainee_key=trainee_key, trainee=trainee, batch=batch, fields=fields
        )
        if trainee is not None:
            plan.fields = {k: v for k, v in fields.items() if getattr(trainee, k) != v}
            plan.enrolment = self.enrolments.get(trainee.pk, batch.pk)
            if plan.enrolment is not None:
                plan.outcome = UPDATE if plan.fields else UNCHANGED
        return plan

    def write_many(self, plans: list[Plan]) -> list[RowRejected | None]:
        refusals: list[RowRejected | None] = [None] * len(plans)
        new = [i for i, plan in enumerate(plans) if plan.trainee is None]
        created = registration.create_trainees(staff=self.staff, rows=[plans[i].fields for i in new])
        for i, trainee in zip(new, created, strict=True):
            if isinstance(trainee, LifecycleError):
                refusals[i] = RowRejected("id_number", trainee.message)
            else:
                plans[i].trainee = trainee
        enrol = [i for i, plan in enumerate(plans) if refusals[i] is None and plan.enrolment is None]
        enrolled = registration.enrol_trainees(
            staff=self.staff, requests=[(plans[i].trainee.pk, plans[i].batch.pk) for i in enrol]
        )
        for i, enrolment in zip(enrol, enrolled, strict=True):
            if isinstance(enrolment, LifecycleError):
                refusals[i] = RowRejected("batch", enrolment.message)
            else:
                plans[i].enrolment = enrolment
        new, enrol = set(new), set(enrol)  # asked of every row below: sets, not lists
        submit = enrol if self.options.submit else set()
        corrected = {i for i, plan in enumerate(plans) if refusals[i] is None and plan.fields and i not in new}
        for i in sorted(corrected):
            # A known trainee's correction (rare), with its submission, one row at a time.
            refusals[i] = self.guarded(lambda plan, s=i in submit: self.finish(plan, submit=s), plans[i])
        # The other new enrolments are submitted together.
        to_submit = [i for i in sorted(submit - corrected) if refusals[i] is None]
        submitted = services.submit_enrolments(
            actor=self.staff, enrolment_ids=[plans[i].enrolment.pk for i in to_submit]
        )
        for i, enrolment in zip(to_submit, submitted, strict=True):
            if isinstance(enrolment, LifecycleError):
                refusals[i] = RowRejected("batch", enrolment.message)
            else:
                plans[i].enrolment = enrolment
        # Nothing of a refused row stays: the trainee and draft enrolment made for it are taken back.
        refused = [i for i in range(len(plans)) if refusals[i] is not None]
        registration.discard_new_registrations(
            staff=self.staff,
            enrolment_ids=[plans[i].enrolment.pk for i in refused if i in enrol and plans[i].enrolment],
            trainee_ids=[plans[i].trainee.pk for i in refused if i in new and plans[i].trainee],
        )
        for i, plan in enumerate(plans):
            if refusals[i] is None:
                self.trainees.remember(plan.trainee_key, plan.trainee)
                self.enrolments.remember(plan.enrolment)
        return refusals

    def finish(self, plan: Plan, *, submit: bool) -> None:
        with blamed_on("id_number"):
            plan.trainee = registration.update_trainee(staff=self.staff, trainee_id=plan.trainee.pk, **plan.fields)
        if submit:
            with blamed_on("batch"):
                plan.enrolment = services.submit_enrolment(actor=self.staff, enrolment_id=plan.enrolment.pk)


class CompletionHandler(Handler):
    kind = COMPLETIONS

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.modules = ModuleBook()
        self.completions = CompletionBook()

    def prefetch(self, rows: list[dict]) -> set:
        found = super().prefetch(rows)
        self.completions = CompletionBook()
        self.completions.prefetch(self.enrolment_ids(found))
        return found

    def plan(self, values: dict) -> Plan:
        batch = self.batches.find(values["batch"])
        module = self.modules.find(values["module"], batch.track)
        trainee, enrolment = self.enrolled_trainee(values, batch)
        trainee_key = self.trainee_key(values)
        recorded = self.completions.get(enrolment.pk, module.pk)
        score = values.get("score")
        if score is None and recorded is not None:
            score = recorded[1]  # an empty cell keeps what was recorded
        plan = Plan(
            CREATE,
            key=(*trainee_key, batch.pk, module.pk),
            trainee_key=trainee_key,
            trainee=trainee,
            batch=batch,
            enrolment=enrolment,
            module=module,
            fields={"hours": values["hours"], "score": score},
        )
        if recorded is not None:
            changed = history.changed_values(dict(zip(("hours", "score"), recorded, strict=True)), plan.fields)
            plan.outcome = UPDATE if changed else UNCHANGED
        return plan

    def write(self, plan: Plan) -> None:
        with blamed_on(None):
            registration.record_module_completion(
                staff=self.staff, enrolment_id=plan.enrolment.pk, module_id=plan.module.pk, **plan.fields
            )
        self.completions.remember(plan.enrolment.pk, plan.module.pk, plan.fields["hours"], plan.fields["score"])

    def forget(self, plan: Plan) -> None:
        super().forget(plan)
        if plan.enrolment is not None:
            self.completions.forget(plan.enrolment.pk)


class ResultHandler(Handler):
    kind = RESULTS
    SCORES = ("theory_score", "practical_score", "exam_date")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.attempts = AttemptBook()

    def prefetch(self, rows: list[dict]) -> set:
        found = super().prefetch(rows)
        self.attempts = AttemptBook()
        self.attempts.prefetch(self.enrolment_ids(found))
        return found

    def plan(self, values: dict) -> Plan:
        if values.get("theory_score") is None and values.get("practical_score") is None:
            raise RowRejected(None, _("Give the theory score, the practical score or both."))
        batch = self.batches.find(values["batch"])
        trainee, enrolment = self.enrolled_trainee(values, batch)
        trainee_key = self.trainee_key(values)
        attempt = self.attempts.get(enrolment.pk)
        # An empty cell keeps what was entered; a part carried over from a passed sitting stays.
        fields = {
            name: values.get(name) if values.get(name) is not None else getattr(attempt, name, None)
            for name in self.SCORES
        }
        if attempt is not None and attempt.theory_carried_over:
            fields["theory_score"] = attempt.theory_score
        if attempt is not None and attempt.practical_carried_over:
            fields["practical_score"] = attempt.practical_score
        plan = Plan(
            CREATE,
            key=(*trainee_key, batch.pk),
            trainee_key=trainee_key,
            trainee=trainee,
            batch=batch,
            enrolment=enrolment,
            fields=fields,
        )
        if attempt is not None and (attempt.theory_score is not None or attempt.practical_score is not None):
            changed = history.changed_values(history.values_of(attempt, self.SCORES), fields)
            plan.outcome = UPDATE if changed else UNCHANGED
        return plan

    def write(self, plan: Plan) -> None:
        with blamed_on(None):
            attempt = registration.record_scores(staff=self.staff, enrolment_id=plan.enrolment.pk, **plan.fields)
        self.attempts.remember(attempt)

    def forget(self, plan: Plan) -> None:
        super().forget(plan)
        if plan.enrolment is not None:
            self.attempts.forget(plan.enrolment.pk)


HANDLERS = {handler.kind.name: handler for handler in (EnrolmentHandler, CompletionHandler, ResultHandler)}
