"""What the rows of an upload refer to, looked up once per chunk of rows instead of once per row.

Each book reads through the selectors or the uploader's institution only, so a batch or trainee of
another institution is simply not found. Books are caches of the database as the import changes
it: a row that fails forgets what it touched, and the next lookup reads the database again.
"""

from collections import defaultdict

from django.utils.translation import gettext as _

from certification import selectors
from certification.models import (
    AssessmentAttempt,
    Enrolment,
    EnrolmentStatus,
    Module,
    ModuleCompletion,
    Track,
    Trainee,
    TrainingBatch,
    User,
)
from core.spreadsheets import FORMULA_STARTS

from .cells import normalised_text


class RowRejected(Exception):
    """A row cannot be imported; `key` names the column to blame (None: the row as a whole)."""

    def __init__(self, key: str | None, message):
        super().__init__(message)
        self.key = key
        self.message = str(message)


def _name_key(value) -> str:
    key = normalised_text(value).casefold()
    # A name starting like a formula is listed in the templates with the safe writer's apostrophe
    # (core.spreadsheets.neutralised): picked from a drop-down list, it is still that name.
    if key.startswith("'") and key[1:].startswith(FORMULA_STARTS):
        return key[1:]
    return key


class BatchBook:
    def __init__(self, staff: User):
        self.by_id: dict[int, TrainingBatch] = {}
        self.by_name: dict[str, list[TrainingBatch]] = defaultdict(list)
        for batch in selectors.batches_visible_to(staff).filter(institution_id=staff.institution_id):
            self.by_id[batch.pk] = batch
            self.by_name[_name_key(batch.name)].append(batch)

    def find(self, text: str) -> TrainingBatch:
        named = self.by_name.get(_name_key(text), [])
        if len(named) == 1:
            return named[0]
        if len(named) > 1:
            raise RowRejected(
                "batch",
                _("Several of your batches are named “%(name)s”: use the batch number instead (%(numbers)s).")
                % {"name": text, "numbers": "、".join(str(b.pk) for b in named)},
            )
        if text.isdigit() and int(text) in self.by_id:
            return self.by_id[int(text)]
        raise RowRejected(
            "batch",
            _("There is no batch “%(name)s” at your institution: use a batch name from the template's list.")
            % {"name": text},
        )


class TrackBook:
    def __init__(self):
        self.by_name = {}
        for track in Track.objects.all():
            for name in (track.code, track.name_zh, track.name_en):
                self.by_name[_name_key(name)] = track

    def check(self, text: str, batch: TrainingBatch) -> None:
        track = self.by_name.get(_name_key(text))
        if track is None:
            raise RowRejected(
                "track",
                _("“%(value)s” is not a track: use one of %(tracks)s.")
                % {"value": text, "tracks": "、".join(sorted({t.name_zh for t in self.by_name.values()}))},
            )
        if track.pk != batch.track_id:
            raise RowRejected(
                "track",
                _("The batch “%(batch)s” is for %(batch_track)s, not %(track)s.")
                % {"batch": batch.name, "batch_track": batch.track.name_zh, "track": track.name_zh},
            )


class ModuleBook:
    def __init__(self):
        self.by_track: dict[int, dict[str, Module]] = defaultdict(dict)
        self.listed: dict[int, list[Module]] = defaultdict(list)
        for module in Module.objects.select_related("track"):
            names = self.by_track[module.track_id]
            for name in (module.code, module.name_zh, module.name_en, f"{module.code} {module.name_zh}"):
                names[_name_key(name)] = module
            self.listed[module.track_id].append(module)

    def find(self, text: str, track: Track) -> Module:
        module = self.by_track[track.pk].get(_name_key(text))
        if module is None:
            raise RowRejected(
                "module",
                _("“%(value)s” is not a module of %(track)s: use one of %(modules)s.")
                % {
                    "value": text,
                    "track": track.display_name,
                    "modules": "、".join(m.display_name for m in self.listed[track.pk]),
                },
            )
        return module


TraineeKey = tuple[str, str]  # (ID type, ID number)


class TraineeBook:
    """The institution's trainees by ID, with None for an ID known to be absent."""

    def __init__(self, staff: User):
        self.institution_id = staff.institution_id
        self.cache: dict[TraineeKey, Trainee | None] = {}

    def prefetch(self, keys: set[TraineeKey]) -> None:
        missing = {key for key in keys if key not in self.cache}
        if not missing:
            return
        found = selectors.trainees_with_ids(missing).filter(institution_id=self.institution_id)
        by_key = {(t.id_type, t.id_number): t for t in found}
        for key in missing:
            self.cache[key] = by_key.get(key)

    def get(self, key: TraineeKey) -> Trainee | None:
        if key not in self.cache:
            self.prefetch({key})
        return self.cache[key]

    def remember(self, key: TraineeKey, trainee: Trainee) -> None:
        self.cache[key] = trainee

    def forget(self, key: TraineeKey) -> None:
        self.cache.pop(key, None)


class EnrolmentBook:
    """For each trainee, their enrolment in each batch (the latest one not withdrawn)."""

    def __init__(self):
        self.cache: dict[int, dict[int, Enrolment]] = {}

    def prefetch(self, trainee_ids: set[int]) -> None:
        missing = {pk for pk in trainee_ids if pk not in self.cache}
        if not missing:
            return
        for pk in missing:
            self.cache[pk] = {}
        enrolments = (
            Enrolment.objects.filter(trainee__pk__any_of=missing)
            .exclude(status=EnrolmentStatus.WITHDRAWN)
            .select_related("track")
            .order_by("created_at", "pk")
        )
        for enrolment in enrolments:
            self.cache[enrolment.trainee_id][enrolment.batch_id] = enrolment

    def get(self, trainee_id: int, batch_id: int) -> Enrolment | None:
        if trainee_id not in self.cache:
            self.prefetch({trainee_id})
        return self.cache[trainee_id].get(batch_id)

    def remember(self, enrolment: Enrolment) -> None:
        self.cache.setdefault(enrolment.trainee_id, {})[enrolment.batch_id] = enrolment

    def forget(self, trainee_id: int) -> None:
        self.cache.pop(trainee_id, None)


class CompletionBook:
    """Recorded (hours, score) by enrolment and module."""

    def __init__(self):
        self.cache: dict[int, dict[int, tuple]] = {}

    def prefetch(self, enrolment_ids: set[int]) -> None:
        missing = {pk for pk in enrolment_ids if pk not in self.cache}
        for pk in missing:
            self.cache[pk] = {}
        if missing:
            rows = ModuleCompletion.objects.filter(enrolment__pk__any_of=missing).values_list(
                "enrolment_id", "module_id", "hours", "score"
            )
            for enrolment_id, module_id, hours, score in rows:
                self.cache[enrolment_id][module_id] = (hours, score)

    def get(self, enrolment_id: int, module_id: int) -> tuple | None:
        if enrolment_id not in self.cache:
            self.prefetch({enrolment_id})
        return self.cache[enrolment_id].get(module_id)

    def remember(self, enrolment_id: int, module_id: int, hours, score) -> None:
        self.cache.setdefault(enrolment_id, {})[module_id] = (hours, score)

    def forget(self, enrolment_id: int) -> None:
        self.cache.pop(enrolment_id, None)


class AttemptBook:
    """The current (latest) attempt of each enrolment, or None."""

    def __init__(self):
        self.cache: dict[int, AssessmentAttempt | None] = {}

    def prefetch(self, enrolment_ids: set[int]) -> None:
        missing = {pk for pk in enrolment_ids if pk not in self.cache}
        for pk in missing:
            self.cache[pk] = None
        if missing:
            for attempt in AssessmentAttempt.objects.filter(enrolment__pk__any_of=missing).order_by("number"):
                self.cache[attempt.enrolment_id] = attempt

    def get(self, enrolment_id: int) -> AssessmentAttempt | None:
        if enrolment_id not in self.cache:
            self.prefetch({enrolment_id})
        return self.cache[enrolment_id]

    def remember(self, attempt: AssessmentAttempt) -> None:
        self.cache[attempt.enrolment_id] = attempt

    def forget(self, enrolment_id: int) -> None:
        self.cache.pop(enrolment_id, None)
