"""The three exchange sheets and their columns: enrolments, module completions, exam results (docs/spec.md §7).

A template has Chinese headers (row 1) and an English key row (row 2); uploads are matched by
either, so a column may move. Headers and list words are the template's vocabulary (Chinese data),
labels are English source text for messages and pages. Limits come from the model fields.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from certification.models import AssessmentAttempt, Education, Gender, IdType, ModuleCompletion, Trainee

from . import cells
from .cells import Cell

ID_TYPE_WORDS = {
    IdType.RESIDENT_ID: "居民身份证",
    IdType.HK_MACAU: "港澳居民居住证",
    IdType.TAIWAN: "台湾居民居住证",
    IdType.PASSPORT: "护照",
    IdType.FOREIGN_PERMANENT: "外国人永久居留身份证",
}
GENDER_WORDS = {Gender.MALE: "男", Gender.FEMALE: "女"}
EDUCATION_WORDS = {
    Education.PRIMARY: "小学",
    Education.JUNIOR: "初中",
    Education.SENIOR: "高中/中专",
    Education.JUNIOR_COLLEGE: "大专",
    Education.BACHELOR: "本科",
    Education.POSTGRADUATE: "研究生",
}
# Words people type instead of the list's own.
SYNONYMS = {
    "身份证": IdType.RESIDENT_ID,
    "居民身份证号": IdType.RESIDENT_ID,
    "m": Gender.MALE,
    "f": Gender.FEMALE,
    "男性": Gender.MALE,
    "女性": Gender.FEMALE,
    "高中": Education.SENIOR,
    "中专": Education.SENIOR,
    "职高": Education.SENIOR,
    "技校": Education.SENIOR,
    "专科": Education.JUNIOR_COLLEGE,
    "大学": Education.BACHELOR,
    "硕士": Education.POSTGRADUATE,
    "博士": Education.POSTGRADUATE,
}


@cache
def _vocabulary(words: tuple, choices) -> dict[str, str]:
    accepted = {}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            accepted.update({str(label).casefold(): value for value, label in choices.choices})
    accepted.update({value.casefold(): value for value, _word in words})
    accepted.update({word.casefold(): value for value, word in words})
    accepted.update({word: value for word, value in SYNONYMS.items() if value in dict(words)})
    return accepted


def vocabulary(words: dict, choices) -> dict[str, str]:
    """Every spelling accepted for a choice: the template word, the code, the label in each language."""
    return _vocabulary(tuple(words.items()), choices)


Reader = Callable[[Cell, dict], object]


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    label: Promise
    read: Reader
    required: bool = False
    width: int = 14
    as_text: bool = False
    choices: str = ""
    hint: Promise | str = ""

    @property
    def template_header(self) -> str:
        return f"{self.header}*" if self.required else self.header


@dataclass(frozen=True)
class Kind:
    name: str
    title: Promise
    sheet: str
    columns: tuple[Column, ...]
    # What makes two rows the same row (for duplicates and re-uploads), for messages.
    identity: Promise

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def _choice(words: dict, choices) -> Reader:
    return lambda cell, row: cells.choice(cell, vocabulary(words, choices), list(words.values()))


def _text(model, name: str) -> Reader:
    return lambda cell, row: cells.text(cell, max_length=_max_length(model, name))


def _phone(cell: Cell, row: dict) -> str:
    # "138 0000 0000" and "138-0000-0000" are the same number.
    text = cells.text(cell, max_length=None)
    return cells.checked_length("".join(ch for ch in text if ch not in " -"), _max_length(Trainee, "phone"))


def _decimal(model, name: str, label: Promise) -> Reader:
    # The label stays lazy: translated only when a message needs it, not once per row.
    return lambda cell, row: cells.decimal_value(cell, label=label, limits=cells.field_range(model, name))


def _id_number(cell: Cell, row: dict) -> str:
    id_type = row.get("id_type") or IdType.RESIDENT_ID
    return cells.id_number(cell, id_type=id_type, max_length=_max_length(Trainee, "id_number"))


def _name(cell: Cell, row: dict) -> str:
    return cells.person_name(cell, max_length=_max_length(Trainee, "name"))


def _years(cell: Cell, row: dict) -> int | None:
    return cells.integer_value(cell, label=_("Years in the trade"), limits=cells.field_range(Trainee, "years_in_trade"))


def _plain_text(cell: Cell, row: dict) -> str:
    return cells.text(cell, max_length=128)


def _date(cell: Cell, row: dict):
    return cells.date_value(cell)


NAME = Column("name", "姓名", _("Name"), _name, required=True, width=12)
NAME_CHECK = Column("name", "姓名", _("Name"), _name, width=12, hint=_("Optional: checked against the trainee."))
ID_TYPE = Column(
    "id_type",
    "证件类型",
    _("ID type"),
    _choice(ID_TYPE_WORDS, IdType),
    width=20,
    choices="id_types",
    hint=_("Empty means resident ID card."),
)
ID_NUMBER = Column(
    "id_number",
    "证件号码",
    _("ID number"),
    _id_number,
    required=True,
    width=22,
    as_text=True,
    hint=_("Formatted as Text: type it in full, never as a number."),
)
BATCH = Column(
    "batch",
    "培训班次",
    _("Training batch"),
    _plain_text,
    required=True,
    width=24,
    choices="batches",
    hint=_("The batch's name as listed, or its number."),
)

ENROLMENTS = Kind(
    name="enrolments",
    title=_("Enrolments"),
    sheet="报名",
    identity=_("ID number and batch"),
    columns=(
        NAME,
        ID_TYPE,
        ID_NUMBER,
        Column("gender", "性别", _("Gender"), _choice(GENDER_WORDS, Gender), required=True, width=8, choices="genders"),
        Column(
            "birth_date",
            "出生日期",
            _("Birth date"),
            _date,
            required=True,
            width=14,
            hint=_("A date, or text such as 2024-03-05 or 2024年3月5日."),
        ),
        Column("ethnicity", "民族", _("Ethnicity"), _text(Trainee, "ethnicity"), width=10, hint=_("Empty means 汉族.")),
        Column(
            "education",
            "文化程度",
            _("Education"),
            _choice(EDUCATION_WORDS, Education),
            required=True,
            width=14,
            choices="educations",
        ),
        Column("phone", "手机号码", _("Mobile phone"), _phone, required=True, width=16, as_text=True),
        Column("employer", "工作单位", _("Employer"), _text(Trainee, "employer"), width=28),
        Column("years_in_trade", "从业年限", _("Years in the trade"), _years, width=10),
        Column("address", "通讯地址", _("Address"), _text(Trainee, "address"), width=32),
        BATCH,
        Column(
            "track",
            "方向",
            _("Track"),
            _plain_text,
            width=14,
            choices="tracks",
            hint=_("Optional: checked against the batch's track."),
        ),
    ),
)

COMPLETIONS = Kind(
    name="completions",
    title=_("Module completions"),
    sheet="课程完成",
    identity=_("ID number, batch and module"),
    columns=(
        NAME_CHECK,
        ID_TYPE,
        ID_NUMBER,
        BATCH,
        Column("module", "课程模块", _("Module"), _plain_text, required=True, width=20, choices="modules"),
        Column("hours", "学时", _("Hours"), _decimal(ModuleCompletion, "hours", _("Hours")), required=True, width=10),
        Column(
            "score", "模块成绩", _("Module score"), _decimal(ModuleCompletion, "score", _("Module score")), width=10
        ),
    ),
)

RESULTS = Kind(
    name="results",
    title=_("Exam results"),
    sheet="考试成绩",
    identity=_("ID number and batch"),
    columns=(
        NAME_CHECK,
        ID_TYPE,
        ID_NUMBER,
        BATCH,
        Column(
            "theory_score",
            "理论成绩",
            _("Theory score"),
            _decimal(AssessmentAttempt, "theory_score", _("Theory score")),
            width=10,
        ),
        Column(
            "practical_score",
            "实操成绩",
            _("Practical score"),
            _decimal(AssessmentAttempt, "practical_score", _("Practical score")),
            width=10,
        ),
        Column("exam_date", "考试日期", _("Exam date"), _date, width=14),
    ),
)

KINDS = {kind.name: kind for kind in (ENROLMENTS, COMPLETIONS, RESULTS)}

# The column an error report adds; an upload of a corrected report ignores it.
REASON_KEY = "_reason"
REASON_HEADER = "错误原因"
