/**
 * {@code tape dap}: the debugger served over the Debug Adapter Protocol with Eclipse LSP4J's debug
 * module ({@link dev.tape.debug.dap.DapServer}); the {@code tape} command supplies the
 * {@link dev.tape.debug.dap.TargetFactory} that reads a launch request as {@code tape run} options.
 */
package dev.tape.debug.dap;
