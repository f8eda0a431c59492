"""The demo's content: logins, industries, regions, names and texts, laid out by hand.

Everything here is data; the generators (plans, cards, activity, estimates) make every
random choice.
"""

from dataclasses import dataclass

from accounts.models import Contact, Refusal, Touch
from kam.users import roles

DEMO_PASSWORD = "demo"

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
# Our own company's locations (DOMAIN §6, "our presence"): (name, kind, country, region, active).
# Krasnoyarsk but not Irkutsk, so the showcase's planned point raises the expansion alert.
OWN_LOCATIONS = (
    ("Головной офис, Москва", "branch", "RU", "RU-MOW", True),
    ("Склад, Подольск", "warehouse", "RU", "RU-MOS", True),
    ("Филиал, Санкт-Петербург", "branch", "RU", "RU-SPE", True),
    ("Склад, Санкт-Петербург", "warehouse", "RU", "RU-SPE", True),
    ("Филиал, Красноярск", "branch", "RU", "RU-KYA", True),
    ("Филиал, Новосибирск", "branch", "RU", "RU-NVS", True),
    ("Филиал, Екатеринбург", "branch", "RU", "RU-SVE", True),
    ("Филиал, Казань", "branch", "RU", "RU-TA", True),
    ("Филиал, Хабаровск", "branch", "RU", "RU-KHA", True),
    ("Склад, Краснодар", "warehouse", "RU", "RU-KDA", True),
    ("Представительство в Казахстане", "representative", "KZ", "", True),
    ("Представительство в Беларуси", "representative", "BY", "", True),
    ("Склад, Самара", "warehouse", "RU", "RU-SAM", False),
)
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

# Potential estimates (DOMAIN §5). Shares are spread like TRAIT_SHARES, the first label the usual case.
ANALYSED_SHARES = {
    "active": {"yes": 0.7, "no": 0.3},  # the rest of the active clients are a manager's to-do
    "prospect": {"no": 0.7, "yes": 0.3},  # a prospect's budget is worth knowing before it buys
}
ESTIMATE_AGE_SHARES = {"fresh": 0.85, "stale": 0.15}  # stale: older than the policy's 12 months
# Our share of an analysed client's wallet, as (low, high) of our sales / its estimate.
WALLET_SHARES = {
    "typical": (0.2, 0.6),
    "loyal": (0.8, 1.0),
    "untapped": (0.02, 0.1),  # big budgets that buy little from us: image and whitespace candidates
    "over": (1.05, 1.3),  # the estimate is too low: we sell more than it
}
# By whether the client buys a lot: a big buyer is not an untapped one, or its budget would be absurd.
WALLET_PROFILE_SHARES = {
    True: {"typical": 0.65, "loyal": 0.35},
    False: {"typical": 0.5, "loyal": 0.2, "untapped": 0.18, "over": 0.12},
}
WHITESPACE_GROUPS = {"typical": (0, 2), "loyal": (0, 0), "untapped": (2, 4), "over": (0, 0)}
# Where the figures came from (PotentialEstimate.Source): a survey after a purchase, questions
# "to improve our service", an interview "for an industry journal", other.
ESTIMATE_SOURCE_SHARES = {"survey": 0.4, "service": 0.3, "journal": 0.15, "other": 0.15}
