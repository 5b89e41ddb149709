/**
 * JMH benchmarks of both tiers: the {@link dev.tape.bench.Workload} programs with their
 * hand-written Java versions ({@link dev.tape.bench.JavaBaselines}) in
 * {@link dev.tape.bench.InterpreterBench}, traced runs in {@link dev.tape.bench.TracedBench},
 * decoding, verifying and compiling a large program in {@link dev.tape.bench.DecodeVerifyBench}, and
 * {@link dev.tape.bench.Table}, which prints the medians {@code bench/run} shows.
 *
 * <p>This package sits on top of the library and may use every {@code tape-core} package and the
 * compiled tier; nothing imports it.
 */
package dev.tape.bench;
