from django.db import migrations, models


class Migration(migrations.Migration):
    """The name keys filled by 0007 become unique (a migration of its own: see 0007's last step)."""

    dependencies = [
        ('accounts', '0007_reference_data'),
    ]

    operations = [
        migrations.AlterField(
            model_name='industry',
            name='name_key',
            field=models.CharField(editable=False, max_length=360, unique=True),
        ),
        migrations.AlterField(
            model_name='productgroup',
            name='name_key',
            field=models.CharField(editable=False, max_length=360, unique=True),
        ),
    ]
