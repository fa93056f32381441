"""Handlers that fake_lambda.py serves to the Lambda tests."""

CALLS = 0


def echo(event, context):
    return {"echo": event, "function": context.function_name}


def fail(event, context):
    raise ValueError("boom: " + str(event.get("why", "no reason")))


def count(event, context):
    """Module-level state persists between calls, as in a warm Lambda."""
    global CALLS
    CALLS += 1
    return CALLS
