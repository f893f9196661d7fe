"""Every operation declares itself in one place (@operation): the server refuses to start when a registered
operation has no IAM declaration, so no operation can silently escape policies scoped to resource ARNs."""
from __future__ import annotations

import pytest

from localconnect.app import App
from localconnect.services import registry
from localconnect.services.authorization import unscoped
from localconnect.settings import Settings


@pytest.fixture
def scratch_registration():
    added: list[tuple[str, str]] = []

    def register(service: str, name: str, **declaration):
        registry.operation(service, name, **declaration)(lambda call, req: {})
        added.append((service, name))
    yield register
    for key in added:
        registry.HANDLERS.pop(key, None)


def test_every_registered_operation_declares_what_it_presents_to_iam():
    assert registry.HANDLERS and all(r.iam is not None for r in registry.HANDLERS.values())


def test_the_server_refuses_to_start_with_an_undeclared_operation(scratch_registration):
    scratch_registration("connect", "ListInstanceStorageConfigs")  # a real operation, registered without iam=
    with pytest.raises(registry.RegistryError, match="connect:ListInstanceStorageConfigs"):
        App(Settings(store="memory"))


def test_the_server_refuses_an_operation_no_model_has(scratch_registration):
    scratch_registration("connect", "MakeCoffee", iam=unscoped())
    with pytest.raises(registry.RegistryError, match="connect:MakeCoffee"):
        App(Settings(store="memory"))


def test_a_declared_operation_starts(scratch_registration):
    scratch_registration("connect", "ListInstanceStorageConfigs", iam=unscoped())
    App(Settings(store="memory")).store.close()


def test_two_handlers_for_one_operation_are_refused(scratch_registration):
    scratch_registration("connect", "ListInstanceStorageConfigs", iam=unscoped())
    with pytest.raises(RuntimeError, match="two handlers"):
        registry.operation("connect", "ListInstanceStorageConfigs", iam=unscoped())(lambda call, req: {})
