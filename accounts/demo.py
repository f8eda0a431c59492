"""Demo data for `manage.py seed_demo`: a supplier of industrial consumables and its Russian clients.

Every random choice comes from one `random.Random(seed)`, so a seed always gives the
same data; dates are relative to today. Rows go in with bulk_create. The card models
that keep history (client, point, contact, team member, touch, refusal) get their
"created" history row through bulk_create_with_history; the many-to-many links
(who knows whom, touch contacts and participants) have no history rows.
"""

import datetime
import math
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import models, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.models import (
    Client,
    Contact,
    Industry,
    PointOfPresence,
    ProductGroup,
    Refusal,
    Sale,
    TeamMember,
    Touch,
)
from accounts.validators import WEIGHTS_10, WEIGHTS_12_FIRST, WEIGHTS_12_SECOND, inn_check_digit
from kam.users import roles
from kam.users.models import User

DEMO_PASSWORD = "demo"
MONTHS = 24
BATCH = 2000

DEMO_USERS = (
    ("manager1", "Анна", "Смирнова", roles.ACCOUNT_MANAGER),
    ("manager2", "Игорь", "Белов", roles.ACCOUNT_MANAGER),
    ("manager3", "Ольга", "Лебедева", roles.ACCOUNT_MANAGER),
    ("director", "Дмитрий", "Волков", roles.SALES_DIRECTOR),
    ("admin", "Елена", "Морозова", roles.ADMIN),
)
MANAGERS = ("manager1", "manager2", "manager3")


@dataclass(frozen=True)
class IndustrySpec:
    name: str
    peak_month: int  # the month of the seasonal peak in purchases
    seasonality: float  # the peak's height over the average, 0.3 = +30%
    favourite_groups: tuple[str, ...]
    he: tuple[str, ...]  # masculine nouns for names like "Уральский трубный завод"
    she: tuple[str, ...]  # feminine ones, "Сибирская сталь"


@dataclass(frozen=True)
class Region:
    country: str
    code: str
    cities: tuple[str, ...]
    inn_prefix: str  # the tax region of a company registered there; "" abroad
    phone_code: str
    weight: int


# Tables of demo content, laid out by hand.
# fmt: off
PRODUCT_GROUPS = (
    "Упаковка", "Спецодежда", "Инструмент", "Крепёж", "Смазочные материалы", "Химия", "Средства защиты",
    "Расходные материалы",
)
INDUSTRIES = (
    IndustrySpec("Металлургия", 3, 0.1, ("Спецодежда", "Средства защиты", "Смазочные материалы"),
                 ("металл", "прокат", "трубный завод"), ("сталь", "литейная компания")),
    IndustrySpec("Строительство", 7, 0.35, ("Крепёж", "Инструмент", "Спецодежда"),
                 ("стройтрест", "домостроительный комбинат", "монтаж"), ("строительная компания",)),
    IndustrySpec("Розничная торговля", 12, 0.3, ("Упаковка", "Расходные материалы", "Химия"),
                 ("торговый дом", "гипермаркет", "универсам"), ("продуктовая сеть", "торговая сеть")),
    IndustrySpec("Пищевая промышленность", 9, 0.15, ("Упаковка", "Химия", "Спецодежда"),
                 ("молочный комбинат", "хлебозавод", "мясокомбинат"), ("кондитерская фабрика", "пивоварня")),
    IndustrySpec("Машиностроение", 4, 0.1, ("Инструмент", "Крепёж", "Смазочные материалы"),
                 ("машиностроительный завод", "станкозавод", "механический завод", "завод спецтехники"),
                 ("вагоностроительная компания",)),
    IndustrySpec("Логистика", 11, 0.2, ("Упаковка", "Расходные материалы", "Спецодежда"),
                 ("терминал", "складской комплекс"), ("логистика", "транспортная компания", "экспедиция")),
    IndustrySpec("Нефтегаз", 2, 0.15, ("Средства защиты", "Спецодежда", "Смазочные материалы"),
                 ("нефтесервис",), ("нефть", "газодобыча", "буровая компания", "нефтепереработка")),
    IndustrySpec("Фармацевтика", 10, 0.1, ("Химия", "Спецодежда", "Упаковка"),
                 ("фармзавод", "биофарм"), ("аптечная сеть", "лаборатория", "фармацевтическая фабрика")),
    IndustrySpec("Сельское хозяйство", 6, 0.4, ("Смазочные материалы", "Спецодежда", "Химия"),
                 ("агрохолдинг", "агрокомплекс", "элеватор"), ("птицефабрика", "зерновая компания")),
    IndustrySpec("HoReCa", 7, 0.25, ("Химия", "Упаковка", "Расходные материалы"),
                 ("гостиничный комплекс", "кейтеринг", "отель"), ("ресторанная группа", "кофейня")),
    IndustrySpec("Энергетика", 1, 0.2, ("Средства защиты", "Инструмент", "Спецодежда"),
                 ("энергосервис",), ("энергия", "теплосеть", "электросетевая компания", "генерация")),
)
SOLE_TRADER_INDUSTRIES = ("Розничная торговля", "HoReCa", "Сельское хозяйство", "Строительство", "Логистика")
ADJECTIVES = (  # masculine; the feminine form swaps the two-letter ending for "ая"
    "Сибирский", "Уральский", "Волжский", "Северный", "Байкальский", "Енисейский", "Донской", "Камский",
    "Балтийский", "Приморский", "Центральный", "Южный", "Алтайский", "Невский", "Окский", "Восточный",
    "Таёжный", "Столичный",
)
BRAND_HEADS = ("Пром", "Техно", "Сиб", "Урал", "Волга", "Транс", "Евро", "Агро", "Строй", "Нефте", "Мега")
BRAND_TAILS = ("Снаб", "Ресурс", "Инвест", "Сервис", "Комплект", "Трейд", "Лайн", "Групп", "Альянс", "Торг")

RU_REGIONS = (
    Region("RU", "RU-MOW", ("Москва",), "77", "495", 30),
    Region("RU", "RU-MOS", ("Подольск", "Химки", "Мытищи", "Коломна"), "50", "496", 8),
    Region("RU", "RU-SPE", ("Санкт-Петербург",), "78", "812", 12),
    Region("RU", "RU-LEN", ("Гатчина", "Всеволожск"), "47", "813", 2),
    Region("RU", "RU-KYA", ("Красноярск", "Норильск", "Ачинск"), "24", "391", 5),
    Region("RU", "RU-IRK", ("Иркутск", "Братск", "Ангарск"), "38", "395", 3),
    Region("RU", "RU-NVS", ("Новосибирск",), "54", "383", 5),
    Region("RU", "RU-SVE", ("Екатеринбург", "Нижний Тагил"), "66", "343", 6),
    Region("RU", "RU-TA", ("Казань", "Набережные Челны"), "16", "843", 5),
    Region("RU", "RU-KDA", ("Краснодар", "Новороссийск", "Сочи"), "23", "861", 4),
    Region("RU", "RU-NIZ", ("Нижний Новгород", "Дзержинск"), "52", "831", 4),
    Region("RU", "RU-SAM", ("Самара", "Тольятти"), "63", "846", 3),
    Region("RU", "RU-ROS", ("Ростов-на-Дону", "Таганрог"), "61", "863", 3),
    Region("RU", "RU-CHE", ("Челябинск", "Магнитогорск"), "74", "351", 3),
    Region("RU", "RU-PER", ("Пермь",), "59", "342", 2),
    Region("RU", "RU-BA", ("Уфа", "Стерлитамак"), "02", "347", 2),
    Region("RU", "RU-KEM", ("Кемерово", "Новокузнецк"), "42", "384", 2),
    Region("RU", "RU-TYU", ("Тюмень", "Тобольск"), "72", "345", 2),
    Region("RU", "RU-KHM", ("Сургут", "Нижневартовск"), "86", "346", 2),
    Region("RU", "RU-OMS", ("Омск",), "55", "381", 1),
    Region("RU", "RU-VOR", ("Воронеж",), "36", "473", 1),
    Region("RU", "RU-PRI", ("Владивосток", "Находка"), "25", "423", 1),
    Region("RU", "RU-KHA", ("Хабаровск",), "27", "421", 1),
    Region("RU", "RU-KGD", ("Калининград",), "39", "401", 1),
)
NEAR_ABROAD = (
    Region("KZ", "KZ-75", ("Алматы",), "", "", 3),
    Region("KZ", "KZ-71", ("Астана",), "", "", 2),
    Region("BY", "BY-HM", ("Минск",), "", "", 3),
    Region("UZ", "UZ-TK", ("Ташкент",), "", "", 1),
    Region("AM", "AM-ER", ("Ереван",), "", "", 1),
)
FAR_ABROAD = (
    Region("DE", "DE-BE", ("Берлин",), "", "", 2),
    Region("CN", "CN-BJ", ("Пекин",), "", "", 1),
    Region("CN", "CN-SH", ("Шанхай",), "", "", 2),
    Region("TR", "TR-34", ("Стамбул",), "", "", 1),
    Region("RS", "RS-00", ("Белград",), "", "", 1),
)

SURNAMES = (  # masculine; the feminine form adds "а"
    "Иванов", "Петров", "Сидоров", "Кузнецов", "Попов", "Васильев", "Соколов", "Михайлов", "Новиков",
    "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов",
    "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин", "Захаров", "Зайцев", "Соловьёв",
    "Борисов", "Яковлев", "Григорьев", "Романов", "Воробьёв", "Гусев", "Киселёв", "Ильин", "Тарасов",
)
MALE_NAMES = (
    "Александр", "Алексей", "Андрей", "Владимир", "Дмитрий", "Евгений", "Иван", "Игорь", "Константин",
    "Максим", "Михаил", "Николай", "Олег", "Павел", "Роман", "Сергей", "Юрий", "Виктор", "Артём",
)
FEMALE_NAMES = (
    "Анна", "Елена", "Ирина", "Марина", "Наталья", "Ольга", "Светлана", "Татьяна", "Юлия", "Екатерина",
    "Мария", "Людмила", "Галина", "Виктория", "Ксения", "Надежда",
)
PATRONYMICS = (  # masculine; the feminine form swaps "ич" for "на"
    "Александрович", "Алексеевич", "Андреевич", "Владимирович", "Дмитриевич", "Иванович", "Михайлович",
    "Николаевич", "Петрович", "Сергеевич", "Викторович", "Юрьевич", "Геннадьевич", "Олегович",
)
LATIN = (  # Russian letters in order, as on a passport; "" for the hard and soft signs
    "a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s", "t",
    "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya",
)
# fmt: on
TRANSLIT = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя", LATIN, strict=True))
SHOWCASE_NAME = "Сибирская сталь"  # DOMAIN §6: we are in Krasnoyarsk, the client opens in Irkutsk

DM = Contact.DecisionRole.DECISION_MAKER
INFLUENCER = Contact.DecisionRole.INFLUENCER
USER = Contact.DecisionRole.USER
GATEKEEPER = Contact.DecisionRole.GATEKEEPER
OTHER = Contact.DecisionRole.OTHER
ROLE_WEIGHT = {DM: 10.0, INFLUENCER: 5.0, USER: 1.5, GATEKEEPER: 1.0, OTHER: 0.5}
GENERAL_DIRECTOR = ("Генеральный директор", "Руководство", DM)
POSITIONS = (
    ("Коммерческий директор", "Руководство", INFLUENCER),
    ("Финансовый директор", "Финансовая служба", INFLUENCER),
    ("Технический директор", "Руководство", INFLUENCER),
    ("Главный инженер", "Производство", INFLUENCER),
    ("Начальник отдела закупок", "Отдел закупок", INFLUENCER),
    ("Менеджер по закупкам", "Отдел закупок", USER),
    ("Специалист по снабжению", "Отдел снабжения", USER),
    ("Начальник склада", "Склад", USER),
    ("Кладовщик", "Склад", USER),
    ("Инженер по охране труда", "Служба охраны труда", INFLUENCER),
    ("Начальник цеха", "Производство", USER),
    ("Главный бухгалтер", "Бухгалтерия", OTHER),
    ("Секретарь", "Приёмная", GATEKEEPER),
    ("Офис-менеджер", "Администрация", GATEKEEPER),
    ("Завхоз", "Хозяйственная служба", USER),
)
PERSONAL_NOTES = (
    "Увлекается рыбалкой, каждое лето ездит на Енисей.",
    "Двое детей, сын учится в Бауманке.",
    "Болеет за «Спартак», ходит на домашние матчи.",
    "Не пьёт кофе, только зелёный чай.",
    "Коллекционирует виниловые пластинки.",
    "Играет в теннис по субботам.",
    "Любит горные лыжи, зимой ездит в Шерегеш.",
    "Недавно родилась внучка.",
    "Бегает полумарафоны, в сентябре — Московский марафон.",
    "Ценит пунктуальность, не любит звонков после 18:00.",
)
CLIENT_NOTES = (
    "Закупки через тендерную площадку, ежегодный тендер в феврале.",
    "Оплата с отсрочкой 30 дней.",
    "Работаем с клиентом с 2016 года.",
    "Требуют сертификаты соответствия на каждую партию.",
    "Разгрузка на складе клиента только до 16:00.",
    "Годовой договор, спецификации согласуются поквартально.",
    "Основной конкурент у клиента — федеральный дистрибьютор.",
    "Новые поставщики проходят аудит службы безопасности.",
)

TOUCH_KINDS = {
    Touch.Kind.CALL: 45,
    Touch.Kind.EMAIL: 25,
    Touch.Kind.MEETING: 14,
    Touch.Kind.EVENT: 4,
    Touch.Kind.CONGRATULATION: 8,
    Touch.Kind.GIFT: 4,
}
TOUCH_SUMMARIES = {
    Touch.Kind.CALL: (
        "Обсудили график поставок на следующий месяц.",
        "Уточнили потребность по группе «{group}», клиент готовит заявку.",
        "Напомнили об оплате счёта, обещали оплатить до конца недели.",
        "Клиент жаловался на сроки доставки, разобрались с логистикой.",
        "Предложили новую позицию в группе «{group}».",
    ),
    Touch.Kind.MEETING: (
        "Встреча в офисе клиента: презентовали ассортимент группы «{group}».",
        "Переговоры о годовом договоре, клиент просит отсрочку платежа 45 дней.",
        "Провели аудит склада клиента, нашли позиции для замены.",
        "Обсудили ответы на анкету «Идеальный поставщик».",
        "Познакомились с главным инженером, договорились об испытаниях образцов.",
    ),
    Touch.Kind.EMAIL: (
        "Отправили коммерческое предложение по группе «{group}».",
        "Направили акт сверки за квартал.",
        "Выслали сертификаты соответствия на последнюю партию.",
        "Отправили прайс-лист на следующий квартал.",
    ),
    Touch.Kind.EVENT: (
        "Пригласили на выставку «Иннопром» в Екатеринбурге.",
        "Провели семинар по охране труда для инженеров клиента.",
        "Клиент побывал на экскурсии на нашем складе.",
    ),
    Touch.Kind.CONGRATULATION: (
        "Поздравили коллектив с профессиональным праздником.",
        "Поздравили с годовщиной начала сотрудничества.",
    ),
    Touch.Kind.GIFT: (
        "Вручили новогодний подарок: календарь и набор чая.",
        "Передали корпоративные сувениры для отдела закупок.",
    ),
}
BIRTHDAY_SUMMARY = "День рождения: {contact}. Поздравили по телефону, отправили открытку."
NEXT_STEPS = (
    "Отправить коммерческое предложение",
    "Согласовать спецификацию на следующий квартал",
    "Организовать тестовую поставку",
    "Созвониться после планёрки у клиента",
    "Подготовить акт сверки",
    "Пригласить на наш склад",
    "Назначить встречу с главным инженером",
)
REFUSAL_NOTES = {
    Refusal.Reason.PRICE: (
        "Конкурент предложил цену на 12% ниже.",
        "Не прошли по цене в тендере.",
        "Бюджет на квартал урезан, просят скидку 15%.",
    ),
    Refusal.Reason.QUALITY: (
        "Партия с браком, клиент вернул часть товара.",
        "Не прошли входной контроль качества.",
    ),
    Refusal.Reason.SERVICE: (
        "Долго отвечали на запросы, менеджер был в отпуске.",
        "Не предоставили закрывающие документы вовремя.",
    ),
    Refusal.Reason.DELIVERY: (
        "Сорвали срок поставки на две недели.",
        "Нет нужного размера на складе в регионе.",
        "Доставка в регион дороже, чем у местного поставщика.",
    ),
    Refusal.Reason.COMPETITOR: (
        "Перешли к конкуренту по годовому контракту.",
        "Конкурент дал отсрочку платежа 60 дней.",
        "Головной офис выбрал федерального поставщика.",
    ),
    Refusal.Reason.OTHER: (
        "Закрыли производственную площадку.",
        "Смена собственника, закупки заморожены.",
        "Проект отложен на следующий год.",
    ),
}
# How many clients of each kind a seed makes; the first label of each trait is the usual case.
TRAIT_SHARES = {
    "status": {"active": 0.86, "prospect": 0.07, "inactive": 0.07},
    "trend": {
        "stable": 0.35,
        "growing": 0.25,
        "declining": 0.18,
        "stopped": 0.1,
        "new": 0.06,
        "returned": 0.06,
    },
    "rhythm": {"shipments": 0.55, "monthly": 0.35, "irregular": 0.1},
    "footprint": {"single": 0.7, "network": 0.15, "uncentralised": 0.07, "international": 0.08},
    "influence": {"full": 0.8, "partial": 0.12, "no_dm": 0.08},
    "manager": {"manager1": 0.4, "manager2": 0.33, "manager3": 0.23, "": 0.04},
    "legal": {"company": 0.93, "sole_trader": 0.07},
    "never_met": {"no": 0.9, "yes": 0.1},
    "expands": {"no": 0.92, "yes": 0.08},
}
REFUSAL_WEIGHTS = {"price": 35, "competitor": 20, "delivery": 15, "quality": 10, "service": 10, "other": 10}


@dataclass
class Plan:
    """Everything random about one client, decided before any of its rows is built."""

    index: int
    industry: IndustrySpec
    head: Region
    annual: float
    status: str
    trend: str
    rhythm: str
    footprint: str
    influence: str
    manager: str
    never_met: bool
    expands: bool
    sole_trader: bool = False
    groups: list[ProductGroup] = field(default_factory=list)
    group_weights: list[float] = field(default_factory=list)
    start: datetime.date | None = None
    stop: datetime.date | None = None
    gap: tuple[datetime.date, datetime.date] | None = None
    client: Client | None = None
    domain: str = "example.ru"
    contacts: list[Contact] = field(default_factory=list)
    team: list[User] = field(default_factory=list)


@dataclass
class Context:
    rng: random.Random
    today: datetime.date
    users: dict[str, User]
    industries: dict[str, Industry]
    groups: dict[str, ProductGroup]
    names: set[str] = field(default_factory=set)
    inns: set[str] = field(default_factory=set)
    months: list[datetime.date] = field(init=False)

    def __post_init__(self) -> None:
        first = self.today.replace(day=1)
        self.months = [add_months(first, -back) for back in range(MONTHS - 1, -1, -1)]

    def user(self, username: str) -> User | None:
        return self.users.get(username)


def seed_demo(*, clients: int, seed: int, today: datetime.date | None = None) -> dict[str, int]:
    """Create demo users, reference data and `clients` client cards with 24 months of history.

    1. users for every role, industries and product groups (reused if present);
    2. a plan per client: every random choice, made in a fixed order;
    3. the rows, model by model, in bulk.
    """
    ctx = Context(random.Random(seed), today or timezone.localdate(), {}, {}, {})
    with transaction.atomic():
        # A second seed into the same database must not repeat a name or an INN.
        ctx.names = set(Client.objects.values_list("name", flat=True))
        ctx.inns = set(Client.objects.values_list("inn", flat=True))
        ctx.users = _demo_users()
        ctx.industries = {spec.name: Industry.objects.get_or_create(name=spec.name)[0] for spec in INDUSTRIES}
        ctx.groups = {name: ProductGroup.objects.get_or_create(name=name)[0] for name in PRODUCT_GROUPS}
        plans = [_plan(ctx, i, traits) for i, traits in enumerate(_traits(ctx.rng, clients))]
        return _create_rows(ctx, plans)


def demo_logins() -> list[tuple[str, str]]:
    """(role label, username) of each demo user present in the database."""
    present = set(
        User.objects.filter(username__in=[u[0] for u in DEMO_USERS]).values_list("username", flat=True)
    )
    return [
        (str(roles.ROLE_LABELS[role]).lower(), name) for name, _f, _l, role in DEMO_USERS if name in present
    ]


def add_months(first: datetime.date, months: int) -> datetime.date:
    index = first.year * 12 + first.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


# Users and spreads ---------------------------------------------------------------------------------


def _demo_users() -> dict[str, User]:
    """The demo logins; an existing user keeps its password (it may be a real account)."""
    password = make_password(DEMO_PASSWORD)  # hashed once: each hash costs a noticeable fraction of a second
    users = {}
    for username, first_name, last_name, role in DEMO_USERS:
        defaults = {"first_name": first_name, "last_name": last_name, "password": password}
        user, _created = User.objects.get_or_create(
            username=username, defaults={**defaults, "email": f"{username}@example.com"}
        )
        user.groups.add(Group.objects.get(name=role))
        users[username] = user
    return users


def _spread(rng: random.Random, n: int, shares: dict[str, float]) -> list[str]:
    """`n` labels in the given shares, each minor label at least once, shuffled.

    Unlike independent draws, this keeps every kind of client present even in a small seed.
    """
    dominant, *minor = shares
    labels = [label for label in minor for _ in range(max(1, round(n * shares[label])))]
    labels += [dominant] * max(0, n - len(labels))
    rng.shuffle(labels)
    return labels[:n]


def _traits(rng: random.Random, n: int) -> list[dict[str, str]]:
    columns = {trait: _spread(rng, n, shares) for trait, shares in TRAIT_SHARES.items()}
    return [{trait: labels[i] for trait, labels in columns.items()} for i in range(n)]


# Plans ----------------------------------------------------------------------------------------------


def _plan(ctx: Context, index: int, traits: dict[str, str]) -> Plan:
    rng = ctx.rng
    sole_trader = traits["legal"] == "sole_trader" and index > 0
    plan = Plan(
        index=index,
        industry=rng.choice([i for i in INDUSTRIES if i.name in SOLE_TRADER_INDUSTRIES or not sole_trader]),
        head=_weighted(rng, RU_REGIONS),
        annual=_yearly_volume(rng, sole_trader=sole_trader),
        status=traits["status"],
        trend=traits["trend"],
        rhythm=traits["rhythm"],
        footprint="single" if sole_trader else traits["footprint"],
        influence=traits["influence"],
        manager=traits["manager"],
        never_met=traits["never_met"] == "yes",
        expands=traits["expands"] == "yes",
        sole_trader=sole_trader,
    )
    if index == 0:
        _make_showcase(plan)
    _plan_groups(ctx, plan)
    _plan_timing(ctx, plan)
    return plan


def _yearly_volume(rng: random.Random, *, sole_trader: bool) -> float:
    """Lognormal around 1.5 million a year, so that the top 20% of clients buy about 80%."""
    if sole_trader:
        return rng.uniform(60_000, 600_000)
    return min(1e9, rng.lognormvariate(math.log(1.5e6), 1.7))


def _make_showcase(plan: Plan) -> None:
    """DOMAIN §6's case: we are in Krasnoyarsk, and the client is about to open in Irkutsk."""
    plan.industry, plan.head, plan.status = INDUSTRIES[0], region("RU-KYA"), "active"
    plan.footprint, plan.expands = "single", True


def region(code: str) -> Region:
    return next(r for r in (*RU_REGIONS, *NEAR_ABROAD, *FAR_ABROAD) if r.code == code)


def _weighted(rng: random.Random, regions: tuple[Region, ...]) -> Region:
    return rng.choices(regions, weights=[r.weight for r in regions])[0]


def _plan_groups(ctx: Context, plan: Plan) -> None:
    """Bigger clients buy more of our product groups, their industry's favourites most."""
    rng, favourites = ctx.rng, plan.industry.favourite_groups
    breadth = 1 + int(math.log2(max(1.0, plan.annual / 200_000))) + rng.randint(0, 1)
    names = sorted(PRODUCT_GROUPS, key=lambda name: (name not in favourites, rng.random()))[:breadth]
    plan.groups = [ctx.groups[name] for name in names]
    plan.group_weights = [rng.uniform(0.5, 1.5) * (3 if name in favourites else 1) for name in names]


def _plan_timing(ctx: Context, plan: Plan) -> None:
    """When the client buys: stopped a few months ago, new, or back after a pause."""
    rng, today = ctx.rng, ctx.today
    if plan.status == "inactive":
        plan.stop = today - datetime.timedelta(days=rng.randint(400, 600))
    elif plan.trend == "stopped":
        plan.stop = today - datetime.timedelta(days=rng.randint(130, 300))
    elif plan.trend == "new":
        plan.start = today - datetime.timedelta(days=rng.randint(150, 450))
    elif plan.trend == "returned":
        gap_end = today - datetime.timedelta(days=rng.randint(30, 80))
        plan.gap = (gap_end - datetime.timedelta(days=rng.randint(200, 260)), gap_end)


def _buys_on(plan: Plan, day: datetime.date) -> bool:
    if plan.status == "prospect" or (plan.stop and day >= plan.stop) or (plan.start and day < plan.start):
        return False
    return not (plan.gap and plan.gap[0] <= day < plan.gap[1])


# Rows ------------------------------------------------------------------------------------------------


def _create_rows(ctx: Context, plans: list[Plan]) -> dict[str, int]:
    """Model by model; the order matters: touches need the contacts and the team."""
    author = ctx.users["admin"]  # the history shows the demo admin as the author of the seed
    counts = {"users": len(ctx.users), "industries": len(ctx.industries), "product_groups": len(ctx.groups)}
    counts["clients"] = _bulk(Client, [_client(ctx, plan) for plan in plans], author)
    counts["points"] = _bulk(PointOfPresence, [p for plan in plans for p in _points(ctx, plan)], author)
    counts["team_members"] = _bulk(TeamMember, [m for plan in plans for m in _team(ctx, plan)], author)
    counts["contacts"] = _create_contacts(ctx, plans, author)
    counts["touches"] = _create_touches(ctx, plans, author)
    counts["sales"] = _bulk(Sale, [s for plan in plans for s in _sales(ctx, plan)])
    counts["refusals"] = _bulk(Refusal, [r for plan in plans for r in _refusals(ctx, plan)], author)
    return counts


def _bulk(model: type[models.Model], rows: list[Any], history_user: User | None = None) -> int:
    if history_user is None:
        model._default_manager.bulk_create(rows, batch_size=BATCH)
    else:
        bulk_create_with_history(rows, model, batch_size=BATCH, default_user=history_user)
    return len(rows)


def _client(ctx: Context, plan: Plan) -> Client:
    name, legal_name = _company_name(ctx, plan)
    plan.domain = f"{slug(name)}.ru"
    plan.client = Client(
        name=name,
        legal_name=legal_name,
        inn=_inn(ctx, plan),
        industry=ctx.industries[plan.industry.name],
        website="" if plan.sole_trader or ctx.rng.random() < 0.15 else f"https://{plan.domain}",
        status=plan.status,
        notes=" ".join(ctx.rng.sample(CLIENT_NOTES, ctx.rng.choice([0, 0, 1, 1, 2]))),
        purchasing_centralised=plan.footprint in ("network", "international") and ctx.rng.random() < 0.85,
        responsible_manager=ctx.user(plan.manager),
    )
    return plan.client


def _company_name(ctx: Context, plan: Plan) -> tuple[str, str]:
    if plan.sole_trader:
        return _sole_trader_name(ctx)
    showcase = plan.index == 0 and SHOWCASE_NAME not in ctx.names
    name = SHOWCASE_NAME if showcase else _unique(ctx, lambda: _brand(ctx.rng, plan.industry))
    ctx.names.add(name)
    form = _legal_form(ctx.rng, plan.annual)
    return name, f"{form} «{name}»"


def _unique(ctx: Context, make: Callable[[], str]) -> str:
    for _attempt in range(20):
        name = make()
        if name not in ctx.names:
            return name
    return f"{name}-{len(ctx.names)}"


def _brand(rng: random.Random, industry: IndustrySpec) -> str:
    if rng.random() < 0.25:
        return rng.choice(BRAND_HEADS) + rng.choice(BRAND_TAILS)
    adjective, noun = rng.choice(ADJECTIVES), rng.choice(industry.he + industry.she)
    return f"{adjective if noun in industry.he else feminine_adjective(adjective)} {noun}"


def feminine_adjective(masculine: str) -> str:
    return masculine[:-2] + "ая"


def _legal_form(rng: random.Random, annual: float) -> str:
    if annual > 50_000_000:
        return rng.choice(["ПАО", "АО", "АО"])
    return "АО" if annual > 5_000_000 and rng.random() < 0.3 else "ООО"


def _sole_trader_name(ctx: Context) -> tuple[str, str]:
    while True:
        surname, first, patronymic = _person(ctx.rng)
        short = f"ИП {surname} {first[0]}.{patronymic[0]}."
        if short not in ctx.names:
            ctx.names.add(short)
            return short, f"Индивидуальный предприниматель {surname} {first} {patronymic}"


def _inn(ctx: Context, plan: Plan) -> str:
    while True:
        inn = _random_inn(ctx.rng, plan.head.inn_prefix, twelve=plan.sole_trader)
        if inn not in ctx.inns:
            ctx.inns.add(inn)
            return inn


def _random_inn(rng: random.Random, region: str, *, twelve: bool) -> str:
    """Region, tax office and serial digits, then the check digit(s) of accounts.validators."""
    serial = f"{rng.randrange(10**6):06d}" if twelve else f"{rng.randrange(10**5):05d}"
    body = f"{region}{rng.randint(1, 40):02d}{serial}"
    if not twelve:
        return body + str(inn_check_digit(body, WEIGHTS_10))
    body += str(inn_check_digit(body, WEIGHTS_12_FIRST))
    return body + str(inn_check_digit(body, WEIGHTS_12_SECOND))


def slug(text: str) -> str:
    ascii_text = "".join(TRANSLIT.get(ch, ch) for ch in text.lower())
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def _person(rng: random.Random) -> tuple[str, str, str]:
    """(surname, first name, patronymic) of a man or a woman: Иванов Иван Петрович, Иванова Анна Петровна."""
    female = rng.random() < 0.45
    surname, first, patronymic = rng.choice(SURNAMES), rng.choice(MALE_NAMES), rng.choice(PATRONYMICS)
    if female:
        return surname + "а", rng.choice(FEMALE_NAMES), patronymic[:-2] + "на"
    return surname, first, patronymic


# Points of presence ---------------------------------------------------------------------------------


def _points(ctx: Context, plan: Plan) -> list[PointOfPresence]:
    regions = [plan.head, *_other_regions(ctx.rng, plan)]
    points = [_point(ctx.rng, plan, region, head=i == 0) for i, region in enumerate(regions)]
    if plan.index == 0:
        points[0].city = plan.head.cities[0]
    if plan.expands:
        points.append(_planned_point(ctx, plan, {r.code for r in regions}))
    return points


def _other_regions(rng: random.Random, plan: Plan) -> list[Region]:
    others = [r for r in RU_REGIONS if r != plan.head]
    if plan.footprint in ("network", "uncentralised"):
        return rng.sample(others, rng.randint(1, 5))
    if plan.footprint == "international":
        far = [rng.choice(FAR_ABROAD)] if rng.random() < 0.4 else []
        return rng.sample(others, rng.randint(0, 3)) + rng.sample(NEAR_ABROAD, rng.randint(1, 2)) + far
    return []


def _point(rng: random.Random, plan: Plan, region: Region, *, head: bool) -> PointOfPresence:
    return PointOfPresence(
        client=plan.client,
        country=region.country,
        region=region.code,
        city=region.cities[0] if rng.random() < 0.7 else rng.choice(region.cities),
        is_head_office=head,
    )


def _planned_point(ctx: Context, plan: Plan, taken: set[str]) -> PointOfPresence:
    """A point the client plans to open in a region where it has none (an expansion alert)."""
    if plan.head.code == "RU-KYA" and "RU-IRK" not in taken:
        target = region("RU-IRK")
    else:
        target = ctx.rng.choice([r for r in RU_REGIONS + NEAR_ABROAD if r.code not in taken])
    point = _point(ctx.rng, plan, target, head=False)
    point.city = target.cities[0]
    point.status = PointOfPresence.Status.PLANNED
    point.planned_date = ctx.today + datetime.timedelta(days=ctx.rng.randint(20, 300))
    return point


# Account team ---------------------------------------------------------------------------------------


def _team(ctx: Context, plan: Plan) -> list[TeamMember]:
    """Bigger clients more often have colleagues besides the responsible manager."""
    rng = ctx.rng
    if rng.random() > (0.6 if plan.annual > 5_000_000 else 0.12):
        return []
    candidates = [name for name in (*MANAGERS, "director") if name != plan.manager]
    plan.team = [ctx.users[name] for name in rng.sample(candidates, rng.randint(1, 2))]
    return [TeamMember(client=plan.client, user=user, role=_team_role(rng, user)) for user in plan.team]


def _team_role(rng: random.Random, user: User) -> str:
    if user.username == "director":
        return TeamMember.Role.EXECUTIVE
    return rng.choice([TeamMember.Role.SALES_SUPPORT, TeamMember.Role.REGIONAL, TeamMember.Role.TECHNICAL])


# Contacts --------------------------------------------------------------------------------------------


def _create_contacts(ctx: Context, plans: list[Plan], history_user: User) -> int:
    for plan in plans:
        plan.contacts = _contacts(ctx, plan)
    contacts = [c for plan in plans for c in plan.contacts]
    bulk_create_with_history(contacts, Contact, batch_size=BATCH, default_user=history_user)
    links = [link for plan in plans for link in _known_by(ctx, plan)]
    Contact.known_by.through.objects.bulk_create(links, batch_size=BATCH)
    return len(contacts)


def _contacts(ctx: Context, plan: Plan) -> list[Contact]:
    rng = ctx.rng
    size = 1 + int(2 * math.log10(max(1.0, plan.annual / 100_000))) + rng.randint(0, 2)
    size = min(size, 3) if plan.status == "prospect" else min(size, 12)
    positions = rng.sample(POSITIONS, size - 1)
    positions.insert(0, rng.choice(POSITIONS) if plan.influence == "no_dm" else GENERAL_DIRECTOR)
    contacts = [_contact(ctx, plan, *position) for position in positions]
    for contact in contacts[1:]:
        contact.is_active = rng.random() > 0.08
    _share_influence(rng, plan, [c for c in contacts if c.is_active])
    return contacts


def _contact(ctx: Context, plan: Plan, position: str, department: str, role: str) -> Contact:
    rng = ctx.rng
    surname, first, patronymic = _person(rng)
    if plan.influence != "no_dm" and position == "Коммерческий директор" and rng.random() < 0.3:
        role = DM
    return Contact(
        client=plan.client,
        name=f"{surname} {first} {patronymic}",
        position=position,
        department=department,
        phone=_phone(rng, plan.head.phone_code),
        email=f"{slug(first)[0]}.{slug(surname)}@{plan.domain}" if rng.random() < 0.85 else "",
        birthday=_birthday(rng) if rng.random() < 0.75 else None,
        personal_notes=rng.choice(PERSONAL_NOTES) if rng.random() < (0.6 if role == DM else 0.15) else "",
        decision_role=role,
        attitude=rng.choices(list(Contact.Attitude), weights=[35, 50, 15])[0],
    )


def _phone(rng: random.Random, area: str) -> str:
    """A mobile number, or an office one in the head office's area code (+7 and ten digits)."""
    if rng.random() < 0.6:
        area = f"9{rng.randrange(100):02d}"
    digits = "".join(str(rng.randrange(10)) for _ in range(10 - len(area)))
    return f"+7 ({area}) {digits[:-4]}-{digits[-4:-2]}-{digits[-2:]}"


def _birthday(rng: random.Random) -> datetime.date:
    return datetime.date(rng.randint(1958, 1998), rng.randint(1, 12), rng.randint(1, 28))


def _share_influence(rng: random.Random, plan: Plan, contacts: list[Contact]) -> None:
    """Split 100% (or a deliberately wrong total) over the active contacts by their role."""
    if plan.influence == "partial":
        total = rng.choice([60, 75, 85, 90] if len(contacts) == 1 else [60, 75, 85, 90, 110, 120])
    else:
        total = 100
    weights = [ROLE_WEIGHT[Contact.DecisionRole(c.decision_role)] * rng.uniform(0.6, 1.4) for c in contacts]
    for contact, share in zip(contacts, _largest_remainder(weights, total), strict=True):
        contact.influence = min(100, share)


def _largest_remainder(weights: list[float], total: int) -> list[int]:
    """Integer shares of `total` proportional to `weights` that add up to exactly `total`."""
    exact = [w * total / sum(weights) for w in weights]
    shares = [int(x) for x in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: shares[i] - exact[i])
    for i in by_remainder[: total - sum(shares)]:
        shares[i] += 1
    return shares


def _known_by(ctx: Context, plan: Plan) -> list[Any]:
    """Which of our people know whom: the manager most, the team some, the director the bosses."""
    rng, link = ctx.rng, Contact.known_by.through
    manager, director = ctx.user(plan.manager), ctx.users["director"]
    rows = []
    for contact in plan.contacts:
        knowers = [manager] if manager and rng.random() < 0.6 else []
        knowers += [user for user in plan.team if user != director and rng.random() < 0.3]
        if contact.decision_role == DM and rng.random() < 0.4:
            knowers.append(director)
        rows += [link(contact_id=contact.pk, user_id=user.pk) for user in dict.fromkeys(knowers)]
    return rows


# Touches ---------------------------------------------------------------------------------------------


def _create_touches(ctx: Context, plans: list[Plan], history_user: User) -> int:
    drafts = [draft for plan in plans for draft in _touches(ctx, plan)]
    touches = [touch for touch, _c, _p in drafts]
    bulk_create_with_history(touches, Touch, batch_size=BATCH, default_user=history_user)
    contact_link, participant_link = Touch.contacts.through, Touch.participants.through
    contact_rows = [contact_link(touch_id=t.pk, contact_id=c.pk) for t, cs, _p in drafts for c in cs]
    participant_rows = [participant_link(touch_id=t.pk, user_id=u.pk) for t, _c, us in drafts for u in us]
    contact_link.objects.bulk_create(contact_rows, batch_size=BATCH)
    participant_link.objects.bulk_create(participant_rows, batch_size=BATCH)
    return len(touches)


TouchDraft = tuple[Touch, list[Contact], list[User]]


def _touches(ctx: Context, plan: Plan) -> list[TouchDraft]:
    rng = ctx.rng
    window = _touch_window(ctx, plan)
    days = sorted(
        window[0] + datetime.timedelta(days=rng.randint(0, (window[1] - window[0]).days))
        for _ in range(_touch_count(rng, plan))
    )
    drafts = [_touch(ctx, plan, day, window) for day in days]
    for i, (touch, _c, _p) in enumerate(drafts):
        if rng.random() < (0.7 if i == len(drafts) - 1 else 0.25):
            touch.next_step = rng.choice(NEXT_STEPS)
            touch.next_step_date = touch.date + datetime.timedelta(days=rng.randint(2, 21))
    return drafts


def _touch_count(rng: random.Random, plan: Plan) -> int:
    if plan.status == "prospect":
        return rng.randint(1, 4)
    return 3 + int(6 * math.log10(plan.annual / 1e5 + 1))


def _touch_window(ctx: Context, plan: Plan) -> tuple[datetime.date, datetime.date]:
    """Prospects were found lately; nobody calls a lost client; some clients are neglected."""
    start = ctx.months[0]
    if plan.status == "prospect":
        start = ctx.today - datetime.timedelta(days=180)
    end = ctx.today - datetime.timedelta(days=ctx.rng.choice([0, 0, 0, 0, 0, 0, 0, 0, 100, 150]))
    if plan.stop:
        end = min(end, plan.stop + datetime.timedelta(days=60))
    return start, max(start, end)


def _touch(
    ctx: Context, plan: Plan, day: datetime.date, window: tuple[datetime.date, datetime.date]
) -> TouchDraft:
    rng = ctx.rng
    kind = rng.choices(list(TOUCH_KINDS), weights=list(TOUCH_KINDS.values()))[0]
    if plan.never_met and kind == Touch.Kind.MEETING:
        kind = Touch.Kind.CALL
    active = [c for c in plan.contacts if c.is_active] or plan.contacts
    contacts = rng.sample(active, min(len(active), 3 if kind == Touch.Kind.MEETING else 1))
    participants = _participants(ctx, plan, kind)
    touch = Touch(
        client=plan.client,
        kind=kind,
        date=day,
        duration_minutes=_duration(rng, kind),
        summary=rng.choice(TOUCH_SUMMARIES[kind]).format(group=rng.choice(plan.groups).name),
        created_by=participants[0],
    )
    _date_the_occasion(rng, touch, contacts[0], window)
    return touch, contacts, participants


def _date_the_occasion(
    rng: random.Random, touch: Touch, contact: Contact, window: tuple[datetime.date, datetime.date]
) -> None:
    """Birthday congratulations fall on the birthday, gifts before New Year, when that fits the window."""
    if touch.kind == Touch.Kind.CONGRATULATION and contact.birthday:
        month, day = contact.birthday.month, contact.birthday.day
    elif touch.kind == Touch.Kind.GIFT:
        month, day = 12, rng.randint(20, 29)
    else:
        return
    occasion = datetime.date(touch.date.year, month, day)
    if occasion > window[1]:
        occasion = occasion.replace(year=occasion.year - 1)
    if occasion < window[0]:
        return
    touch.date = occasion
    if touch.kind == Touch.Kind.CONGRATULATION:
        touch.summary = BIRTHDAY_SUMMARY.format(contact=contact.name)


def _participants(ctx: Context, plan: Plan, kind: str) -> list[User]:
    """The responsible manager (or a colleague for an unassigned client), others at meetings."""
    rng = ctx.rng
    lead = ctx.user(plan.manager) or ctx.users[rng.choice(MANAGERS)]
    if kind not in (Touch.Kind.MEETING, Touch.Kind.EVENT):
        return [lead]
    return list(dict.fromkeys([lead, *(user for user in plan.team if rng.random() < 0.5)]))


def _duration(rng: random.Random, kind: str) -> int | None:
    ranges = {Touch.Kind.CALL: (5, 30), Touch.Kind.MEETING: (45, 180), Touch.Kind.EVENT: (120, 480)}
    low_high = ranges.get(Touch.Kind(kind))
    return rng.randrange(low_high[0], low_high[1] + 1, 5) if low_high else None


# Sales -------------------------------------------------------------------------------------------------


def _sales(ctx: Context, plan: Plan) -> list[Sale]:
    rows: list[Sale] = []
    if plan.status == "prospect":
        return rows
    rhythm = {"monthly": _monthly_totals, "shipments": _shipments, "irregular": _irregular}[plan.rhythm]
    for i, month in enumerate(ctx.months):
        rows += rhythm(ctx, plan, month, _month_amount(ctx, plan, i, month))
    return rows


def _month_amount(ctx: Context, plan: Plan, i: int, month: datetime.date) -> float:
    """A twelfth of the yearly volume, bent by the trend and the industry's season, with noise."""
    progress = i / (MONTHS - 1)
    trend = {
        "growing": 0.55 + 0.9 * progress,
        "declining": 1.45 - 0.9 * progress,
        "stopped": 1.2 - 0.5 * progress,
    }
    noise = ctx.rng.uniform(0.8, 1.2)
    return plan.annual / 12 * trend.get(plan.trend, 1.0) * _season(plan.industry, month) * noise


def _season(industry: IndustrySpec, month: datetime.date) -> float:
    return 1 + industry.seasonality * math.cos(2 * math.pi * (month.month - industry.peak_month) / 12)


def _monthly_totals(ctx: Context, plan: Plan, month: datetime.date, amount: float) -> list[Sale]:
    """ERP monthly totals, dated the first of the month, one row per product group bought."""
    if not _buys_on(plan, month):
        return []
    weights = _normalised(plan.group_weights)
    return [
        _sale(plan, group, month, amount * weight * ctx.rng.uniform(0.8, 1.2))
        for group, weight in zip(plan.groups, weights, strict=True)
        if ctx.rng.random() < 0.9
    ]


def _shipments(ctx: Context, plan: Plan, month: datetime.date, amount: float) -> list[Sale]:
    """Several shipments on working days of the month, each of one to three product groups."""
    rng = ctx.rng
    count = max(1, min(8, int(2 * math.log10(max(1.0, plan.annual / 100_000)))) + rng.randint(-1, 1))
    rows = []
    for _shipment in range(count):
        day = _working_day(rng, month)
        groups = set(rng.choices(plan.groups, weights=plan.group_weights, k=rng.randint(1, 3)))
        if day <= ctx.today and _buys_on(plan, day):
            share = amount / count / len(groups)
            rows += [_sale(plan, g, day, share * rng.uniform(0.7, 1.3)) for g in sorted(groups, key=str)]
    return rows


def _irregular(ctx: Context, plan: Plan, month: datetime.date, amount: float) -> list[Sale]:
    """A small buyer that orders every few months, a quarter's worth at a time."""
    if ctx.rng.random() >= 0.35:
        return []
    day = _working_day(ctx.rng, month)
    group = ctx.rng.choices(plan.groups, weights=plan.group_weights)[0]
    return [_sale(plan, group, day, amount * 3)] if day <= ctx.today and _buys_on(plan, day) else []


def _working_day(rng: random.Random, month: datetime.date) -> datetime.date:
    day = month.replace(day=rng.randint(2, 28))
    return day + datetime.timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)


def _normalised(weights: list[float]) -> list[float]:
    return [w / sum(weights) for w in weights]


def _sale(plan: Plan, group: ProductGroup, day: datetime.date, amount: float) -> Sale:
    return Sale(client=plan.client, product_group=group, date=day, amount=money(max(amount, 50.0)))


def money(amount: float) -> Decimal:
    return Decimal(round(amount * 100)).scaleb(-2)


# Refusals ------------------------------------------------------------------------------------------


def _refusals(ctx: Context, plan: Plan) -> list[Refusal]:
    """Clients who buy less or stopped refused more, and recently; others now and then."""
    rng = ctx.rng
    if plan.trend in ("declining", "stopped") or plan.status == "inactive":
        count = rng.randint(2, 6)
    else:
        count = rng.choice([0, 0, 0, 0, 1, 1, 2])
    last = min(ctx.today, plan.stop or ctx.today)
    span = 240 if plan.stop or plan.trend == "declining" else 660
    return [_refusal(ctx, plan, last - datetime.timedelta(days=rng.randint(0, span))) for _ in range(count)]


def _refusal(ctx: Context, plan: Plan, day: datetime.date) -> Refusal:
    rng = ctx.rng
    reason = rng.choices(list(REFUSAL_WEIGHTS), weights=list(REFUSAL_WEIGHTS.values()))[0]
    return Refusal(
        client=plan.client,
        date=max(day, ctx.months[0]),
        product_group=rng.choice(plan.groups) if rng.random() < 0.8 else None,
        reason=reason,
        note=rng.choice(REFUSAL_NOTES[Refusal.Reason(reason)]),
    )
