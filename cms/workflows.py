"""What ends an approved workflow (``WAGTAIL_FINISH_WORKFLOW_ACTION``).

Wagtail imports this setting while ``wagtail.models`` is still being defined, so this module imports nothing of
Wagtail's models at load time; the rule lives in ``cms.publishing``.
"""


def publish_workflow_state(workflow_state, user=None):
    from cms.publishing import publish_workflow_state as publish

    return publish(workflow_state, user=user)
