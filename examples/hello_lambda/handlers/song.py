"""Lambda stepTest1: picks a song for the singer named in the event."""


def lambda_handler(event, context):
    if event.get("name") == "PSY":
        return {"song": "gangnam style"}
    return {"song": "i dont know"}
