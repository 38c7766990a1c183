"""Logs never hold a whole ID number or mobile number; Django's error reports hide the
posted fields and locals that hold them."""

import io
import logging
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

from tongchou.core.logging import PersonalNumbersFilter, mask_personal_numbers
from tongchou.registry import services as registry_services
from tongchou.testing_support import valid_id_number

ID_NUMBER = "41010219900101123X"
PHONE = "13812345678"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (f"id_number={ID_NUMBER}&phone={PHONE}", "id_number=4101**********123X&phone=138****5678"),
        ("身份证号410102199001011234已登记", "身份证号4101**********1234已登记"),
        ("tel +86 138-1234-5678.", "tel 138****5678."),
        ("1381234567 8", "1381234567 8"),
        # Longer runs of digits (barcodes, tokens) are no ID number and no phone.
        ("tube 12345678901234567890", "tube 12345678901234567890"),
        ("A41010219900101123X9", "A41010219900101123X9"),
        ("id 42, 200 OK", "id 42, 200 OK"),
    ],
)
def test_it_masks_id_numbers_and_mobile_numbers_and_nothing_else(text, masked):
    assert mask_personal_numbers(text) == masked


def _record(msg, args, exc_info=None):
    return logging.LogRecord("django.request", logging.ERROR, __file__, 1, msg, args, exc_info)


def test_a_logged_error_comes_out_masked_in_its_message_args_and_traceback():
    try:
        raise ValueError(f"该身份证号已登记：{ID_NUMBER}")
    except ValueError:
        exc_info = sys.exc_info()
    record = _record(
        f"Internal Server Error: /people/?q={PHONE} %s %s", (ID_NUMBER, PHONE), exc_info
    )
    assert PersonalNumbersFilter().filter(record) is True
    text = logging.Formatter().format(record)
    assert ID_NUMBER not in text and PHONE not in text
    assert "/people/?q=138****5678 4101**********123X 138****5678" in text
    assert "该身份证号已登记：4101**********123X" in text
    assert record.args == ("4101**********123X", "138****5678")


def test_arguments_that_are_not_text_are_masked_as_printed():
    record = _record("%s called %d", ({"id_number": ID_NUMBER}, int(PHONE)))
    PersonalNumbersFilter().filter(record)
    assert record.getMessage() == "{'id_number': '4101**********123X'} called 138****5678"
    record = _record("%(who)s", ({"who": ID_NUMBER},))
    PersonalNumbersFilter().filter(record)
    assert record.getMessage() == "4101**********123X"


def _configured_handlers():
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    for logger in loggers:
        for handler in logger.handlers:
            # pytest's own capture handlers come and go with each test.
            if not type(handler).__module__.startswith("_pytest"):
                yield logger.name, handler


def test_every_handler_of_every_logger_masks():
    assert all(
        "mask_personal_numbers" in handler.get("filters", ())
        for handler in settings.LOGGING["handlers"].values()
    )
    handlers = list(_configured_handlers())
    assert {name for name, _handler in handlers} >= {"root", "django.server"}
    for name, handler in handlers:
        assert any(isinstance(f, PersonalNumbersFilter) for f in handler.filters), name


def test_a_request_error_written_by_the_configured_handler_is_masked():
    stream = io.StringIO()
    (console,) = [h for name, h in _configured_handlers() if name == "root"]
    old = console.setStream(stream)
    try:
        logging.getLogger("django.request").error(
            "Internal Server Error: %s", f"/api/people/?id_number={ID_NUMBER}&phone={PHONE}"
        )
    finally:
        console.setStream(old)
    assert stream.getvalue() == (
        "Internal Server Error: /api/people/?id_number=4101**********123X&phone=138****5678\n"
    )


# --- Django's error reports ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "fields"),
    [
        ("/people/new/", ("id_number", "phone")),
        ("/api/people/", ("id_number", "phone")),
        ("/api/testing/walk-ins/", ("name", "id_number", "phone")),
        ("/v/{token}/", ("name", "id_number", "phone")),
    ],
)
def test_the_forms_that_carry_id_numbers_are_hidden_from_error_reports(
    url, fields, client_for, personas, district
):
    from tongchou.venues.choices import VenueKind
    from tongchou.venues.services import venue_create

    venue = venue_create(actor=None, area=district["grid_a"], name="景园超市", kind=VenueKind.HOTEL)
    client = client_for("command")
    posted = {"name": "张三", "id_number": ID_NUMBER, "phone": PHONE}
    response = client.post(url.format(token=venue.code_token), posted)
    request = response.wsgi_request
    assert tuple(request.sensitive_post_parameters) == fields
    cleansed = SafeExceptionReporterFilter().get_post_parameters(request)
    assert cleansed["id_number"] == cleansed["phone"] == "********************"


def test_a_services_locals_holding_an_id_number_are_hidden_from_error_reports(personas, district):
    request = RequestFactory().post("/people/new/")
    id_number = valid_id_number()
    with pytest.raises(ValidationError) as raised:
        registry_services.person_create(
            actor=personas["command"],
            area=district["grid_a"],
            name="张三",
            id_number=id_number,
            phone="not a phone",
        )
    reporter = ExceptionReporter(request, raised.type, raised.value, raised.tb)
    frames = {f["function"]: dict(f["vars"]) for f in reporter.get_traceback_frames()}
    assert frames["person_create"]["id_number"] == "********************"
    assert frames["person_create"]["phone"] == "********************"
    assert frames["person_create"]["name"] == "张三"
