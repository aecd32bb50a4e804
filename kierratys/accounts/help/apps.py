from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelpConfig(AppConfig):
    name = "kierratys.accounts.help"
    label = "help"
    verbose_name = _("Help pages")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from kierratys.common import mail

        mail.mail_footer.connect(mail_footer)


def mail_footer(*, to, language, **kwargs):
    """Mail to an organisation's staff ends with the footer it wrote."""
    from .selectors import email_footer_for

    return email_footer_for(email=to, language=language)
