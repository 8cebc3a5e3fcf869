"""``clientcoach route "TEXT"``: show the language and topics the bot reads in a message."""

from __future__ import annotations

import click


@click.command()
@click.argument("text")
@click.option("--lang-hint", default=None, help="The platform's locale (fr, nb, no, en).")
@click.option("--current", default=None, help="The language the person already uses.")
@click.option("--top", default=5, show_default=True, help="How many ranked topics to print.")
def route(text: str, lang_hint: str | None, current: str | None, top: int) -> None:
    """Print the detected language, ranked topics with scores, and the decision."""
    from bot.understanding import detect_language
    from bot.understanding import route as route_text

    lang = detect_language(text, hint=lang_hint, current=current)
    result = route_text(text, lang)
    click.echo(f"language: {lang}")
    for topic, score in result.ranked[:top]:
        click.echo(f"  {topic:<20} {score:.3f}")
    if result.offtopic:
        work = ": a work question no topic covers" if result.about_work else ""
        decision = "off-topic" + work
    elif result.ambiguous:
        decision = "ask: " + " / ".join(result.candidates)
    else:
        decision = "topic: " + result.candidates[0]
    click.echo(f"decision: {decision}")
