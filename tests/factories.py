import datetime
import random

import factory
from django.contrib.auth.models import Group

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
from accounts.validators import WEIGHTS_10, inn_check_digit
from kam.users import roles
from kam.users.models import User
from segmentation.models import OwnLocation


def make_inn(seed: int) -> str:
    body = f"{7700000000 + seed * 7919 % 99999999:010d}"[:9]
    return body + str(inn_check_digit(body, WEIGHTS_10))


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "secret-pass-1")

    @classmethod
    def _after_postgeneration(cls, instance: User, create: bool, results: dict | None = None) -> None:
        if create:
            instance.save()


def with_role(role: str) -> factory.PostGeneration:
    def add(user: User, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            user.groups.add(Group.objects.get(name=role))

    return factory.PostGeneration(add)


class ManagerFactory(UserFactory):
    role = with_role(roles.ACCOUNT_MANAGER)


class DirectorFactory(UserFactory):
    role = with_role(roles.SALES_DIRECTOR)


class AdminFactory(UserFactory):
    role = with_role(roles.ADMIN)


class IndustryFactory(factory.django.DjangoModelFactory[Industry]):
    class Meta:
        model = Industry
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Industry {n}")


class ProductGroupFactory(factory.django.DjangoModelFactory[ProductGroup]):
    class Meta:
        model = ProductGroup
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Group {n}")


class ClientFactory(factory.django.DjangoModelFactory[Client]):
    class Meta:
        model = Client

    name = factory.Sequence(lambda n: f"Client {n:04d}")
    legal_name = factory.LazyAttribute(lambda c: f'OOO "{c.name}"')
    inn = factory.Sequence(make_inn)
    industry = factory.SubFactory(IndustryFactory)
    responsible_manager = factory.SubFactory(ManagerFactory)


class TeamMemberFactory(factory.django.DjangoModelFactory[TeamMember]):
    class Meta:
        model = TeamMember

    client = factory.SubFactory(ClientFactory)
    user = factory.SubFactory(ManagerFactory)


class PointFactory(factory.django.DjangoModelFactory[PointOfPresence]):
    class Meta:
        model = PointOfPresence

    client = factory.SubFactory(ClientFactory)
    country = "RU"
    region = "RU-MOW"
    city = "Moscow"


class ContactFactory(factory.django.DjangoModelFactory[Contact]):
    class Meta:
        model = Contact

    client = factory.SubFactory(ClientFactory)
    name = factory.Sequence(lambda n: f"Contact {n}")
    position = "Buyer"
    influence = 0


class TouchFactory(factory.django.DjangoModelFactory[Touch]):
    class Meta:
        model = Touch

    client = factory.SubFactory(ClientFactory)
    date = factory.LazyFunction(datetime.date.today)
    summary = "Discussed the next order"


class SaleFactory(factory.django.DjangoModelFactory[Sale]):
    class Meta:
        model = Sale

    client = factory.SubFactory(ClientFactory)
    product_group = factory.SubFactory(ProductGroupFactory)
    date = factory.LazyFunction(datetime.date.today)
    amount = factory.LazyFunction(lambda: random.randint(1000, 100000))


class RefusalFactory(factory.django.DjangoModelFactory[Refusal]):
    class Meta:
        model = Refusal

    client = factory.SubFactory(ClientFactory)
    date = factory.LazyFunction(datetime.date.today)
    reason = Refusal.Reason.PRICE


class OwnLocationFactory(factory.django.DjangoModelFactory[OwnLocation]):
    class Meta:
        model = OwnLocation

    name = factory.Sequence(lambda n: f"Branch {n}")
    kind = OwnLocation.Kind.BRANCH
    country = "RU"
    region = "RU-KYA"
