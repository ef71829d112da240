"""Conformance cases: message templates.

Spec defects that force a skip: ``getTemplateByNameDefaultFields`` declares only the
``name`` query parameter, while Meta's docs (and every real list call) use
``status``, ``category``, ``language``, ``quality_score``, ``fields`` and cursor
paging; those cases skip the query check. Template analytics is not in the spec
(operation_id None), so it has no case here.
"""

from __future__ import annotations

from meta_cloud_async.types.templates import (
    AndroidApp,
    Body,
    Buttons,
    CreateTemplateRequest,
    DeleteTemplateRequest,
    EditTemplateRequest,
    Footer,
    GetTemplateRequest,
    HeaderText,
    ListTemplatesRequest,
    OtpCopyCodeButton,
    OtpOneTapButton,
    QuickReplyButton,
)

from . import Case

_QUERY_SKIP = {"query": "the spec declares only `name` for this operation; Meta's docs add these filters"}

CASES = [
    Case("templates_list", ListTemplatesRequest, lambda wa: wa.templates.list(), {"data": []}),
    Case(
        "templates_list_by_name",
        ListTemplatesRequest,
        lambda wa: wa.templates.list(name="order_update"),
        {"data": []},
    ),
    Case(
        "templates_list_filtered",
        ListTemplatesRequest,
        lambda wa: wa.templates.list(status=["APPROVED", "PAUSED"], category="UTILITY", limit=50),
        {"data": []},
        skip=_QUERY_SKIP,
    ),
    Case(
        "templates_get",
        GetTemplateRequest,
        lambda wa: wa.templates.get("564912142382994"),
        {"id": "564912142382994"},
    ),
    Case(
        "templates_create_marketing",
        CreateTemplateRequest,
        lambda wa: wa.templates.create(
            "fall_sale",
            "en_US",
            "MARKETING",
            [
                HeaderText(text="Our {{1}} is on!", example="Fall Sale"),
                Body(text="Hi {{1}}, use code {{2}} today.", examples=["Mark", "FALL25"]),
                Footer(text="Tap Stop promotions to opt out"),
                Buttons(buttons=[QuickReplyButton(text="Stop promotions")]),
            ],
            allow_category_change=True,
        ),
        {"id": "572279198452421", "status": "PENDING", "category": "MARKETING"},
    ),
    Case(
        "templates_create_authentication_copy_code",
        CreateTemplateRequest,
        lambda wa: wa.templates.create_authentication(
            "login_code",
            "en_US",
            button=OtpCopyCodeButton(text="Copy code"),
            add_security_recommendation=True,
            code_expiration_minutes=5,
        ),
        {"id": "594425479261596", "status": "PENDING", "category": "AUTHENTICATION"},
    ),
    Case(
        "templates_create_authentication_one_tap",
        CreateTemplateRequest,
        lambda wa: wa.templates.create_authentication(
            "login_code_one_tap",
            "en_US",
            button=OtpOneTapButton(
                text="Copy code",
                autofill_text="Autofill",
                supported_apps=[AndroidApp(package_name="com.example.app", signature_hash="K8a/AINcGX7")],
            ),
            message_send_ttl_seconds=600,
        ),
        {"id": "594425479261597", "status": "PENDING", "category": "AUTHENTICATION"},
    ),
    Case(
        "templates_edit",
        EditTemplateRequest,
        lambda wa: wa.templates.edit(
            "564912142382994",
            components=[
                {"type": "HEADER", "format": "TEXT", "text": "Fall Sale"},
                {
                    "type": "BODY",
                    "text": "Hi {{1}}, our Fall Sale is on! Use promo code {{2}} today.",
                    "example": {"body_text": [["Mark", "FALL25"]]},
                },
            ],
            category="MARKETING",
        ),
        {"success": True},
    ),
    Case(
        "templates_delete_by_name",
        DeleteTemplateRequest,
        lambda wa: wa.templates.delete(name="fall_sale"),
        {"success": True},
    ),
    Case(
        "templates_delete_one_language",
        DeleteTemplateRequest,
        lambda wa: wa.templates.delete(name="fall_sale", hsm_id="564912142382994"),
        {"success": True},
    ),
]
