"""Lambda stepTest2: the lyrics of the song chosen by stepTest1."""


def lambda_handler(event, context):
    if event.get("song") == "gangnam style":
        return {"lyrics": "oh oh oh oh oh pan gangnam style"}
    return {"lyrics": "i don't know"}
