"""Plans, their steps and the templates they are made from, seeded with the texts' steps."""

import datetime
import django.core.validators
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


# The texts' steps (DOMAIN §7, §10), in English and Russian, with a default offset in days.
STEPS = {
    "retention": [
        ("Fill in the client card as fully as possible", "Заполнить карточку клиента максимально подробно", 7),
        (
            "List the names in the organisation, from the director to the cleaner",
            "Собрать список имён в организации, от директора до уборщицы",
            14,
        ),
        (
            "Build the decision-group table with each person's influence %",
            "Составить таблицу ГПР с процентом влияния",
            21,
        ),
        ("Collect personal information about the decision makers", "Собрать личную информацию о ЛПР", 30),
        (
            "Introduce as many of our employees as possible to the client's",
            "Познакомить как можно больше своих сотрудников с сотрудниками клиента",
            45,
        ),
        (
            "Run the “Ideal service” and “Ideal supplier” questionnaires",
            "Провести анкетирование «Идеальный сервис» и «Идеальный поставщик»",
            60,
        ),
        ("Fix the shortcomings and improve the service", "Исправить недостатки и улучшить сервис", 90),
        ("Congratulate and give gifts periodically", "Периодически поздравлять и дарить подарки", 120),
        ("Run periodic VIP programmes", "Проводить периодические VIP-программы", 180),
    ],
    "development": [
        (
            "Run the “Ideal supplier” and “Ideal service” questionnaires",
            "Провести анкетирование «Идеальный поставщик» и «Идеальный сервис»",
            14,
        ),
        (
            "Analyse the answers and fix the shortcomings",
            "Проанализировать результаты анкет и исправить недочёты",
            30,
        ),
        (
            "Find in the potential table the product groups that are missing or small but could grow",
            "Выявить в таблице потенциала товарные группы, которые мало или не представлены, но могут расти",
            45,
        ),
        (
            "Show the client proof of the work done on the answers",
            "Предоставить клиенту доказательства работы над результатами анкет",
            60,
        ),
        (
            "Talk to the client's rank-and-file sellers about what their buyers ask for",
            "Поговорить с рядовыми продавцами клиента о том, что ещё просят их покупатели",
            75,
        ),
        (
            "Negotiate with the decision makers and influencers for a larger share of their budget",
            "Провести переговоры с ЛПР и ЛВР об увеличении доли в их бюджете",
            90,
        ),
    ],
    "win_back": [
        (
            "Check the lost criteria that were met: how long the client has not bought",
            "Проверить, по каким критериям клиент потерян: как долго он ничего не покупает",
            3,
        ),
        (
            "Analyse the refusals: their number, dynamics and directions",
            "Проанализировать отказы: их количество, динамику и направления",
            7,
        ),
        (
            "Prepare the offer: a special offer, a gift, a discount",
            "Подготовить предложение: специальное предложение, подарок, скидку",
            14,
        ),
        ("Make the offer to the decision makers", "Сделать предложение ЛПР", 21),
        ("Record the outcome", "Зафиксировать результат", 45),
    ],
}


def seed_templates(apps, schema_editor):
    PlanTemplate = apps.get_model("plans", "PlanTemplate")
    TemplateStep = apps.get_model("plans", "TemplateStep")
    for kind, steps in STEPS.items():
        template, created = PlanTemplate.objects.get_or_create(kind=kind)
        if not created:
            continue
        TemplateStep.objects.bulk_create(
            TemplateStep(template=template, position=number, text_en=en, text_ru=ru, offset_days=offset)
            for number, (en, ru, offset) in enumerate(steps, start=1)
        )



class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0006_kpp_phones_e164_date_ranges'),
        ('plans', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='PlanTemplate',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('retention', 'Retention plan'), ('development', 'Development plan'), ('win_back', 'Win-back plan')], max_length=12, unique=True, verbose_name='kind')),
            ],
            options={
                'verbose_name': 'plan template',
                'verbose_name_plural': 'plan templates',
                'ordering': ['kind'],
            },
        ),
        migrations.CreateModel(
            name='HistoricalPlan',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('kind', models.CharField(choices=[('retention', 'Retention plan'), ('development', 'Development plan'), ('win_back', 'Win-back plan')], max_length=12, verbose_name='kind')),
                ('status', models.CharField(choices=[('active', 'Active'), ('closed', 'Closed')], default='active', max_length=8, verbose_name='status')),
                ('started_on', models.DateField(verbose_name='started on')),
                ('closed_on', models.DateField(blank=True, null=True, verbose_name='closed on')),
                ('outcome', models.CharField(blank=True, choices=[('achieved', 'Achieved'), ('not_achieved', 'Not achieved'), ('won_back', 'Won back'), ('abandoned', 'Abandoned')], max_length=12, verbose_name='outcome')),
                ('outcome_note', models.TextField(blank=True, verbose_name='outcome in words')),
                ('lost_criteria', models.JSONField(blank=True, default=dict, editable=False, verbose_name='lost criteria met')),
                ('offer_kind', models.CharField(blank=True, choices=[('special', 'Special offer'), ('gift', 'Gift'), ('discount', 'Discount'), ('other', 'Other')], max_length=8, verbose_name='offer')),
                ('offer_text', models.TextField(blank=True, verbose_name='the offer in words')),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('client', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.client')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('owner', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='owner')),
            ],
            options={
                'verbose_name': 'historical plan',
                'verbose_name_plural': 'historical plans',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='Plan',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('retention', 'Retention plan'), ('development', 'Development plan'), ('win_back', 'Win-back plan')], max_length=12, verbose_name='kind')),
                ('status', models.CharField(choices=[('active', 'Active'), ('closed', 'Closed')], default='active', max_length=8, verbose_name='status')),
                ('started_on', models.DateField(verbose_name='started on')),
                ('closed_on', models.DateField(blank=True, null=True, verbose_name='closed on')),
                ('outcome', models.CharField(blank=True, choices=[('achieved', 'Achieved'), ('not_achieved', 'Not achieved'), ('won_back', 'Won back'), ('abandoned', 'Abandoned')], max_length=12, verbose_name='outcome')),
                ('outcome_note', models.TextField(blank=True, verbose_name='outcome in words')),
                ('lost_criteria', models.JSONField(blank=True, default=dict, editable=False, verbose_name='lost criteria met')),
                ('offer_kind', models.CharField(blank=True, choices=[('special', 'Special offer'), ('gift', 'Gift'), ('discount', 'Discount'), ('other', 'Other')], max_length=8, verbose_name='offer')),
                ('offer_text', models.TextField(blank=True, verbose_name='the offer in words')),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
                ('client', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='plans', to='accounts.client')),
                ('owner', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='plans', to=settings.AUTH_USER_MODEL, verbose_name='owner')),
            ],
            options={
                'verbose_name': 'plan',
                'verbose_name_plural': 'plans',
                'ordering': ['status', '-started_on', '-id'],
            },
        ),
        migrations.CreateModel(
            name='HistoricalPlanStep',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('text_en', models.CharField(blank=True, max_length=300, verbose_name='wording in English')),
                ('text_ru', models.CharField(blank=True, max_length=300, verbose_name='wording in Russian')),
                ('position', models.PositiveSmallIntegerField(verbose_name='position')),
                ('due', models.DateField(blank=True, null=True, verbose_name='due')),
                ('done_on', models.DateField(blank=True, null=True, verbose_name='done on')),
                ('note', models.TextField(blank=True, verbose_name='note')),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('assignee', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='assignee')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('touch', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.touch', verbose_name='the touch that did it')),
                ('plan', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='plans.plan')),
            ],
            options={
                'verbose_name': 'historical plan step',
                'verbose_name_plural': 'historical plan steps',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='PlanStep',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('text_en', models.CharField(blank=True, max_length=300, verbose_name='wording in English')),
                ('text_ru', models.CharField(blank=True, max_length=300, verbose_name='wording in Russian')),
                ('position', models.PositiveSmallIntegerField(verbose_name='position')),
                ('due', models.DateField(blank=True, null=True, verbose_name='due')),
                ('done_on', models.DateField(blank=True, null=True, verbose_name='done on')),
                ('note', models.TextField(blank=True, verbose_name='note')),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
                ('assignee', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='plan_steps', to=settings.AUTH_USER_MODEL, verbose_name='assignee')),
                ('plan', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='steps', to='plans.plan')),
                ('touch', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='plan_steps', to='accounts.touch', verbose_name='the touch that did it')),
            ],
            options={
                'verbose_name': 'plan step',
                'verbose_name_plural': 'plan steps',
                'ordering': ['plan', 'position', 'id'],
            },
        ),
        migrations.CreateModel(
            name='HistoricalTemplateStep',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('text_en', models.CharField(blank=True, max_length=300, verbose_name='wording in English')),
                ('text_ru', models.CharField(blank=True, max_length=300, verbose_name='wording in Russian')),
                ('position', models.PositiveSmallIntegerField(verbose_name='position')),
                ('offset_days', models.PositiveSmallIntegerField(default=0, help_text="Days from the plan's start to the step's due date.", validators=[django.core.validators.MaxValueValidator(3650)], verbose_name='due after, days')),
                ('is_active', models.BooleanField(default=True, verbose_name='in use')),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('template', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='plans.plantemplate')),
            ],
            options={
                'verbose_name': 'historical template step',
                'verbose_name_plural': 'historical template steps',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='TemplateStep',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('text_en', models.CharField(blank=True, max_length=300, verbose_name='wording in English')),
                ('text_ru', models.CharField(blank=True, max_length=300, verbose_name='wording in Russian')),
                ('position', models.PositiveSmallIntegerField(verbose_name='position')),
                ('offset_days', models.PositiveSmallIntegerField(default=0, help_text="Days from the plan's start to the step's due date.", validators=[django.core.validators.MaxValueValidator(3650)], verbose_name='due after, days')),
                ('is_active', models.BooleanField(default=True, verbose_name='in use')),
                ('version', models.PositiveIntegerField(default=1, editable=False)),
                ('template', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='steps', to='plans.plantemplate')),
            ],
            options={
                'verbose_name': 'template step',
                'verbose_name_plural': 'template steps',
                'ordering': ['template', 'position', 'id'],
            },
        ),
        migrations.AddIndex(
            model_name='plan',
            index=models.Index(fields=['client', 'status'], name='plan_client_idx'),
        ),
        migrations.AddConstraint(
            model_name='plan',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'active')), fields=('client', 'kind'), name='plan_one_active_per_kind', violation_error_message='The client already has an active plan of this kind.'),
        ),
        migrations.AddConstraint(
            model_name='plan',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('closed_on__isnull', True), ('outcome', ''), ('status', 'active')), models.Q(('closed_on__isnull', False), ('status', 'closed'), models.Q(('outcome', ''), _negated=True)), _connector='OR'), name='plan_closed_has_outcome'),
        ),
        migrations.AddConstraint(
            model_name='plan',
            constraint=models.CheckConstraint(condition=models.Q(('closed_on__isnull', True), ('closed_on__range', (datetime.date(1900, 1, 1), datetime.date(2099, 12, 31))), _connector='OR'), name='plan_closed_on_range'),
        ),
        migrations.AddIndex(
            model_name='planstep',
            index=models.Index(fields=['assignee', 'done_on', 'due'], name='planstep_assignee_idx'),
        ),
        migrations.AddConstraint(
            model_name='planstep',
            constraint=models.CheckConstraint(condition=models.Q(('due__isnull', True), ('due__range', (datetime.date(1900, 1, 1), datetime.date(2099, 12, 31))), _connector='OR'), name='planstep_due_range'),
        ),
        migrations.AddConstraint(
            model_name='planstep',
            constraint=models.CheckConstraint(condition=models.Q(('done_on__isnull', True), ('done_on__range', (datetime.date(1900, 1, 1), datetime.date(2099, 12, 31))), _connector='OR'), name='planstep_done_on_range'),
        ),
        migrations.AddConstraint(
            model_name='templatestep',
            constraint=models.CheckConstraint(condition=models.Q(('text_en', ''), ('text_ru', ''), _negated=True), name='templatestep_has_text'),
        ),
        migrations.AddConstraint(
            model_name='templatestep',
            constraint=models.CheckConstraint(condition=models.Q(('offset_days__lte', 3650)), name='templatestep_offset_max'),
        ),
        migrations.RunPython(seed_templates, migrations.RunPython.noop),
    ]
