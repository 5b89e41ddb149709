package dev.tape.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tape.asm.Assembler;
import dev.tape.host.Host;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.program.ValueType;
import dev.tape.value.Value;
import dev.tape.value.ValueLiteral;
import dev.tape.verify.Verifier;
import dev.tape.vm.Limits;
import dev.tape.vm.Vm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The programs in {@code examples/} pass the verifier and compute what their comments say. */
class ExamplesRunTest {
    private static Path examples() {
        String root = System.getProperty("tape.root.dir");
        if (root != null && Files.isDirectory(Paths.get(root, "examples"))) {
            return Paths.get(root, "examples");
        }
        for (Path d = Paths.get("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("examples")) && Files.isRegularFile(d.resolve("spec/opcodes.json"))) {
                return d.resolve("examples");
            }
        }
        throw new IllegalStateException("cannot find the examples folder from " + Paths.get("").toAbsolutePath());
    }

    private static List<String> run(String file, String entry, Host host, String... args) throws Exception {
        String src = Files.readString(examples().resolve(file), StandardCharsets.UTF_8);
        Vm vm = new Vm(Verifier.verify(Assembler.assemble(src, file)), host);
        List<Value> in = Stream.of(args).map(ValueLiteral::parse).collect(Collectors.toList());
        return vm.run(vm.functionId(entry), in, Limits.DEFAULT).stream().map(ValueLiteral::format)
                .collect(Collectors.toList());
    }

    @Test
    void fib() throws Exception {
        assertEquals(List.of("i64:6765"), run("fib.tasm", "fib", Host.NONE, "i64:20"));
    }

    @Test
    void sumLoop() throws Exception {
        assertEquals(List.of("i64:45"), run("sum_loop.tasm", "sum", Host.NONE, "i64:10"));
    }

    @Test
    void closures() throws Exception {
        assertEquals(List.of("i64:125"), run("closures.tasm", "main", Host.NONE, "i64:5"));
    }

    @Test
    void aggregates() throws Exception {
        assertEquals(List.of("i64:7", "bool:true", "i64:7", "u64:3", "u64:2", "i64:7"),
                run("aggregates.tasm", "main", Host.NONE));
    }

    @Test
    void strings() throws Exception {
        assertEquals(List.of("str:\"hello, world\"", "u64:12", "str:\"hello\"", "bool:true", "u64:6"),
                run("strings.tasm", "main", Host.NONE));
    }

    @Test
    void theCompleteExampleInTheAssemblyGuide() throws Exception {
        Path guide = examples().resolveSibling("docs").resolve("ASSEMBLY.md");
        String md = Files.readString(guide, StandardCharsets.UTF_8);
        int section = md.indexOf("## A complete example");
        int start = md.indexOf("```\n", section) + 4;
        String src = md.substring(start, md.indexOf("```\n", start));
        List<String> printed = new ArrayList<>();
        HostRegistry host = new HostRegistry().register("std.print_i64",
                Signature.of(List.of(ValueType.I64), List.of()), a -> {
                    printed.add(ValueLiteral.format(a[0]));
                    return null;
                });
        Vm vm = new Vm(Verifier.verify(Assembler.assemble(src, "ASSEMBLY.md")), host);
        List<String> out = vm.run(vm.functionId("main"), List.of(), Limits.DEFAULT).stream()
                .map(ValueLiteral::format).collect(Collectors.toList());
        assertEquals(List.of("i64:3060"), out);
        assertEquals(List.of("i64:3060"), printed);
    }

    @Test
    void hostCalls() throws Exception {
        List<String> printed = new ArrayList<>();
        HostRegistry host = new HostRegistry()
                .register("std.print_str", Signature.of(List.of(ValueType.STR), List.of()), a -> {
                    printed.add(ValueLiteral.format(a[0]));
                    return null;
                })
                .register("std.print_i64", Signature.of(List.of(ValueType.I64), List.of()), a -> {
                    printed.add(ValueLiteral.format(a[0]));
                    return null;
                });
        assertEquals(List.of(), run("hello_host.tasm", "main", host));
        assertEquals(List.of("str:\"6 * 7 =\"", "i64:42"), printed);
    }
}
