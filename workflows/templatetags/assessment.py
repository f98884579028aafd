"""Template tags for pages of other apps that show the assessment: the enrolment page's review link.

The domain's pages do not import the assessment (import-linter); their templates ask it here.
"""

from django import template

from certification import permissions
from certification.models import EnrolmentStatus
from workflows.assessment.selectors import inbox_for, review_queue_for

register = template.Library()


@register.simple_tag(takes_context=True)
def review_task_for(context, enrolment):
    """The open review task the user (an assessor or officer) can open for this candidate, if any."""
    user = context["request"].user
    if enrolment.status != EnrolmentStatus.UNDER_REVIEW or not (
        permissions.is_assessor(user) or permissions.is_officer(user)
    ):
        return None
    tasks = review_queue_for(user) | inbox_for(user) if permissions.is_assessor(user) else review_queue_for(user)
    return tasks.filter(process__assessmentprocess__enrolment=enrolment).first()
