"""Django's template backend, whose duplicate-library check accepts the project's deliberate ``i18n``."""

from django.template.backends.django import DjangoTemplates

# settings.TEMPLATES maps "i18n" to this module on purpose (core/templatetags/fast_i18n.py, ADR 0090).
_OUR_I18N = "'django.templatetags.i18n', 'smartcity.core.templatetags.fast_i18n'"


class ProjectTemplates(DjangoTemplates):
    def _check_for_template_tags_with_the_same_name(self):
        return [warning for warning in super()._check_for_template_tags_with_the_same_name()
                if warning.msg != f"'i18n' is used for multiple template tag modules: {_OUR_I18N}"]
