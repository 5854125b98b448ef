"""Realistic demo data for ``manage.py seed_demo``: tutors, students, lessons, invoices.

Every row made here is tagged so that it can be told apart from the school's own and
deleted again: users' usernames start with ``demo-`` and students' email addresses end
with ``@demo.invalid``. Lessons belong to demo tutors, attendances and invoices to demo
students. The reference data (subjects, levels, the virtual room) comes from
``seed_production`` and the physical rooms are looked up by name, so neither is ever
deleted.

Dates are relative to today; everything else is drawn from one ``random.Random(seed)``,
so one seed gives the same school on the same day.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from school.management.commands.seed_production import LEVELS, SUBJECTS, VIRTUAL_ROOM
from school.management.commands.seed_production import Command as SeedProduction
from school.models import Attendance, Invoice, Lesson, Level, Room, Student, Subject, Tutor

USERNAME_PREFIX = "demo-"
EMAIL_DOMAIN = "demo.invalid"

WEEKS_PAST = 8
WEEKS_AHEAD = 2
STUDENT_COUNT = 60
SLOTS_PER_TUTOR = 5

# (first name, last name, subjects, hourly rate)
TUTORS = [
    ("Amelia", "Clarke", ["Mathematics", "Physics"], "42.00"),
    ("Daniel", "Okafor", ["Chemistry", "Biology"], "38.00"),
    ("Priya", "Shah", ["English", "History"], "36.00"),
    ("Tomas", "Lindqvist", ["Mathematics"], "40.00"),
    ("Sofia", "Romano", ["English"], "34.00"),
    ("Marcus", "Bell", ["Physics", "Chemistry", "Biology"], "45.00"),
]
# (name, capacity); the virtual room comes from seed_production.
PHYSICAL_ROOMS = [("Maple Room", 6), ("Oak Room", 4), ("Study Room", 2)]
# Students per level, in the order of seed_production's LEVELS (sums to STUDENT_COUNT).
STUDENTS_PER_LEVEL = [10, 13, 16, 13, 8]
# The share of each level's students with a login of their own (children have none).
LOGIN_SHARE = [0.0, 0.2, 0.4, 0.6, 0.9]
# What each attending student pays for an hour, per level.
HOURLY_PRICE = ["24.00", "27.00", "32.00", "38.00", "45.00"]
# Subjects taught at primary level; the rest start at lower secondary.
PRIMARY_SUBJECTS = {"Mathematics", "English"}

FIRST_NAMES = [
    "Aisha", "Ben", "Chloe", "Dev", "Ella", "Farah", "George", "Hana", "Isaac", "Jade",
    "Kai", "Layla", "Mateo", "Nina", "Oscar", "Poppy", "Quinn", "Rosa", "Sami", "Tara",
    "Umar", "Vera", "Will", "Xena", "Yusuf", "Zoe", "Leo", "Maya", "Noah", "Iris",
]  # fmt: skip
LAST_NAMES = [
    "Adeyemi", "Brooks", "Chen", "Dubois", "Evans", "Fischer", "Garcia", "Hughes", "Ito",
    "Jones", "Khan", "Lopez", "Murphy", "Novak", "O'Brien", "Patel", "Quinn", "Reid",
    "Silva", "Taylor", "Usman", "Varga", "Walsh", "Yilmaz", "Zielinski",
]  # fmt: skip

# Weekly slots: (weekday, hour), after school on weekdays and Saturday mornings.
SLOTS = [(day, hour) for day in range(5) for hour in (15, 16, 17, 18)] + [
    (5, hour) for hour in (9, 10, 11, 12)
]
MAKEUP_HOUR = 19  # after the last weekly slot, so a make-up never clashes with one
ISSUE_DAY = 25  # school.create_monthly_invoices runs on the 25th (prodready_hooks)


class DemoDataExists(Exception):
    """Demo rows exist already (delete them first with ``reset``)."""


@dataclass
class Group:
    """A weekly class: one tutor, subject and level, the same students every week."""

    tutor: Tutor
    subject: Subject
    level: Level
    slot: tuple[int, int]
    room: Room
    minutes: int
    students: list[Student] = field(default_factory=list)


def demo_users() -> Any:
    return get_user_model()._default_manager.filter(username__startswith=USERNAME_PREFIX)


def demo_students() -> Any:
    return Student.objects.filter(email__iendswith=f"@{EMAIL_DOMAIN}")


def exists() -> bool:
    return demo_users().exists() or demo_students().exists()


def reset() -> dict[str, int]:
    """Delete the demo rows (and only those); returns how many of each were deleted."""
    students = demo_students()
    tutors = Tutor.objects.filter(user__username__startswith=USERNAME_PREFIX)
    invoices = Invoice.objects.filter(student__in=students)
    attendances = Attendance.objects.filter(Q(student__in=students) | Q(lesson__tutor__in=tutors))
    deleted = {
        "invoices": invoices.delete()[1].get("school.Invoice", 0),
        "attendances": attendances.delete()[1].get("school.Attendance", 0),
        "lessons": Lesson.objects.filter(tutor__in=tutors).delete()[1].get("school.Lesson", 0),
        "students": students.delete()[1].get("school.Student", 0),
        "tutors": tutors.delete()[1].get("school.Tutor", 0),
        "users": demo_users().delete()[1].get(get_user_model()._meta.label, 0),
    }
    return deleted


def seed(seed: int = 1, *, today: datetime.date | None = None) -> dict[str, int]:
    """Create the demo school; returns how many of each row were created."""
    if exists():
        raise DemoDataExists
    return _Seeder(random.Random(seed), today or timezone.localdate()).run()


class _Seeder:
    def __init__(self, rng: random.Random, today: datetime.date) -> None:
        self.rng = rng
        self.today = today
        self.first_day = today - datetime.timedelta(weeks=WEEKS_PAST)
        self.last_day = today + datetime.timedelta(weeks=WEEKS_AHEAD)
        self.usernames: set[str] = set()

    def run(self) -> dict[str, int]:
        SeedProduction().seed_reference_data()
        self.subjects = {s.name: s for s in Subject.objects.filter(name__in=SUBJECTS)}
        self.levels = list(Level.objects.filter(name__in=LEVELS).order_by("order", "name"))
        self.virtual = Room.objects.get(name=VIRTUAL_ROOM)
        self.rooms = [
            Room.objects.get_or_create(name=name, defaults={"capacity": capacity})[0]
            for name, capacity in PHYSICAL_ROOMS
        ]
        tutors = self.create_tutors()
        students = self.create_students()
        groups = self.plan_groups(tutors, students)
        lessons, attendances = self.create_lessons(groups)
        invoices = self.create_invoices(students)
        return {
            "users": demo_users().count(),
            "tutors": len(tutors),
            "students": len(students),
            "rooms": len(self.rooms) + 1,
            "lessons": lessons,
            "attendances": attendances,
            "invoices": invoices,
        }

    # --- people ---------------------------------------------------------------------

    def user(self, first: str, last: str) -> Any:
        base = f"{USERNAME_PREFIX}{first}.{last}".lower().replace("'", "")
        username, n = base, 1
        while username in self.usernames:
            n += 1
            username = f"{base}{n}"
        self.usernames.add(username)
        user = get_user_model()(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username.removeprefix(USERNAME_PREFIX)}@{EMAIL_DOMAIN}",
            date_joined=self.joined_at(),
        )
        user.set_unusable_password()  # demo logins never get a known password
        return user

    def joined_at(self) -> datetime.datetime:
        """A moment in the last 30 days, more of them recently, so the chart has shape."""
        days_ago = 1 + min(28, int(self.rng.betavariate(1.3, 2.2) * 29))
        at = datetime.time(self.rng.randint(7, 21), self.rng.randrange(0, 60, 5))
        day = self.today - datetime.timedelta(days=days_ago)
        return timezone.make_aware(datetime.datetime.combine(day, at))

    def create_tutors(self) -> list[Tutor]:
        users = [self.user(first, last) for first, last, _, _ in TUTORS]
        get_user_model()._default_manager.bulk_create(users)
        tutors = Tutor.objects.bulk_create(
            Tutor(user=user, hourly_rate=Decimal(rate))
            for user, (*_, rate) in zip(users, TUTORS, strict=True)
        )
        Tutor.subjects.through.objects.bulk_create(
            Tutor.subjects.through(tutor=tutor, subject=self.subjects[name])
            for tutor, (_, _, names, _) in zip(tutors, TUTORS, strict=True)
            for name in names
        )
        return tutors

    def create_students(self) -> list[Student]:
        students, users = [], []
        emails: Counter[str] = Counter()
        for level, count, share in zip(self.levels, STUDENTS_PER_LEVEL, LOGIN_SHARE, strict=True):
            for _ in range(count):
                first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
                user = self.user(first, last) if self.rng.random() < share else None
                if user is not None:
                    email = user.email
                    users.append(user)
                else:
                    local = f"{first}.{last}".lower().replace("'", "")
                    emails[local] += 1
                    suffix = emails[local] if emails[local] > 1 else ""
                    email = f"{local}{suffix}.family@{EMAIL_DOMAIN}"
                joined = self.today - datetime.timedelta(days=self.rng.randint(60, 720))
                students.append(
                    Student(
                        user=user,
                        first_name=first,
                        last_name=last,
                        email=email,
                        level=level,
                        joined_on=joined,
                    )
                )
        get_user_model()._default_manager.bulk_create(users)
        for student in students:  # the users have their primary keys now
            student.user = student.user
        return Student.objects.bulk_create(students)

    # --- the timetable --------------------------------------------------------------

    def plan_groups(self, tutors: list[Tutor], students: list[Student]) -> list[Group]:
        """Weekly classes for every tutor, with every student in at least one of them."""
        unplaced = {
            level.pk: [s for s in students if s.level_id == level.pk] for level in self.levels
        }
        for pool in unplaced.values():
            self.rng.shuffle(pool)
        busy_rooms: set[tuple[tuple[int, int], int]] = set()
        groups: list[Group] = []
        for tutor, (_, _, subject_names, _) in zip(tutors, TUTORS, strict=True):
            for slot in self.rng.sample(SLOTS, SLOTS_PER_TUTOR):
                subject = self.subjects[self.rng.choice(subject_names)]
                levels = [
                    level
                    for level in self.levels
                    if level.order > 0 or subject.name in PRIMARY_SUBJECTS
                ]
                # Favour the levels with the most students still without a class.
                weights = [1 + 3 * len(unplaced[level.pk]) for level in levels]
                level = self.rng.choices(levels, weights)[0]
                size = self.rng.choice([1, 2, 3, 3, 4, 4, 5, 6])
                room = self.virtual
                if self.rng.random() < 0.75:
                    free = [
                        r
                        for r in self.rooms
                        if (slot, r.pk) not in busy_rooms and r.capacity >= min(size, 4)
                    ]
                    if free:
                        room = self.rng.choice(free)
                        busy_rooms.add((slot, room.pk))
                size = min(size, room.capacity)
                group = Group(tutor, subject, level, slot, room, 45 if level.order == 0 else 60)
                pool = unplaced[level.pk]
                group.students = [pool.pop() for _ in range(min(size, len(pool)))]
                others = [
                    s for s in students if s.level_id == level.pk and s not in group.students
                ]
                while len(group.students) < size and others:
                    group.students.append(others.pop(self.rng.randrange(len(others))))
                groups.append(group)
        # Anyone left joins the smallest class of their level, online if it is full.
        for level_pk, pool in unplaced.items():
            candidates = [g for g in groups if g.level.pk == level_pk]
            for student in pool:
                if not candidates:
                    student.active = False  # no class at their level this term
                    student.save(update_fields=["active"])
                    continue
                group = min(candidates, key=lambda g: len(g.students))
                group.students.append(student)
                if len(group.students) > group.room.capacity:
                    group.room = self.virtual
        return groups

    def create_lessons(self, groups: list[Group]) -> tuple[int, int]:
        monday = self.today - datetime.timedelta(days=self.today.weekday())
        lessons: list[Lesson] = []
        members: list[list[Student]] = []
        for group in groups:
            weekday, hour = group.slot
            for week in range(-WEEKS_PAST - 1, WEEKS_AHEAD + 1):
                day = monday + datetime.timedelta(weeks=week, days=weekday)
                if not self.first_day <= day <= self.last_day:
                    continue
                lessons.append(self.lesson(group, day, hour))
                members.append(group.students)
        Lesson.objects.bulk_create(lessons)

        # Make-ups for most cancelled lessons: online, in the evening, a few days later.
        makeups: list[Lesson] = []
        makeup_members: list[list[Student]] = []
        taken: set[tuple[int, datetime.date]] = set()
        for lesson, students in zip(lessons, members, strict=True):
            if lesson.status != Lesson.Status.CANCELLED or self.rng.random() < 0.25:
                continue
            day = timezone.localdate(lesson.starts_at) + datetime.timedelta(
                days=self.rng.randint(2, 9)
            )
            while day.weekday() == 6 or (lesson.tutor_id, day) in taken:
                day += datetime.timedelta(days=1)
            taken.add((lesson.tutor_id, day))
            makeup = self.lesson(
                Group(lesson.tutor, lesson.subject, lesson.level, (0, 0), self.virtual, 60),
                day,
                MAKEUP_HOUR,
                may_cancel=False,
            )
            makeup.price = lesson.price
            makeup.makeup_for = lesson
            makeup.makeup_expires_on = timezone.localdate(lesson.starts_at) + datetime.timedelta(
                weeks=4
            )
            makeups.append(makeup)
            makeup_members.append(students)
        Lesson.objects.bulk_create(makeups)

        attendances = [
            Attendance(lesson=lesson, student=student, status=self.attendance(lesson))
            for lesson, students in zip(lessons + makeups, members + makeup_members, strict=True)
            for student in students
        ]
        Attendance.objects.bulk_create(attendances)
        return len(lessons) + len(makeups), len(attendances)

    def lesson(
        self, group: Group, day: datetime.date, hour: int, *, may_cancel: bool = True
    ) -> Lesson:
        past = day < self.today
        status = Lesson.Status.TAUGHT if past else Lesson.Status.SCHEDULED
        if may_cancel and day != self.today and self.rng.random() < (0.05 if past else 0.03):
            status = Lesson.Status.CANCELLED
        hourly = Decimal(HOURLY_PRICE[self.levels.index(group.level)])
        return Lesson(
            subject=group.subject,
            level=group.level,
            tutor=group.tutor,
            room=group.room,
            starts_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour))),
            minutes=group.minutes,
            price=(hourly * group.minutes / 60).quantize(Decimal("0.01")),
            status=status,
        )

    def attendance(self, lesson: Lesson) -> str:
        if lesson.status != Lesson.Status.TAUGHT:
            return Attendance.Status.EXPECTED
        draw = self.rng.random()
        if draw < 0.86:
            return Attendance.Status.PRESENT
        return Attendance.Status.ABSENT if draw < 0.93 else Attendance.Status.EXCUSED

    # --- money ----------------------------------------------------------------------

    def create_invoices(self, students: list[Student]) -> int:
        """Past months' invoices, charged like ``services.create_monthly_invoices``."""
        this_month = self.today.replace(day=1)
        last_month = (this_month - datetime.timedelta(days=1)).replace(day=1)
        charged: dict[tuple[int, datetime.date], Decimal] = {}
        rows = (
            Attendance.objects.filter(student__in=students, student__active=True)
            .exclude(lesson__status=Lesson.Status.CANCELLED)
            .exclude(status=Attendance.Status.EXCUSED)
            .filter(lesson__starts_at__date__lt=this_month)
            .values_list("student_id", "lesson__starts_at", "lesson__price")
            .order_by("student_id", "lesson__starts_at")
        )
        for student_id, starts_at, price in rows:
            month = timezone.localdate(starts_at).replace(day=1)
            charged[student_id, month] = charged.get((student_id, month), Decimal(0)) + price
        invoices = []
        for (student_id, month), amount in sorted(charged.items()):
            issued_on = month.replace(day=ISSUE_DAY)
            paid_share = 0.6 if month == last_month else 0.95
            if self.rng.random() < paid_share:
                paid_on = min(
                    issued_on + datetime.timedelta(days=self.rng.randint(1, 25)),
                    self.today - datetime.timedelta(days=1),
                )
                paid_at = timezone.make_aware(
                    datetime.datetime.combine(paid_on, datetime.time(self.rng.randint(8, 20)))
                )
                status = Invoice.Status.PAID
            else:
                paid_at, status = None, Invoice.Status.SENT
            invoices.append(
                Invoice(
                    student_id=student_id,
                    month=month,
                    amount=amount,
                    status=status,
                    paid_at=paid_at,
                )
            )
        Invoice.objects.bulk_create(invoices)
        # issued_at is auto_now_add: date it afterwards, when the monthly task would have run.
        for month in sorted({invoice.month for invoice in invoices}):
            issued_at = datetime.datetime.combine(month.replace(day=ISSUE_DAY), datetime.time(6))
            Invoice.objects.filter(pk__in=[i.pk for i in invoices if i.month == month]).update(
                issued_at=timezone.make_aware(issued_at)
            )
        return len(invoices)
