"""Lambda validate-order: rejects orders without items or with a non-positive amount."""


class ValidationError(Exception):
    pass


def lambda_handler(event, context):
    items = event.get("items") or []
    if not items:
        raise ValidationError("order %s has no items" % event.get("orderId"))
    if not isinstance(event.get("amount"), (int, float)) or event["amount"] <= 0:
        raise ValidationError("order %s has no positive amount" % event.get("orderId"))
    return {"valid": True, "itemCount": sum(item.get("qty", 1) for item in items)}
