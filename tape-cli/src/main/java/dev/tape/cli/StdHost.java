package dev.tape.cli;

import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.program.ValueType;
import dev.tape.value.Value;

import java.io.PrintWriter;
import java.util.List;

/**
 * The standard host of {@code tape run --host std} (the default): five functions that print one
 * value and a newline to the command's standard output, and return nothing.
 *
 * <table>
 * <caption>Host functions</caption>
 * <tr><th>symbol</th><th>signature</th><th>prints</th></tr>
 * <tr><td>{@code std.print_str}</td><td>{@code (str) -> ()}</td><td>the string as it is</td></tr>
 * <tr><td>{@code std.print_i64}</td><td>{@code (i64) -> ()}</td><td>signed decimal, {@code -42}</td></tr>
 * <tr><td>{@code std.print_u64}</td><td>{@code (u64) -> ()}</td><td>unsigned decimal,
 *     {@code 18446744073709551615}</td></tr>
 * <tr><td>{@code std.print_f64}</td><td>{@code (f64) -> ()}</td><td>Java's
 *     {@link Double#toString(double)}: {@code 1.5}, {@code -0.0}, {@code NaN},
 *     {@code Infinity}, {@code 1.0E21}</td></tr>
 * <tr><td>{@code std.print_bool}</td><td>{@code (bool) -> ()}</td><td>{@code true} or
 *     {@code false}</td></tr>
 * </table>
 *
 * <p>A program resolves a function only with exactly that symbol and signature; any other host
 * call traps {@code host_call_failed}. Each call costs the ordinary fuel of a {@code host_call}
 * and counts against {@code --max-host-calls}.
 */
public final class StdHost {
    private StdHost() {}

    /** The symbols this host provides, in the order of the table above. */
    public static final List<String> SYMBOLS = List.of("std.print_str", "std.print_i64", "std.print_u64",
            "std.print_f64", "std.print_bool");

    private static final Value[] NONE = new Value[0];

    /**
     * Makes the standard host.
     *
     * @param out where the functions print; each call prints one line
     * @return a host registry holding the five functions
     */
    public static HostRegistry create(PrintWriter out) {
        HostRegistry host = new HostRegistry();
        host.register("std.print_str", sig(ValueType.STR), args -> print(out, ((Value.Str) args[0]).value()));
        host.register("std.print_i64", sig(ValueType.I64),
                args -> print(out, Long.toString(((Value.I64) args[0]).value())));
        host.register("std.print_u64", sig(ValueType.U64),
                args -> print(out, Long.toUnsignedString(((Value.U64) args[0]).value())));
        host.register("std.print_f64", sig(ValueType.F64),
                args -> print(out, Double.toString(((Value.F64) args[0]).value())));
        host.register("std.print_bool", sig(ValueType.BOOL),
                args -> print(out, Boolean.toString(((Value.Bool) args[0]).value())));
        return host;
    }

    private static Signature sig(ValueType arg) {
        return Signature.of(List.of(arg), List.of());
    }

    private static Value[] print(PrintWriter out, String text) {
        out.println(text);
        return NONE;
    }
}
