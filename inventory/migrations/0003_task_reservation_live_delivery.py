# A reservation may be delivered again after a cancelled delivery; one live delivery at most.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('inventory', '0002_tasks_and_slots'),
        ('reservations', '0002_owner_notified_at'),
    ]

    operations = [
        migrations.AlterField(
            model_name='task',
            name='reservation',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='delivery_tasks', to='reservations.reservation'),
        ),
        migrations.AddConstraint(
            model_name='task',
            constraint=models.UniqueConstraint(condition=models.Q(('kind', 'delivery'), models.Q(('status', 'cancelled'), _negated=True)), fields=('reservation',), name='task_one_live_delivery'),
        ),
    ]
