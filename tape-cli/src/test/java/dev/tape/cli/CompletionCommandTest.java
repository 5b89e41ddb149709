package dev.tape.cli;

import org.junit.jupiter.api.Test;

import static dev.tape.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code tape completion}: a script naming every command and the run options, for bash and zsh. */
class CompletionCommandTest {
    @Test
    void printsAScriptThatKnowsTheCommandsAndOptions() {
        for (String shell : new String[] {"bash", "zsh"}) {
            Cli.Result r = run("completion", shell);
            assertEquals(0, r.code(), r.err());
            String script = r.out();
            assertTrue(script.startsWith("#!/usr/bin/env bash"), script.substring(0, Math.min(80, script.length())));
            assertTrue(script.contains("complete -F _complete_tape"), "registers the completion function");
            for (String word : new String[] {"run", "verify", "disasm", "asm", "conformance", "bench", "completion",
                "--max-call-depth", "--max-heap-bytes", "--max-output-bytes", "--tier", "--trace"}) {
                assertTrue(script.contains(word), word);
            }
        }
    }

    @Test
    void anotherShellIsAUsageError() {
        assertTrue(run("completion", "fish").oneErrorLine(2).startsWith("tape completion: Invalid value for positional"
                + " parameter"));
    }
}
