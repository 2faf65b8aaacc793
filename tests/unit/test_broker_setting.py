"""`--broker` / PANTAU_BROKER: HOST:PORT[,HOST:PORT], or one line naming what is wrong."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from pantau.cli import cli
from pantau.settings import KafkaSettings


@pytest.mark.parametrize(
    "broker", ["localhost:9092", "127.0.0.1:9092,kafka-2.example:9093", "[::1]:9092", "k:65535"]
)
def test_good_brokers(broker: str) -> None:
    assert KafkaSettings(broker=broker).broker == broker


@pytest.mark.parametrize(
    ("broker", "bad"),
    [("localhost", "localhost"), ("host:0", "host:0"), ("host:70000", "host:70000"),
     ("a b:1", "a b:1"), ("kafka:9092,", ""), ("http://kafka:9092", "http://kafka:9092")],
)  # fmt: skip
def test_bad_brokers_name_the_bad_server(broker: str, bad: str) -> None:
    with pytest.raises(ValidationError) as caught:
        KafkaSettings(broker=broker)
    assert f"{bad!r} is not HOST:PORT" in str(caught.value)


@pytest.mark.parametrize("command", ["worker", "replay", "gateway"])
def test_a_bad_broker_flag_exits_2_with_one_line(command: str) -> None:
    args = [command, "--broker", "kafka"]
    if command == "replay":
        args.insert(1, __file__)
    done = CliRunner().invoke(cli, args)
    assert done.exit_code == 2, done.output
    assert done.stderr == (
        "pantau: error: broker: 'kafka' is not HOST:PORT (a list: HOST:PORT,HOST:PORT)\n"
    )
