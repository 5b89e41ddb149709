/**
 * The {@code tape} command line ({@link dev.tape.cli.TapeCli}, with picocli): {@code run},
 * {@code verify}, {@code asm}, {@code disasm}, {@code bench} and {@code conformance}
 * ({@link dev.tape.cli.RunCommand}, {@link dev.tape.cli.VerifyCommand},
 * {@link dev.tape.cli.AsmCommand}, {@link dev.tape.cli.DisasmCommand},
 * {@link dev.tape.cli.BenchCommand}, {@link dev.tape.cli.ConformanceCommand}). Every failure is one
 * line on stderr, program-controlled text escaped, and an exit code from
 * {@link dev.tape.cli.ExitCodes}; a trap prints its report, never a stack trace.
 *
 * <p>This package sits on top of the library: it may use every {@code tape-core} package, the
 * compiled tier ({@code dev.tape.jit.Jit}) and {@code tape-conformance}; no library package
 * imports it.
 */
package dev.tape.cli;
