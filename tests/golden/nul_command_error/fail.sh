#!/bin/sh
# A Lambda-style error whose errorType holds a U+0000.
cat > /dev/null
printf '{"errorType": "Bad\\u0000", "errorMessage": "no\\u0000good"}\n'
