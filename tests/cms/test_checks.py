"""The system checks that tell a site what the event reports need (see README, "Add to an existing Wagtail site")."""

from cms import changes, checks


def test_the_defaults_of_a_fresh_wagtail_site_pass_the_task_check(settings):
    # A new site made with `wagtail start` has no TASKS: django_tasks then runs tasks immediately.
    del settings.TASKS
    assert changes.check_reference_index_is_immediate() == []


def test_i18n_must_be_enabled(settings):
    assert checks.check_i18n_is_enabled() == []
    settings.WAGTAIL_I18N_ENABLED = False
    assert [error.id for error in checks.check_i18n_is_enabled()] == ["cms.E002"]
    del settings.WAGTAIL_I18N_ENABLED
    assert [error.id for error in checks.check_i18n_is_enabled()] == ["cms.E002"]


def test_the_source_language_must_be_a_content_language(settings):
    assert checks.check_source_language_is_a_content_language() == []
    # A fresh site's "en-us" is not a content language code: Wagtail's locale would be "en".
    settings.LANGUAGE_CODE = "en-us"
    errors = checks.check_source_language_is_a_content_language()
    assert [error.id for error in errors] == ["cms.E003"]
    assert "'en-us' is not one of the content languages (lv, en, ltg)" in errors[0].msg
    # Unset, Wagtail's default content language is LANGUAGE_CODE's own.
    del settings.WAGTAIL_CONTENT_LANGUAGES
    settings.LANGUAGE_CODE = "en"
    assert checks.check_source_language_is_a_content_language() == []


def test_content_languages_outside_languages_are_reported(settings):
    settings.WAGTAIL_CONTENT_LANGUAGES = [("lv", "Latviešu"), ("xx", "Unknown")]
    assert [error.id for error in checks.check_source_language_is_a_content_language()] == ["cms.E003"]
