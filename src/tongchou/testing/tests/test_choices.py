"""The words a round's states are shown with."""

from django.utils import translation

from tongchou.command.choices import TaskStatus
from tongchou.testing.choices import TubeStatus


def test_an_open_tube_reads_as_being_filled_and_other_opens_keep_their_word():
    with translation.override("zh-hans"):
        assert str(TubeStatus.OPEN.label) == "采集中"
        # The same English word elsewhere is a to-do still waiting, not a tube.
        assert str(TaskStatus.OPEN.label) == "待办理"
    with translation.override("en"):
        assert str(TubeStatus.OPEN.label) == "Open"
