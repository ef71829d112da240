"""Options: explicit arguments, then the environment, then defaults; validated at once."""

from __future__ import annotations

import pytest

from meta_cloud_async import NOT_GIVEN, ClientOptions, MockTransport, NotGiven, Response, WhatsApp
from meta_cloud_async._options import resolve

ENV = {
    "CLOUD_API_ACCESS_TOKEN": "ENVtoken123",
    "WA_PHONE_NUMBER_ID": "1111",
    "WA_BUSINESS_ACCOUNT_ID": "2222",
    "CLOUD_API_VERSION": "v22.0",
}


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    return monkeypatch


@pytest.fixture
def no_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def transport() -> MockTransport:
    return MockTransport(lambda request: Response(status_code=200, content=b'{"success": true}'))


async def test_no_arguments_reads_the_environment(env: pytest.MonkeyPatch) -> None:
    seen: list[str] = []

    def handler(request: object) -> Response:
        seen.append(getattr(request, "url", ""))
        assert getattr(request, "headers", {})["authorization"] == "Bearer ENVtoken123"
        return Response(status_code=200, content=b'{"success": true}')

    async with WhatsApp(transport=MockTransport(handler)) as wa:
        assert wa.options.phone_number_id == "1111"
        assert wa.options.business_account_id == "2222"
        assert wa.options.api_version == "v22.0"
        assert wa.options.access_token == "ENVtoken123"
        await wa.two_step_verification.set_pin("428915")
    assert seen == ["https://graph.facebook.com/v22.0/1111"]


def test_explicit_arguments_win(env: pytest.MonkeyPatch) -> None:
    wa = WhatsApp(
        access_token="ARGtoken",
        phone_number_id="3333",
        business_account_id="4444",
        api_version="v23.0",
        transport=transport(),
    )
    assert (
        wa.options.access_token,
        wa.options.phone_number_id,
        wa.options.business_account_id,
        wa.options.api_version,
    ) == ("ARGtoken", "3333", "4444", "v23.0")


def test_none_falls_back_to_the_environment(env: pytest.MonkeyPatch) -> None:
    wa = WhatsApp(access_token=None, phone_number_id=None, transport=transport())
    assert wa.options.access_token == "ENVtoken123"
    assert wa.options.phone_number_id == "1111"


def test_missing_token_is_a_clear_error_at_construction(no_env: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="CLOUD_API_ACCESS_TOKEN"):
        WhatsApp(phone_number_id="1234", transport=transport())


@pytest.mark.parametrize("token", ["", "   "])
def test_empty_token_is_refused(no_env: pytest.MonkeyPatch, token: str) -> None:
    with pytest.raises(ValueError, match="access token is required"):
        WhatsApp(access_token=token, transport=transport())


def test_empty_env_token_counts_as_missing(no_env: pytest.MonkeyPatch) -> None:
    no_env.setenv("CLOUD_API_ACCESS_TOKEN", "")
    with pytest.raises(ValueError, match="CLOUD_API_ACCESS_TOKEN"):
        WhatsApp(transport=transport())


def test_defaults(no_env: pytest.MonkeyPatch) -> None:
    options = ClientOptions.from_env(access_token="t")
    assert options.api_version == "v23.0"
    assert options.base_url == "https://graph.facebook.com"
    assert options.timeout == 20.0
    assert options.phone_number_id is None and options.business_account_id is None


def test_from_env_with_an_explicit_mapping(no_env: pytest.MonkeyPatch) -> None:
    options = ClientOptions.from_env(environ=ENV)
    assert options.access_token == "ENVtoken123"
    assert options.api_version == "v22.0"


def test_bad_environment_values_are_refused(env: pytest.MonkeyPatch) -> None:
    env.setenv("CLOUD_API_VERSION", "22")
    with pytest.raises(ValueError, match="api_version"):
        WhatsApp(transport=transport())
    env.setenv("CLOUD_API_VERSION", "v22.0")
    env.setenv("WA_PHONE_NUMBER_ID", "phone-1")
    with pytest.raises(ValueError, match="phone_number_id"):
        WhatsApp(transport=transport())


def test_base_url_trailing_slash_is_stripped(no_env: pytest.MonkeyPatch) -> None:
    options = ClientOptions.from_env(access_token="t", base_url="http://127.0.0.1:8080/graph/")
    assert options.base_url == "http://127.0.0.1:8080/graph"


def test_timeout_none_means_no_timeout(no_env: pytest.MonkeyPatch) -> None:
    assert ClientOptions.from_env(access_token="t", timeout=None).timeout is None
    assert ClientOptions.from_env(access_token="t", timeout=5).timeout == 5


def test_repr_hides_the_token() -> None:
    options = ClientOptions(access_token="SECRETtoken", phone_number_id="1")
    assert "SECRETtoken" not in repr(options)
    assert "access_token" not in repr(options)


def test_not_given_sentinel() -> None:
    assert not NOT_GIVEN
    assert repr(NOT_GIVEN) == "NOT_GIVEN"
    assert isinstance(NOT_GIVEN, NotGiven)
    assert resolve(NOT_GIVEN, 3) == 3
    assert resolve(None, 3) is None
    assert resolve(5, 3) == 5


def test_options_are_frozen() -> None:
    import attrs

    options = ClientOptions(access_token="t")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        options.access_token = "other"  # type: ignore[misc]
