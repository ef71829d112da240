"""Conformance cases: the WABA, app, solution and business-portfolio operations."""

from __future__ import annotations

from meta_cloud_async.types import app as A
from meta_cloud_async.types import business as B
from meta_cloud_async.types import solutions as S
from meta_cloud_async.types import waba as W

from . import Case

OK = {"success": True}
PAGE: dict[str, list[object]] = {"data": []}
SOLUTION = {
    "id": "1234567890123456",
    "name": "Shop",
    "status": "ACTIVE",
    "status_for_pending_request": "NONE",
}
FORM_ARRAY = "Graph reads form arrays as JSON text; the spec types the form field as an array"

CASES = [
    # -- the WABA ------------------------------------------------------------------------
    Case("waba_get", W.GetBusinessAccountRequest, lambda wa: wa.waba.get(), {"id": "5678"}),
    Case(
        "waba_get_fields",
        W.GetBusinessAccountRequest,
        lambda wa: wa.waba.get(fields=["id", "name", "account_review_status"]),
        {"id": "5678"},
    ),
    Case("waba_update_name", W.UpdateBusinessAccountRequest, lambda wa: wa.waba.update(name="Shop Two"), OK),
    Case("waba_update_tz", W.UpdateBusinessAccountRequest, lambda wa: wa.waba.update(timezone_id="2"), OK),
    Case("waba_subscribed_apps", W.ListSubscribedAppsRequest, lambda wa: wa.waba.subscribed_apps(), PAGE),
    Case("waba_subscribe", W.SubscribeAppRequest, lambda wa: wa.waba.subscribe_app(), OK),
    Case(
        "waba_subscribe_override",
        W.SubscribeAppRequest,
        lambda wa: wa.waba.subscribe_app(
            override_callback_uri="https://hooks.example.com/wa", verify_token="vt-1"
        ),
        OK,
    ),
    Case("waba_unsubscribe", W.UnsubscribeAppRequest, lambda wa: wa.waba.unsubscribe_app(), OK),
    Case(
        "waba_assigned_users",
        W.ListAssignedUsersRequest,
        lambda wa: wa.waba.assigned_users(business="9876543210987654", limit=10),
        PAGE,
    ),
    Case(
        "waba_add_assigned_user",
        W.AddAssignedUserRequest,
        lambda wa: wa.waba.add_assigned_user(user="2345678901234567", tasks=["MANAGE", "VIEW_INSIGHTS"]),
        OK,
        skip={"body": FORM_ARRAY},
    ),
    Case(
        "waba_remove_assigned_user",
        W.RemoveAssignedUserRequest,
        lambda wa: wa.waba.remove_assigned_user(user="2345678901234567"),
        OK,
    ),
    Case(
        "waba_activities",
        W.ListActivitiesRequest,
        lambda wa: wa.waba.activities(limit=25, since="2023-10-01", activity_type="USER_ADDED"),
        PAGE,
    ),
    Case(
        "waba_schedules", W.ListSchedulesRequest, lambda wa: wa.waba.schedules(sort="created_time.desc"), PAGE
    ),
    Case(
        "waba_create_schedule",
        W.CreateScheduleRequest,
        lambda wa: wa.waba.create_schedule(
            name="Business hours",
            schedule_type="BUSINESS_HOURS",
            start_time="09:00",
            end_time="17:00",
            timezone="America/New_York",
            days_of_week=["MONDAY", "FRIDAY"],
            is_active=True,
            recurrence_pattern=W.RecurrencePattern(frequency="WEEKLY", interval=1),
        ),
        {"id": "1234567890123456"},
    ),
    Case("waba_bot", W.GetBotRequest, lambda wa: wa.waba.get_bot(bot_id="1234567890123456"), {"id": "1"}),
    Case(
        "waba_obo_requests",
        W.ListOnBehalfOfRequestsRequest,
        lambda wa: wa.waba.on_behalf_of_requests(limit=5),
        PAGE,
    ),
    Case(
        "waba_create_obo_intent",
        W.CreateOboMobilityIntentRequest,
        lambda wa: wa.waba.create_obo_mobility_intent(
            solution_id="2345678901234567",
            intent_type="INITIATE_TRANSFER",
            target_solution_id="3456789012345678",
        ),
        {"success": True, "mobility_intent_id": "obo_1"},
    ),
    Case(
        "waba_get_obo_intent",
        W.GetOboMobilityIntentRequest,
        lambda wa: wa.waba.get_obo_mobility_intent(intent_id="1234567890123456"),
        {"id": "1234567890123456"},
    ),
    Case(
        "waba_set_obo_intent",
        W.SetOboMobilityIntentRequest,
        lambda wa: wa.waba.set_obo_mobility_intent(
            waba_id="5678", solution_id="2345678901234567", client_mutation_id="m-1"
        ),
        {"success": True},
    ),
    Case(
        "waba_set_migration_intent",
        W.SetSolutionMigrationIntentRequest,
        lambda wa: wa.waba.set_solution_migration_intent(
            solution_id="1234567890123456",
            migration_intent="SCHEDULE_MIGRATION",
            target_solution_id="2345678901234567",
        ),
        {"success": True, "migration_intent_id": "m1"},
    ),
    Case("waba_solutions", W.ListSolutionsRequest, lambda wa: wa.waba.solutions(limit=10), PAGE),
    Case(
        "waba_create_phone_number",
        W.CreatePhoneNumberRequest,
        lambda wa: wa.waba.create_phone_number(phone_number="16315551000", verified_name="My Shop", cc="1"),
        {"id": "1906385232743451"},
    ),
    Case(
        "waba_account_number",
        W.GetAccountNumberRequest,
        lambda wa: wa.waba.get_account_number(account_number_id="1234567890123456"),
        {"id": "1234567890123456"},
    ),
    Case(
        "waba_migration_intent",
        W.GetMigrationIntentRequest,
        lambda wa: wa.waba.get_migration_intent(
            migration_intent_id="1234567890123456", fields=["id", "status"]
        ),
        {"id": "1234567890123456", "status": "INITIATED"},
    ),
    # -- the app -------------------------------------------------------------------------
    Case(
        "app_client_businesses",
        A.ListConnectedClientBusinessesRequest,
        lambda wa: wa.app.connected_client_businesses(limit=50),
        PAGE,
    ),
    Case(
        "app_create_solution",
        A.CreateSolutionRequest,
        lambda wa: wa.app.create_solution(
            solution_name="Shared messaging",
            partner_app_id="9876543210987654",
            owner_permissions=["MESSAGING"],
        ),
        {"solution_id": "1234567890123456"},
    ),
    Case("app_solutions", A.ListAppSolutionsRequest, lambda wa: wa.app.solutions(role="OWNER"), PAGE),
    # -- one solution ----------------------------------------------------------------------
    Case(
        "solution_get",
        S.GetSolutionRequest,
        lambda wa: wa.solutions.get(solution_id="1234567890123456"),
        SOLUTION,
    ),
    Case(
        "solution_token",
        S.GetSolutionAccessTokenRequest,
        lambda wa: wa.solutions.access_token(solution_id="1234567890123456", business_id="2345678901234567"),
        {"access_token": "tok", "expires_at": 1735689600},
    ),
    Case(
        "solution_accept",
        S.AcceptSolutionRequest,
        lambda wa: wa.solutions.accept(solution_id="1234567890123456", partner_app_id="9876543210987654"),
        {"solution_id": "1234567890123456", "partner_status": "ACCEPTED", "success": True},
    ),
    Case(
        "solution_reject",
        S.RejectSolutionRequest,
        lambda wa: wa.solutions.reject(
            solution_id="1234567890123456",
            request_type="PARTNERSHIP_REQUEST",
            partner_app_id="9876543210987654",
        ),
        {"success": True},
    ),
    Case(
        "solution_send_deactivation",
        S.SendDeactivationRequest,
        lambda wa: wa.solutions.send_deactivation_request(
            solution_id="1234567890123456", reason="No longer used"
        ),
        {"success": True, "message": "ok"},
    ),
    Case(
        "solution_accept_deactivation",
        S.AcceptDeactivationRequest,
        lambda wa: wa.solutions.accept_deactivation_request(
            solution_id="1234567890123456", fields=["id", "status"]
        ),
        SOLUTION,
    ),
    Case(
        "solution_reject_deactivation",
        S.RejectDeactivationRequest,
        lambda wa: wa.solutions.reject_deactivation_request(solution_id="1234567890123456"),
        SOLUTION,
    ),
    # -- the business portfolio ------------------------------------------------------------
    Case(
        "business_get",
        B.GetBusinessRequest,
        lambda wa: wa.business.get(business_id="506914307656634", fields=["id", "name", "timezone_id"]),
        {"id": "506914307656634"},
    ),
    Case(
        "business_owned_wabas",
        B.ListOwnedWabasRequest,
        lambda wa: wa.business.owned_wabas(business_id="506914307656634", first=10),
        PAGE,
    ),
    Case(
        "business_client_wabas",
        B.ListClientWabasRequest,
        lambda wa: wa.business.client_wabas(business_id="506914307656634", limit=25, fields=["id", "name"]),
        PAGE,
    ),
    Case(
        "business_assigned_wabas",
        B.ListAssignedWabasRequest,
        lambda wa: wa.business.assigned_wabas(user_id="1234567890123456", limit=25),
        PAGE,
    ),
    Case(
        "business_credit_lines",
        B.ListCreditLinesRequest,
        lambda wa: wa.business.credit_lines(business_id="506914307656634"),
        {"data": [{"id": "1972385232742146", "legal_entity_name": "Lucky Shrub"}]},
    ),
    Case(
        "business_mm_lite",
        B.OnboardPartnersToMmLiteRequest,
        lambda wa: wa.business.onboard_partners_to_mm_lite(business_id="506914307656634", solution_id="123"),
        {"request_id": "1234567890123456"},
    ),
    Case(
        "business_add_phone_numbers",
        B.AddPhoneNumberRequest,
        lambda wa: wa.business.add_phone_numbers(
            business_id="506914307656634", phone_number="+1 631-555-1000"
        ),
        {"id": "1234567890123456"},
    ),
    Case(
        "business_preverified_numbers",
        B.ListPreVerifiedNumbersRequest,
        lambda wa: wa.business.preverified_numbers(
            business_id="506914307656634", verification_status="VERIFIED", country_code="US"
        ),
        PAGE,
    ),
    Case(
        "business_share_preverified",
        B.SharePreVerifiedNumberRequest,
        lambda wa: wa.business.share_preverified_number(
            business_id="506914307656634",
            preverified_id="1234567890123456",
            partner_business_id="9876543210987654",
        ),
        OK,
    ),
    Case(
        "business_get_preverified",
        B.GetPreVerifiedNumberRequest,
        lambda wa: wa.business.get_preverified_number(preverified_id="1234567890123456"),
        {"is_input_id_valid": True},
    ),
    Case(
        "business_delete_preverified",
        B.DeletePreVerifiedNumberRequest,
        lambda wa: wa.business.delete_preverified_number(preverified_id="1234567890123456"),
        OK,
    ),
    Case(
        "business_preverified_partners",
        B.ListPreVerifiedPartnersRequest,
        lambda wa: wa.business.preverified_number_partners(preverified_id="1234567890123456", limit=5),
        PAGE,
    ),
    Case(
        "business_request_preverified_code",
        B.RequestPreVerifiedCodeRequest,
        lambda wa: wa.business.request_preverified_code(
            preverified_id="1234567890123456", code_method="VOICE", language="es_ES"
        ),
        OK,
    ),
    Case(
        "business_verify_preverified_code",
        B.VerifyPreVerifiedCodeRequest,
        lambda wa: wa.business.verify_preverified_code(preverified_id="1234567890123456", code="123456"),
        OK,
    ),
]
