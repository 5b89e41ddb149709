/**
 * Runs the reference's {@code tape-conformance-v1} vectors: {@link
 * dev.tape.conformance.ConformanceRunner} reads a manifest into
 * {@link dev.tape.conformance.ConformanceCase}s, decodes, verifies and runs each on either tier
 * with {@link dev.tape.host.ConformanceHost}, and reports a
 * {@link dev.tape.conformance.ConformanceResult} per case, comparing values (f64 by bits), trap
 * kind, function, pc and span, and the stage of a rejection exactly.
 *
 * <p>This package sits on top of the library: it may use every {@code tape-core} package, the
 * compiled tier and Jackson (for the manifest); the library never imports it.
 */
package dev.tape.conformance;
