package dev.tape.cli;

/**
 * The hosts {@code --host} selects. Constants are lower case because they are what the user
 * types: {@code --host test}.
 */
public enum HostChoice {
    /** {@link StdHost}: {@code std.print_*} functions that print to stdout. */
    std,
    /**
     * {@link dev.tape.host.ConformanceHost}: the {@code test.*} functions the conformance
     * vectors call.
     */
    test
}
