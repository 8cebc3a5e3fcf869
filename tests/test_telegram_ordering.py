"""One person's updates are handled in arrival order; other people's run alongside."""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.telegram.ordering import PerPersonOrder


def update(update_id: int, user: int, chat: int | None = None) -> Update:
    chat = chat or user
    return Update.de_json(
        {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": 1_700_000_000,
                "chat": {"id": chat, "type": "private" if chat == user else "group"},
                "from": {"id": user, "is_bot": False, "first_name": "P"},
                "text": "hi",
            },
        },
        None,
    )


async def test_one_persons_updates_keep_their_order_others_do_not_wait() -> None:
    processor = PerPersonOrder(16)
    done: list[str] = []

    async def work(name: str, seconds: float) -> None:
        await asyncio.sleep(seconds)
        done.append(name)

    jobs = [
        (update(1, 7), work("ada-1", 0.10)),
        (update(2, 7), work("ada-2", 0.0)),
        (update(3, 8), work("bo-1", 0.0)),
        (update(4, 7), work("ada-3", 0.0)),
    ]
    await asyncio.gather(*(processor.process_update(u, c) for u, c in jobs))
    assert [n for n in done if n.startswith("ada")] == ["ada-1", "ada-2", "ada-3"]
    assert done.index("bo-1") < done.index("ada-1")  # Bo did not wait for Ada
    assert processor._locks == {}  # nothing kept once everyone is done


async def test_the_same_person_in_two_chats_is_not_serialised_across_them() -> None:
    processor = PerPersonOrder(16)
    done: list[str] = []

    async def work(name: str, seconds: float) -> None:
        await asyncio.sleep(seconds)
        done.append(name)

    await asyncio.gather(
        processor.process_update(update(1, 7, chat=-100), work("group", 0.1)),
        processor.process_update(update(2, 7), work("private", 0.0)),
    )
    assert done == ["private", "group"]
