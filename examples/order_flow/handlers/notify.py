"""Lambda notify-customer: tells the customer why the order did not go through.

The caught error is in event["error"]: {"Error": ..., "Cause": ...}, where the
Cause of a Lambda error is the error object as JSON text.
"""
import json


def lambda_handler(event, context):
    error = event.get("error", {})
    try:
        reason = json.loads(error.get("Cause") or "{}").get("errorMessage", "unknown reason")
    except ValueError:
        reason = error.get("Cause") or "unknown reason"
    return {
        "notified": True,
        "to": event["customer"],
        "message": "Your payment for order %s was declined: %s" % (event["orderId"], reason),
    }
