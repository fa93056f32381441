# bin2h.cmake -DIN=file -DOUT=header -DNAME=symbol: a file's bytes as a C array
# (the LLVM back end's bitcode of asl.h's first steps, asl_first_steps.c).
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" n)
math(EXPR n "${n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE ${OUT} "/* Generated from ${IN} by bin2h.cmake. */\nstatic const unsigned char ${NAME}[${n}] = {${bytes}};\n")
