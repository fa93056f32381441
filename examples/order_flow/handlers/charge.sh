#!/bin/sh
# Lambda charge-payment, as a command: the payment request arrives as compact
# JSON on stdin; the result (or a Lambda-style error object) goes to stdout.
# The test card 4000-0000-0000-0002 is always declined.
input=$(cat)
case "$input" in
*'"card":"4000-0000-0000-0002"'*)
    echo '{"errorType":"PaymentDeclined","errorMessage":"card declined"}'
    ;;
*)
    echo '{"chargeId":"ch_0001","status":"captured"}'
    ;;
esac
