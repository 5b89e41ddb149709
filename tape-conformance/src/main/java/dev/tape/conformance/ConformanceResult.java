package dev.tape.conformance;

/**
 * The outcome of one case.
 *
 * @param testCase the case
 * @param passed whether the outcome matched exactly
 * @param actual what happened, in the manifest's terms
 * @param mismatch why it failed, or {@code null} when it passed
 */
public record ConformanceResult(ConformanceCase testCase, boolean passed, String actual, String mismatch) {}
