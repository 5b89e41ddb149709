package dev.tape.program;

/**
 * One entry of the function table (spec section "Function table").
 *
 * @param argCount value arguments, not counting the effect token (they arrive in r1..rN)
 * @param retCount value results
 * @param regCount registers the function uses, r0 (the effect token) included
 * @param bytecodeIndex index into the bytecode blobs
 * @param spanTableIndex index into the span tables
 */
public record FunctionEntry(int argCount, int retCount, int regCount, int bytecodeIndex, int spanTableIndex) {}
