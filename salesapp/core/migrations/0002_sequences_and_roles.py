from django.db import migrations


def forwards(apps, schema_editor):
    NumberSequence = apps.get_model("core", "NumberSequence")
    for name in ("quote", "salesorder", "invoice"):
        NumberSequence.objects.get_or_create(name=name)
    Group = apps.get_model("auth", "Group")
    for name in ("Salesperson", "Sales manager"):
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
